"""The first run's rules, without a server: when it applies, what it keeps, what it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from service.auth import hash_key, matching_hash
from service.first_run import FILE_NAME, LocalAccess, is_loopback, make, prepare
from workers.settings import Settings


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("wiretrace.example", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_first_start_makes_access_once_and_later_starts_reuse_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first, notice = prepare(settings, "127.0.0.1", 8000)
    assert first.review_enabled and len(first.api_key_hashes) == 1
    key = notice.split("WIRETRACE_KEY=")[1].split()[0]
    assert matching_hash(key, first.api_key_hashes) is not None
    assert "http://127.0.0.1:8000/signin?next=/check" in notice

    second, again = prepare(settings, "localhost", 8000)
    assert "WIRETRACE_KEY=" not in again and "made on the first start" in again
    assert second.api_key_hashes == first.api_key_hashes
    assert second.editor_token_hash == first.editor_token_hash
    assert second.secret_key == first.secret_key  # sessions survive a restart
    assert make(tmp_path / FILE_NAME) is None  # never replaced


@pytest.mark.parametrize(
    ("changes", "host", "says"),
    [
        ({"api_key_hashes": [hash_key("k")]}, "127.0.0.1", None),
        ({"editor_token": SecretStr("t" * 16), "secret_key": SecretStr("s" * 32)}, "::1", None),
        ({"secret_key": SecretStr("s" * 32)}, "127.0.0.1", None),
        ({}, "0.0.0.0", "it binds 0.0.0.0, not loopback"),
        ({"redis_url": "redis://localhost:6379/0"}, "127.0.0.1", "REDIS_URL is set"),
    ],
)
def test_nothing_is_made_unless_on_the_local_default(
    tmp_path: Path, changes: dict[str, object], host: str, says: str | None
) -> None:
    settings = Settings(data_dir=tmp_path).model_copy(update=changes)
    kept, notice = prepare(settings, host, 8000)
    assert kept is settings
    assert not (tmp_path / FILE_NAME).exists()
    assert (says in notice) if says else notice == ""


def test_an_unreadable_record_is_reported_not_used(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text('{"api_key_hash": "wt_not_a_hash"}')
    settings = Settings(data_dir=tmp_path)
    kept, notice = prepare(settings, "127.0.0.1", 8000)
    assert kept is settings and "Could not read" in notice and "Delete the file" in notice
    with pytest.raises(ValueError, match="api_key_hash"):
        LocalAccess.from_json('{"api_key_hash": "x"}')


def test_a_token_hash_needs_a_session_key_and_turns_review_on() -> None:
    with pytest.raises(ValueError, match="needs WIRETRACE_SECRET_KEY"):
        Settings(editor_token_hash=hash_key("token"))
    with pytest.raises(ValueError, match="editor_token_hash"):
        Settings(editor_token_hash="token", secret_key=SecretStr("s" * 32))
    assert Settings(
        editor_token_hash=hash_key("token"), secret_key=SecretStr("s" * 32)
    ).review_enabled
