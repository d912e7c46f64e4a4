"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # Say what is wrong and stop: a half-configured portal must not serve.
    print(error, file=sys.stderr)
    raise SystemExit(3) from None
