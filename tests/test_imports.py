"""Every module of ``webapp`` imports on its own, in any order (seed 000).

Each module is imported alone in a fresh interpreter, so an import cycle that
a warm ``sys.modules`` would hide shows up as a failure here. The subprocess
also proves that importing never builds a module-level Flask app and never
touches the database named by ``DATABASE_URL``.
"""

import os
import pkgutil
import random
import subprocess
import sys
from pathlib import Path

import pytest

import webapp

PROJECT_ROOT = Path(webapp.__file__).resolve().parent.parent


def all_modules() -> list[str]:
    """``webapp`` and every module below it, subpackages included."""
    found = ["webapp"]
    for info in pkgutil.walk_packages(webapp.__path__, prefix="webapp."):
        found.append(info.name)
    return sorted(found)


MODULES = all_modules()
UNREACHABLE = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"

# Runs in the child: import the modules named on the command line, in that
# order, then check that none of them holds a Flask app at module level.
CHILD = """
import importlib, sys
from flask import Flask
names = sys.argv[1:]
for name in names:
    importlib.import_module(name)
for name in names:
    module = sys.modules[name]
    apps = [attr for attr, value in vars(module).items() if isinstance(value, Flask)]
    assert not apps, f"{name} holds a module-level Flask app: {apps}"
print("imported", len(names))
"""


def run_child(names: list[str], database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", CHILD, *names],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_walk_finds_every_layer():
    """The walk really descends into the subpackages (else the test is hollow)."""
    assert {"webapp.extensions", "webapp.models", "webapp.config"} <= set(MODULES)
    for package in ("webapp.auth", "webapp.tasks", "webapp.account"):
        assert package in MODULES
        assert any(name.startswith(package + ".") for name in MODULES), package


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_alone(module):
    """``python -c "import webapp.x"`` works in a fresh interpreter.

    ``DATABASE_URL`` names a server that refuses connections, so a module
    that touched the database at import time would fail here.
    """
    result = run_child([module], UNREACHABLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 1"


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_modules_import_in_any_order(order, database_url):
    """All modules together, bottom floor last or at random, import cleanly."""
    names = list(reversed(MODULES))
    if order == "shuffled":
        random.Random(20261121).shuffle(names)
    result = run_child(names, database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"imported {len(MODULES)}"


def test_extensions_import_nothing_from_the_app():
    """The bottom floor loads no other ``webapp`` module (imports flow one way)."""
    code = (
        "import sys, webapp.extensions\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('webapp.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "webapp.extensions"
