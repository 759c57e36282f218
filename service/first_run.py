"""The first run: a local API key and an editor sign-in token, made and printed once.

On the embedded default (no ``REDIS_URL``, bound to loopback) with no access
configured (no API key hashes, editor token or session secret), the first
``wiretrace serve`` makes an API key, an editor token and a secret to sign
editor sessions with. It keeps the key's and the token's hashes, and the
secret, in ``<data dir>/first-run.json`` (mode 0600), and prints key and token
once, as Jupyter prints its token, so that a newcomer gets to a first POST and
to the ``/check`` page without configuring anything or restarting. Later
starts read the file: the same key and token keep working, sessions survive
restarts (the secret persists), and the notice says they were made before.

Configured access, another Redis, or any bind address but loopback: nothing is
made or read. A server others can reach gets the keys its operator chose.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from service.auth import hash_key, new_key
from workers.settings import API_KEY_HASH_PATTERN, Settings

FILE_NAME = "first-run.json"
# The secret signs session cookies: as long as Settings.secret_key asks for.
SECRET_BYTES = 32


@dataclass(frozen=True)
class LocalAccess:
    """What the first run keeps: two hashes and the session secret."""

    api_key_hash: str
    editor_token_hash: str
    secret_key: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "api_key_hash": self.api_key_hash,
                "editor_token_hash": self.editor_token_hash,
                "secret_key": self.secret_key,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> LocalAccess:
        """The record in ``text``, or ValueError saying what is wrong with it."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        access = cls(
            api_key_hash=str(data.get("api_key_hash", "")),
            editor_token_hash=str(data.get("editor_token_hash", "")),
            secret_key=str(data.get("secret_key", "")),
        )
        for name in ("api_key_hash", "editor_token_hash"):
            if not API_KEY_HASH_PATTERN.fullmatch(getattr(access, name)):
                raise ValueError(f"{name} is not a sha256:<hex> hash")
        if len(access.secret_key) < 32:
            raise ValueError("secret_key is missing or too short")
        return access


@dataclass(frozen=True)
class Made:
    """A new record and the key and token it holds the hashes of (shown once)."""

    access: LocalAccess
    api_key: str
    editor_token: str


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    bare = host.strip().strip("[]")
    if bare.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def access_configured(settings: Settings) -> bool:
    """Whether the operator set any of the access settings."""
    return bool(
        settings.api_key_hashes
        or settings.editor_sign_in_configured
        or settings.secret_key is not None
    )


def make(path: Path) -> Made | None:
    """Make a key, a token and a secret and record them at ``path``.

    None if ``path`` exists already (another process made it first). The file
    is written whole under a temporary name, 0600 from the start, then linked
    into place, which fails rather than replaces: two first starts at once
    cannot both print a key.
    """
    api_key, editor_token = new_key(), secrets.token_urlsafe(18)
    access = LocalAccess(
        api_key_hash=hash_key(api_key),
        editor_token_hash=hash_key(editor_token),
        secret_key=secrets.token_hex(SECRET_BYTES),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(access.to_json() + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return None
    finally:
        temporary.unlink(missing_ok=True)
    return Made(access, api_key, editor_token)


def with_access(settings: Settings, access: LocalAccess) -> Settings:
    """``settings`` accepting the first run's key and token."""
    return settings.model_copy(
        update={
            "api_key_hashes": [access.api_key_hash],
            "editor_token_hash": access.editor_token_hash,
            "secret_key": SecretStr(access.secret_key),
        }
    )


def made_notice(made: Made, path: Path, url: str) -> str:
    return f"""
    ------------------------------------------------------------------------
    First start: wiretrace made an API key and an editor sign-in token.
    They are shown this once only; {path} keeps just their hashes.

    API key, for writes (Authorization: Bearer <key>):

        export WIRETRACE_KEY={made.api_key}

    Editor sign-in token, for {url}/signin?next=/check :

        {made.editor_token}

    Lost them? Stop wiretrace, delete {path} and start it again.
    ------------------------------------------------------------------------
"""


def kept_notice(path: Path, url: str) -> str:
    return (
        f"API key and editor sign-in token: the ones made on the first start "
        f"(hashes in {path}; sign in at {url}/signin). They are not shown again: "
        f"for new ones stop wiretrace, delete {path} and start it again, or configure "
        f"your own (`wiretrace keys new`, WIRETRACE_API_KEY_HASHES)."
    )


def prepare(settings: Settings, host: str, port: int) -> tuple[Settings, str]:
    """The settings ``wiretrace serve`` runs with, and what to print about access.

    Makes the first run's key and token (or reads them) where that applies;
    otherwise ``settings`` unchanged, with a word on why nothing was made when
    no access is configured either.
    """
    if access_configured(settings):
        return settings, ""
    reasons = []
    if settings.redis_url is not None or settings.store_redis_url is not None:
        reasons.append("REDIS_URL is set")
    if not is_loopback(host):
        reasons.append(f"it binds {host}, not loopback")
    if reasons:
        return settings, (
            f"No API key or editor token was made ({' and '.join(reasons)}): writes are "
            "refused and review is off until you configure them (`wiretrace keys new` "
            "prints a key and the hash for WIRETRACE_API_KEY_HASHES)."
        )
    path = settings.data_dir / FILE_NAME
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    if not path.exists():
        made = make(path)
        if made is not None:
            return with_access(settings, made.access), made_notice(made, path, url)
    try:
        access = LocalAccess.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return settings, (
            f"Could not read {path} ({exc}): no API key or editor token is in use. "
            "Delete the file and start wiretrace again to make new ones."
        )
    return with_access(settings, access), kept_notice(path, url)
