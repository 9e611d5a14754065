"""Docket: a calm, fast, server-rendered task manager.

``create_app()`` is the only place where the pieces meet: configuration,
extensions, blueprints, error pages and CLI commands are wired here, in that
order, and nowhere is there a module-level app (seed 000).
"""

import logging
import os
import sys
from pathlib import Path

from flask import Flask

# templates/, static/ and migrations/ are read from beside this file: in the
# wheel they are package data, in a checkout webapp/templates etc. are symlinks
# to the top-level folders. One path either way, so what the tests exercise is
# what an installed copy uses.
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def _in_source_checkout() -> bool:
    """True when running from the repository (editable install or plain
    checkout), False when installed into site-packages, whose parent folder
    is shared with every other package and is no place for .env or instance/."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "wsgi.py").is_file()


def _home() -> Path:
    """Where .env and the default instance/ folder are: the project folder in a
    checkout (as always), the working directory for an installed package."""
    return PROJECT_ROOT if _in_source_checkout() else Path.cwd()


def create_app(test_config: dict | None = None) -> Flask:
    """Build a Docket app. ``test_config`` overrides the environment."""
    from dotenv import load_dotenv

    home = _home()
    load_dotenv(home / ".env")
    # Flask wants an absolute instance path; a relative DOCKET_INSTANCE_PATH
    # means relative to the working directory.
    instance_path = os.path.abspath(os.environ.get("DOCKET_INSTANCE_PATH") or home / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(PACKAGE_DIR / "templates"),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    configure(app, test_config)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_observability(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    from .config import check_test_only, from_environment

    env = dict(os.environ)
    overrides = test_config or {}
    # Values passed straight in win over the environment (and spare us
    # generating a secret key file that a test does not need).
    if "SECRET_KEY" in overrides:
        env["SECRET_KEY"] = overrides["SECRET_KEY"]
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        env["DATABASE_URL"] = overrides["SQLALCHEMY_DATABASE_URI"]
    # ...and the settings derived from these (engine options, Redis timeouts)
    # then match the URLs really used.
    if "RATELIMIT_STORAGE_URI" in overrides:
        env["RATELIMIT_STORAGE_URI"] = overrides["RATELIMIT_STORAGE_URI"]
    app.config.from_mapping(from_environment(app.instance_path, env))
    app.config.from_mapping(overrides)
    check_test_only(app.config)


def configure_logging(app: Flask) -> None:
    from .config import limiter_warning

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        warning = limiter_warning(app.config["RATELIMIT_STORAGE_URI"], os.environ, sys.argv)
        if warning:
            app.logger.warning(warning)


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the tables on db.metadata)
    from .auth.session import CookieSessions, configure_login
    from werkzeug.middleware.proxy_fix import ProxyFix

    from .extensions import csrf, db, limiter, login_manager, migrate

    proxies = app.config["DOCKET_TRUSTED_PROXIES"]
    if proxies:
        # Believe exactly as many X-Forwarded-For/-Proto hops as there are
        # proxies of ours, so the rate limit sees the real client and a
        # client cannot forge its address. The Host header is left alone.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
    app.session_interface = CookieSessions()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    configure_login(login_manager)
    csrf.init_app(app)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .account import sign_ins  # noqa: F401  (its routes join the account blueprint)
    from .account import two_factor_page  # noqa: F401  (its routes join the account blueprint)
    from .auth import login_code  # noqa: F401  (its route joins the auth blueprint)
    from .account.email_change import bp as email_change_bp
    from .account.transfer import bp as transfer_bp
    from .account.views import bp as account_bp
    from .assets import bp as assets_bp
    from .auth.recovery import bp as recovery_bp
    from .auth.views import bp as auth_bp
    from .errors import register_error_handlers
    from .health import bp as health_bp
    from .main import bp as main_bp
    from .tasks.bulk import bp as bulk_bp
    from .tasks.lists import bp as lists_bp
    from .tasks.quick import bp as quick_bp
    from .tasks.views import bp as tasks_bp

    for blueprint in (main_bp, auth_bp, account_bp, transfer_bp, tasks_bp, bulk_bp, health_bp, assets_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(lists_bp)
    app.register_blueprint(quick_bp)  # the add box's chips
    for blueprint in (recovery_bp, email_change_bp):  # mail-based account flows
        app.register_blueprint(blueprint)
    register_error_handlers(app)


def register_request_hooks(app: Flask) -> None:
    from . import assets
    from .security import apply_security_headers

    app.after_request(apply_security_headers)
    # Registered last, so it runs first: the headers above go on the
    # compressed response unchanged.
    assets.register(app)


def register_observability(app: Flask) -> None:
    from . import observability

    observability.register(app)


def register_commands(app: Flask) -> None:
    from .cli import users_cli

    app.cli.add_command(users_cli)
