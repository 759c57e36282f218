"""Editors' sign-ins: sessions that sign-out can end, and the throttle on wrong tokens.

The session cookie holds only a random token; the store says whom it signs in,
so signing out (or the session's expiry) ends it for every copy of the cookie.
The store keeps the token's SHA-256, not the token: a copy of Redis signs
nobody in.
"""

from __future__ import annotations

import hashlib
import secrets

from workers.store.base import StoreBase
from workers.store.codec import as_str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class EditorSessions(StoreBase):
    def start_session(self, editor: str, seconds: int) -> str:
        """Sign ``editor`` in for ``seconds``; return the session's token."""
        token = secrets.token_urlsafe(32)
        self.client.set(self.keys.editor_session(_digest(token)), editor, ex=seconds)
        return token

    def session_editor(self, token: str) -> str | None:
        """Whom the session ``token`` signs in, or None once it is ended or expired."""
        editor = self.client.get(self.keys.editor_session(_digest(token)))
        return as_str(editor) if editor is not None else None

    def end_session(self, token: str) -> None:
        self.client.delete(self.keys.editor_session(_digest(token)))

    def count_signin_attempt(self, address: str, window_seconds: int) -> tuple[int, int]:
        """Count one sign-in from ``address``: the attempts in its window so far, this
        one included, and the seconds until the window ends.

        Counted before the token is checked, in one transaction, so that
        concurrent guesses cannot all pass a count read before any is added;
        :meth:`forget_signin_attempts` takes a right one back.
        """
        key = self.keys.signin_attempts(address)
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 0, ex=window_seconds, nx=True)  # the window starts at the first
        pipe.incr(key)
        pipe.ttl(key)
        _, attempts, ttl = pipe.execute()
        return int(attempts), max(1, int(ttl))

    def forget_signin_attempts(self, address: str) -> None:
        """A right token: the address's wrong ones no longer count against it."""
        self.client.delete(self.keys.signin_attempts(address))
