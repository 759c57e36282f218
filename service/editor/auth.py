"""Editors sign in with the configured token; a signed session cookie keeps them in.

There is no default secret: without ``WIRETRACE_EDITOR_TOKEN`` (and the
``WIRETRACE_SECRET_KEY`` that signs sessions) nobody can sign in, review is
off, and the pages say how to turn it on. Forms that change something carry a
per-session CSRF token, since the session cookie would otherwise let another
site post them on an editor's behalf.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from service.api import services
from service.auth import hash_key, matching_hash

blueprint = Blueprint("editor_auth", __name__)

EDITOR = "editor"
CSRF = "csrf"
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
    """The signed-in editor's name, or None."""
    if not review_enabled():
        return None
    name = session.get(EDITOR)
    return name if isinstance(name, str) else None


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
    """Where to go after signing in: a path on this site, never another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("editor.near_duplicates")


@blueprint.route("/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    target = safe_next(request.values.get("next"))
    if not review_enabled():
        return render_template("editor/signin.html", next=target, error=HOW_TO_ENABLE), 403
    if request.method == "GET":
        return render_template("editor/signin.html", next=target, error=None)
    if not token_matches(request.form.get("token")):
        return render_template("editor/signin.html", next=target, error="wrong token"), 401
    name = (request.form.get("name") or "").strip()[:100] or "editor"
    session.clear()
    session[EDITOR] = name
    session[CSRF] = secrets.token_urlsafe(24)
    return redirect(target, 303)


@blueprint.post("/signout")
def signout() -> ResponseReturnValue:
    check_csrf(request.form.get(CSRF))
    session.clear()
    return redirect(url_for("editor.near_duplicates"), 303)
