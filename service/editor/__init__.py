"""The editor's web pages, server-rendered: Jinja templates, plain CSS, a little
vanilla JavaScript, no build step.

:func:`register` adds them to the app the factory builds. Templates live in
``service/templates/editor/``, CSS and JavaScript in ``service/static/editor/``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue

from service.editor import auth, charts, pages, presenters, review
from service.editor import copies as _copies  # noqa: F401  (its routes join pages.blueprint)
from service.editor import network as _network  # noqa: F401  (likewise)
from workers.settings import Settings

# Article text must never run: besides escaping every piece of it, the pages
# forbid inline scripts, so markup that slipped through would stay inert.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure on an answer to an HTTPS
    request (as well as everywhere when ``secure_cookies`` is set): a cookie
    sent over HTTPS must never travel back over plain HTTP."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def when(value: float | datetime | None) -> str:
    """A time as the pages show it, in UTC."""
    if value is None:
        return "undated"
    if not isinstance(value, datetime):
        found = charts.moment(value)
        return found.strftime("%Y-%m-%d %H:%M UTC") if found else charts.OUT_OF_RANGE
    try:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except OverflowError:  # a stored date at the end of the calendar, in its own zone
        return value.isoformat(sep=" ", timespec="minutes")


def percent(value: float) -> str:
    return f"{value:.0%}"


def register(app: Flask, settings: Settings) -> None:
    """Add the editor's pages, its review endpoints and sign-in to ``app``."""
    if settings.secret_key is not None:
        app.secret_key = settings.secret_key.get_secret_value()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=settings.editor_session_seconds,
    )
    app.session_interface = SessionCookies()
    for blueprint in (pages.blueprint, auth.blueprint, review.form_blueprint, review.api_blueprint):
        app.register_blueprint(blueprint)
    app.add_template_filter(when)
    app.add_template_filter(percent)
    app.add_template_global(auth.signed_in_editor, "signed_in_editor")
    app.add_template_global(auth.csrf_token, "csrf_token")
    app.add_template_global(auth.review_enabled, "review_enabled")
    app.add_template_global(presenters.relation_words, "relation_words")
    app.add_template_global(presenters.heading, "heading")
    app.jinja_env.globals["how_to_enable_review"] = auth.HOW_TO_ENABLE

    @app.errorhandler(auth.PageError)
    def _page_error(exc: auth.PageError) -> ResponseReturnValue:
        return render_template("editor/error.html", status=exc.status, message=exc.message), (
            exc.status
        )

    @app.after_request
    def _protect_pages(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
