"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import sys

from webapp import create_app
from webapp.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"Docket cannot start: {error.format_message()}", file=sys.stderr)
    sys.exit(2)
