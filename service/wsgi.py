"""The WSGI application for production servers: ``gunicorn ... service.wsgi:app``.

Logs go to stderr as JSON lines; settings come from the environment.
"""

from __future__ import annotations

from service import create_app
from workers.logs import configure_logging
from workers.settings import get_settings

configure_logging(get_settings().log_level)
app = create_app()
