"""The WSGI entry point: `gunicorn wsgi:app`."""

from registry import create_app
from registry.core.secret_key import NOT_SET_UP

app = create_app()
if not app.secret_key:
    raise RuntimeError(NOT_SET_UP)
