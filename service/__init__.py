"""wiretrace's web service: the JSON API and the editor's pages.

``create_app`` is the application factory; the WSGI servers, the CLI and the
tests all build the app through it.
"""

from __future__ import annotations

import redis
from flask import Flask

from workers.settings import Settings, get_settings


def create_app(settings: Settings | None = None, connection: redis.Redis | None = None) -> Flask:
    """Build the Flask app for ``settings`` (default: from the environment)."""
    from service import (
        api,
        auth,
        copies,
        editor,
        errors,
        exports,
        observability,
        openapi,
        timing,
        watches,
    )
    from workers.jobs.queue import ingest_queue
    from workers.store import Store
    from workers.store.connection import connect, with_socket_timeout

    settings = settings or get_settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    connection = connection or connect(settings)
    app.extensions["wiretrace"] = api.Services(
        settings=settings,
        store=Store(connection, settings),
        queue=ingest_queue(connection, settings),
        waiter=with_socket_timeout(
            connection, api.MAX_WAIT_SECONDS + settings.redis_socket_timeout
        ),
    )
    errors.register(app)
    app.url_value_preprocessor(api.canonical_path_ids)
    observability.register(app)  # before auth: 401s get a request id and a log line too
    timing.register(app)
    auth.register(app, settings)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(copies.blueprint)
    app.register_blueprint(watches.blueprint)
    app.register_blueprint(exports.blueprint)
    app.register_blueprint(openapi.blueprint)
    editor.register(app, settings)
    return app
