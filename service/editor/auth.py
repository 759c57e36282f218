"""Editors sign in with the configured token; a signed session cookie keeps them in.

There is no default secret: without ``WIRETRACE_EDITOR_TOKEN`` (and the
``WIRETRACE_SECRET_KEY`` that signs sessions) nobody can sign in, review is
off, and the pages say how to turn it on. Forms that change something carry a
per-session CSRF token, since the session cookie would otherwise let another
site post them on an editor's behalf; the sign-in form too, so that another
site cannot sign a browser in as someone else.

The cookie holds a random session token, and the store says whom it signs in
(:mod:`workers.store.sessions`): signing out ends the session for every copy of
the cookie, and it expires after ``editor_session_seconds``. Wrong tokens are
throttled per client address (``editor_signin_attempts`` per
``editor_signin_window_seconds``); behind a proxy that is the proxy's address,
so there the throttle holds for everyone at once.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from urllib.parse import quote

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from service.api import services
from service.auth import hash_key, matching_hash
from workers.models import clean_line

blueprint = Blueprint("editor_auth", __name__)

SESSION = "session"
CSRF = "csrf"
# What a path may keep as it is in a redirect; anything else (spaces, non-ASCII)
# is percent-encoded.
_PATH_CHARACTERS = "/?#&=:@!$'()*+,;~-._%"
HOW_TO_ENABLE = (
    "Review is off. To turn it on, set WIRETRACE_EDITOR_TOKEN (the secret editors sign in "
    "with, 12 characters or more) and WIRETRACE_SECRET_KEY (32 characters or more, signs "
    "the session cookie), then restart the service."
)


class PageError(Exception):
    """A page that cannot be shown, with the status and what was wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def review_enabled() -> bool:
    return services().settings.review_enabled


def signed_in_editor() -> str | None:
    """The signed-in editor's name, or None (looked up once a request)."""
    if not review_enabled():
        return None
    if "editor" not in g:
        token = session.get(SESSION)
        g.editor = services().store.session_editor(token) if isinstance(token, str) else None
    name: str | None = g.editor
    return name


def token_matches(given: str | None) -> bool:
    """Whether ``given`` is the editor token, configured as itself or as its hash.

    Hashes are compared, in constant time, so the check is the same for a token
    the server holds only the hash of (the one a first start made).
    """
    settings = services().settings
    accepted = [settings.editor_token_hash] if settings.editor_token_hash else []
    if settings.editor_token is not None:
        accepted.append(hash_key(settings.editor_token.get_secret_value()))
    if not given:
        return False
    return matching_hash(given, accepted) is not None


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(24)
    token: str = session[CSRF]
    return token


def check_csrf(given: str | None) -> None:
    expected = session.get(CSRF)
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        raise PageError(400, "the form has expired or did not come from this site; reload the page")


def require_editor() -> str:
    """The signed-in editor posting a valid form, or a PageError saying what is missing."""
    if not review_enabled():
        raise PageError(403, HOW_TO_ENABLE)
    editor = signed_in_editor()
    if editor is None:
        raise PageError(401, "sign in as an editor first")
    check_csrf(request.form.get(CSRF))
    return editor


def safe_next(target: str | None) -> str:
    """Where to go after signing in or reviewing: a path on this site, never
    another site. Browsers drop tabs and line breaks from a URL and read '\\' as
    '/', so a target holding any of them, or any other control character, is
    refused rather than cleaned: ``/\\t/evil.example`` would become ``//evil.example``."""
    home = url_for("editor.near_duplicates")
    if not target or any(c == "\\" or unicodedata.category(c) == "Cc" for c in target):
        return home
    path = quote(target, safe=_PATH_CHARACTERS)
    return path if path.startswith("/") and not path.startswith("//") else home


def signin_page(
    target: str, error: str | None, status: int, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    page = render_template("editor/signin.html", next=target, error=error)
    return page, status, headers or {}


@blueprint.route("/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    target = safe_next(request.values.get("next"))
    if not review_enabled():
        return signin_page(target, HOW_TO_ENABLE, 403)
    if request.method == "GET":
        return signin_page(target, None, 200)
    check_csrf(request.form.get(CSRF))
    settings = services().settings
    store = services().store
    address = request.remote_addr or "unknown"
    attempts, retry_in = store.count_signin_attempt(address, settings.editor_signin_window_seconds)
    if attempts > settings.editor_signin_attempts:
        message = f"too many wrong tokens from this address; try again in {retry_in} s"
        return signin_page(target, message, 429, {"Retry-After": str(retry_in)})
    if not token_matches(request.form.get("token")):
        return signin_page(target, "wrong token", 401)
    store.forget_signin_attempts(address)
    name = (clean_line(request.form.get("name")) or "")[:100] or "editor"
    old = session.get(SESSION)
    if isinstance(old, str):
        store.end_session(old)
    session.clear()
    session.permanent = True  # the cookie expires with the session
    session[SESSION] = store.start_session(name, settings.editor_session_seconds)
    session[CSRF] = secrets.token_urlsafe(24)
    return redirect(target, 303)


@blueprint.post("/signout")
def signout() -> ResponseReturnValue:
    check_csrf(request.form.get(CSRF))
    token = session.get(SESSION)
    if isinstance(token, str):
        services().store.end_session(token)
    session.clear()
    return redirect(url_for("editor.near_duplicates"), 303)
