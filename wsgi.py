"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import sys

from webapp import create_app
from webapp.config import ConfigError
from webapp.tasks.quickadd import warm_up

try:
    app = create_app()
except ConfigError as error:
    print(f"Docket cannot start: {error.format_message()}", file=sys.stderr)
    sys.exit(2)

# Quick add reads dates with dateparser, which takes half a second to load:
# load it here, once in gunicorn's master (preload_app), not on a person's
# first key press in each worker.
warm_up()
