"""Who may write, who may read, and how often: API keys, rate limits, CORS.

Keys are random 256-bit tokens (``wiretrace keys new``); settings hold only their
SHA-256 hashes, so a leaked config file gives no write access. A fast hash is
enough because the keys are random, not chosen passwords: no dictionary to try,
and 2^256 guesses to make. The presented key is hashed and compared with every
configured hash by ``hmac.compare_digest``, without stopping at the first match,
so response time says nothing about how close a guess came.

Every request that is not a read (GET, HEAD, OPTIONS) needs a key: the rule sits
on the app, not on each view, so a new write endpoint cannot forget it. Reads
need one too when ``read_requires_key`` is set, except the probes and the API
description. The editor's browser pages are the one exception, named in
``SESSION_BLUEPRINTS``: they have a signed-in session of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import Flask, Response, g, request
from flask_cors import CORS

from service.errors import ApiError
from workers.settings import Settings
from workers.store import Store

KEY_PREFIX = "wt_"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Endpoints anyone may read whatever the settings: probes, the API's description,
# the editor pages' CSS and JavaScript.
# A watch's feed checks its own token or key (feed readers send no API key).
OPEN_ENDPOINTS = frozenset(
    {
        "api.healthz",
        "observability.readyz",
        "openapi.openapi_document",
        "static",
        "watches.watch_feed",
    }
)
# Blueprints that authenticate on their own: the editor's pages are used from a
# browser, which sends no API key; their writes need a signed-in editor's
# session plus a CSRF token, their reads follow WIRETRACE_EDITOR_PAGES_PUBLIC
# (service/editor/auth.py).
SESSION_BLUEPRINTS = frozenset({"editor", "editor_auth", "editor_forms"})


def new_key() -> str:
    """A fresh API key: 256 random bits, URL-safe."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The form a key is configured in: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_id(key_hash: str) -> str:
    """A short, non-secret name for a key (for rate limits and logs)."""
    return key_hash.removeprefix("sha256:")[:12]


def matching_hash(presented: str, configured: list[str]) -> str | None:
    """The configured hash ``presented`` matches, compared in constant time."""
    digest = hash_key(presented).encode("ascii")
    found = None
    for candidate in configured:
        if hmac.compare_digest(digest, candidate.encode("ascii")):
            found = candidate
    return found


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_seconds: int


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message).with_headers({"WWW-Authenticate": 'Bearer realm="wiretrace"'})


def authenticate(settings: Settings) -> str:
    """The hash of the request's valid key, or an :class:`ApiError` (401) saying why."""
    if not settings.api_key_hashes:
        raise unauthorized(
            "no API key is configured on this server: run `wiretrace keys new` and put the "
            "hash it prints in WIRETRACE_API_KEY_HASHES, then send "
            "`Authorization: Bearer <key>`"
        )
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        raise unauthorized("this request needs an API key: send `Authorization: Bearer <key>`")
    found = matching_hash(token, settings.api_key_hashes)
    if found is None:
        raise unauthorized("the API key is not valid")
    return found


def enforce_rate_limit(store: Store, key_hash: str, limit: RateLimit) -> None:
    """Count a write against the key's window; 429 once it is over the limit."""
    if limit.limit == 0:
        return
    used, reset_in = store.count_write(key_id(key_hash), limit.window_seconds)
    if used > limit.limit:
        raise ApiError(
            429,
            f"rate limit of {limit.limit} writes per {limit.window_seconds} s reached for this "
            f"key; retry in {reset_in} s",
        ).with_headers({"Retry-After": str(reset_in)})


def check_access() -> None:
    """The app-wide rule, run before every view (see the module docstring)."""
    from service.api import services

    svc = services()
    settings = svc.settings
    if request.blueprint in SESSION_BLUEPRINTS:
        return
    if request.method in READ_METHODS:
        if settings.read_requires_key and request.endpoint not in OPEN_ENDPOINTS:
            g.key_hash = authenticate(settings)
        return
    g.key_hash = authenticate(settings)
    enforce_rate_limit(
        svc.store,
        g.key_hash,
        RateLimit(settings.write_rate_limit, settings.rate_limit_window_seconds),
    )


def forbid_sniffing(response: Response) -> Response:
    """Browsers must take a JSON answer as JSON, never sniff it into a page:
    article text may hold ``<script>``."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(app: Flask, settings: Settings) -> None:
    """Install the access rule and, when origins are configured, CORS for them."""
    app.before_request(check_access)
    app.after_request(forbid_sniffing)
    if settings.cors_origins:
        CORS(
            app,
            origins=settings.cors_origins,
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
        )
