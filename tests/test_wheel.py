"""``pip install .`` gives a Docket that runs anywhere (issue 9, item 6).

The real wheel is built, installed with its dependencies into a fresh virtual
environment, and run from a directory that is not the repository: ``flask db
upgrade`` on SQLite, then gunicorn serving the pages, static files and the
htmx asset. Every step goes through the fresh environment's own executables
with the temporary directory as working directory, so nothing can be picked up
from the checkout; only the HTTP client (the standard library) runs here.

Never skipped: without PyPI the dependencies cannot be installed and the test
fails, which is the honest answer to "does the package install?".
"""

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SECRET = "wheel-test-secret-key-0123456789"
DATA_FOLDERS = ("templates", "static", "migrations")
# Never copied into the build: local state, caches and other builds.
SKIP_NAMES = {".git", ".venv", "instance", "test-artifacts", "build", "dist", "__pycache__", ".pytest_cache"}


def run(args, *, cwd, env, timeout, what):
    """Run one step; on failure the assertion shows its output."""
    started = time.monotonic()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    took = time.monotonic() - started
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    print(f"[wheel] {what}: {took:.1f}s")
    return result


def copy_sources(dest: Path) -> None:
    """The files a clone would have (tracked plus new, untracked-but-not-ignored
    ones), symlinks kept as symlinks. Building from a copy keeps setuptools'
    build/ and *.egg-info out of the shared checkout, so concurrent builds
    cannot trip over each other."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO, capture_output=True, check=True, timeout=30,
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = None
    if listed is None:  # not a git checkout (an unpacked tarball): copy the tree
        shutil.copytree(REPO, dest, symlinks=True, ignore=lambda _d, names: [n for n in names if n in SKIP_NAMES or n.endswith(".egg-info")])
        return
    for name in filter(None, listed):
        source = REPO / name
        target = dest / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree but not yet in git
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)


def repo_data_files() -> set[str]:
    """Every file under the top-level data folders, as the wheel should name it."""
    found = set()
    for folder in DATA_FOLDERS:
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.add("webapp/" + path.relative_to(REPO).as_posix())
    return found


def app_env(home: Path, venv: Path, **settings) -> dict:
    """A clean environment: none of the caller's Docket, Flask or Python path
    settings leak in, and HOME is private (gunicorn keeps a control socket in
    ~/.gunicorn, which another test's gunicorn may be using)."""
    env = {key: value for key, value in os.environ.items() if key in ("LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.defpath}",
        HOME=str(home),
        PYTHONDONTWRITEBYTECODE="1",
        **settings,
    )
    return env


def pip_env() -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand 3xx back as they are: the test checks them


class Browser:
    """Just enough of a browser: a cookie jar, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 3xx/4xx/5xx arrive here
            return error.code, error.headers, error.read()

    def page(self, path: str) -> str:
        status, _headers, body = self.request(path)
        html = body.decode()
        assert status == 200, f"GET {path}: {status}\n{html[:2000]}"
        assert re.search(r'<link rel="stylesheet" href="/static/app\.css\?v=\w+">', html), f"GET {path}: no stylesheet link"
        return html


@pytest.fixture(scope="module")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="docket-wheel-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def wheel(workdir):
    """The real wheel, built by pip from a copy of the sources."""
    source = workdir / "src"
    copy_sources(source)
    dist = workdir / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist), "-q"],
        cwd=source, env=pip_env(), timeout=300, what="build the wheel",
    )
    (built,) = dist.glob("docket-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(workdir, wheel):
    """A fresh virtual environment with the wheel and its dependencies from PyPI."""
    path = workdir / "venv"
    run([sys.executable, "-m", "venv", str(path)], cwd=workdir, env=pip_env(), timeout=120, what="create a venv")
    run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        cwd=workdir, env=pip_env(), timeout=400, what="install the wheel and its dependencies",
    )
    return path


def test_the_wheel_carries_templates_static_files_and_migrations(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = {info.filename for info in archive.infolist() if not info.is_dir()}
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    data = {name for name in names if name.split("/")[1:2] and name.split("/")[1] in DATA_FOLDERS}
    assert data == repo_data_files(), "the wheel's data files differ from templates/, static/, migrations/"
    # Files, not dangling links or empty placeholders.
    assert all(sizes[name] > 0 for name in data)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    # Only the package goes in: nothing at the top level of site-packages.
    distribution, version = wheel.name.split("-")[:2]
    assert {name.split("/")[0] for name in names} == {"webapp", f"{distribution}-{version}.dist-info"}


def test_installed_package_migrates_and_serves_every_page_from_another_directory(workdir, venv):
    site = workdir / "site"
    site.mkdir()
    instance = site / "data"
    env = app_env(site, venv, DOCKET_INSTANCE_PATH=str(instance), SECRET_KEY=SECRET)
    bin_dir = venv / "bin"

    where = run(
        [str(bin_dir / "python"), "-c", "import webapp; print(webapp.__file__)"],
        cwd=site, env=env, timeout=60, what="import webapp",
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"webapp imported from {where}, not the fresh venv"

    run([str(bin_dir / "flask"), "--app", "webapp", "db", "upgrade"], cwd=site, env=env, timeout=120, what="flask db upgrade")
    assert (instance / "docket.sqlite3").is_file()
    heads = run([str(bin_dir / "flask"), "--app", "webapp", "db", "current"], cwd=site, env=env, timeout=60, what="flask db current")
    assert "(head)" in heads.stdout

    # wsgi.py lives at the top of the repository and is not part of the
    # package, so the installed app is named by its factory.
    port = free_port()
    log_path = site / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "30", "webapp:create_app()"],
            cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _headers, body = browser.request("/healthz")
                break
            except OSError:
                assert server.poll() is None, "gunicorn exited:\n" + log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer:\n" + log_path.read_text()
                time.sleep(0.3)
        assert (status, body.strip()) == (200, b"ok")
        assert browser.request("/readyz")[0] == 200

        # Logged out: the landing page, log-in and sign-up pages.
        browser.page("/")
        browser.page("/auth/login")
        html = browser.page("/auth/register")

        # The static files the page names, served from the installed package
        # and byte for byte the repository's; and the pinned htmx build.
        for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
            status, headers, body = browser.request(url)
            name = urllib.parse.urlsplit(url).path.removeprefix("/static/")
            assert status == 200, url
            assert body == (REPO / "static" / name).read_bytes(), url
        (htmx,) = re.findall(r'src="(/assets/htmx-[^"]+)"', html)
        status, headers, body = browser.request(htmx)
        assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"htmx" in body

        # Sign up with the page's CSRF token: 303 to the task list.
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', html
        )
        assert token, "no CSRF token on the sign-up page"
        status, headers, body = browser.request(
            "/auth/register",
            {"csrf_token": token.group(1), "timezone": "UTC", "email": "wheel@example.com",
             "password": "a long enough phrase", "password_confirm": "a long enough phrase"},
        )
        assert status == 303, body.decode()[:2000]
        assert urllib.parse.urlsplit(headers["Location"]).path == "/tasks"

        # Logged in: the list, a new task and its own page, the account page.
        html = browser.page("/tasks")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
        status, _headers, body = browser.request("/tasks", {"csrf_token": token, "title": "Shipped in a wheel"})
        assert status in (200, 303), body.decode()[:2000]
        html = browser.page("/tasks")
        assert "Shipped in a wheel" in html
        task_url = re.search(r'href="(/tasks/[0-9a-f-]{36})', html).group(1)
        assert "Shipped in a wheel" in browser.page(task_url)
        browser.page("/account")
        assert browser.request("/account/export.json")[0] == 200

        # The error page is a template too.
        status, _headers, body = browser.request("/no-such-page")
        assert status == 404 and b'rel="stylesheet"' in body
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


def test_installed_package_reads_env_file_and_instance_from_working_directory(workdir, venv):
    """Outside a checkout, .env and instance/ are the working directory's
    (next to site-packages they would be shared by everything installed)."""
    site = workdir / "elsewhere"
    site.mkdir()
    (site / ".env").write_text(f"SECRET_KEY={SECRET}-from-dotenv\n")
    env = app_env(site, venv)
    probe = "from webapp import create_app; app = create_app(); print(app.instance_path); print(app.config['SECRET_KEY'])"
    out = run([str(venv / "bin" / "python"), "-c", probe], cwd=site, env=env, timeout=60, what="create_app with defaults")
    instance_path, key = out.stdout.split()
    assert Path(instance_path) == site / "instance"
    assert key == f"{SECRET}-from-dotenv"
    assert not (site / "instance" / "secret_key").exists()
    run([str(venv / "bin" / "flask"), "--app", "webapp", "db", "upgrade"], cwd=site, env=env, timeout=120, what="flask db upgrade (defaults)")
    assert (site / "instance" / "docket.sqlite3").is_file()
