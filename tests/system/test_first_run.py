"""The first run: ``python3 bootstrap.py serve`` on the embedded default makes a local API
key and an editor sign-in token, prints them once, and takes them at once (a first POST,
the /check page) and after a restart; with keys configured, or bound beyond loopback,
nothing is made."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from service.auth import hash_key, new_key
from service.first_run import FILE_NAME
from tests.helpers import ROOT, free_port, wait_for

ARTICLE = {
    "id": "first-post",
    "outlet": "Coast News",
    "text": "Portugal's harbour pilots walked off the job on Monday, leaving dozens of "
    "container ships anchored off the coast while talks over night-shift pay broke down.",
}


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def clean_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no wiretrace settings, no REDIS_URL."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WIRETRACE_") and key != "REDIS_URL"
    }
    return {**env, "WIRETRACE_PORT": str(port), "WIRETRACE_DATA_DIR": str(data_dir), **extra}


@contextmanager
def serving(command: list[str], env: dict[str, str], output: Path) -> Iterator[str]:
    """``command`` (a ``serve``) running until /readyz answers, its stdout to ``output``;
    stopped with SIGTERM, as a supervisor stops it, afterwards. Yields its base URL."""
    base = f"http://127.0.0.1:{env['WIRETRACE_PORT']}"
    with output.open("w") as out:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(lambda: answers(f"{base}/readyz") or process.poll() is not None, 90, "serve")
            assert process.poll() is None, output.read_text()
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                raise


class FormFields(HTMLParser):
    """The named inputs of a page's forms (hidden fields such as a CSRF token)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("type") == "hidden":
            self.fields[found["name"] or ""] = found.get("value") or ""


def hidden_fields(page: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page)
    return parser.fields


def sign_in(session: requests.Session, base: str, token: str) -> requests.Response:
    """Sign in as a browser does: the sign-in page's own hidden fields, then the token."""
    page = session.get(f"{base}/signin?next=/check", timeout=10)
    assert page.status_code == 200, page.text
    fields = {**hidden_fields(page.text), "name": "Newcomer", "token": token, "next": "/check"}
    return session.post(f"{base}/signin", data=fields, allow_redirects=False, timeout=10)


@pytest.mark.skipif(
    not (ROOT / ".venv" / ".wiretrace-installed").exists(),
    reason="needs the .venv that bootstrap.py makes (python3 bootstrap.py test)",
)
def test_first_start_prints_a_key_and_a_token_that_work_at_once_and_after_a_restart(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path / "data", free_port())
    command = [sys.executable, str(ROOT / "bootstrap.py"), "serve"]
    first = tmp_path / "first.txt"
    with serving(command, env, first) as base:
        printed = first.read_text()
        key_line = re.search(r"^\s*export WIRETRACE_KEY=(wt_\S+)$", printed, re.M)
        token_line = re.search(r"/signin\?next=/check :\n\n\s+(\S+)\n", printed)
        assert key_line and token_line, printed
        key, token = key_line.group(1), token_line.group(1)

        # Only hashes and the session secret are kept, readable by the owner alone.
        kept = tmp_path / "data" / FILE_NAME
        assert kept.stat().st_mode & 0o777 == 0o600
        assert key not in kept.read_text() and token not in kept.read_text()
        assert hash_key(key) in kept.read_text() and hash_key(token) in kept.read_text()

        # A first POST with the printed key: its origins at once.
        posted = requests.post(
            f"{base}/api/articles?wait=20",
            json=ARTICLE,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert posted.status_code == 200, posted.text
        assert posted.json()["id"] == "first-post" and "sources" in posted.json()
        other = requests.post(
            f"{base}/api/articles",
            json=ARTICLE,
            headers={"Authorization": f"Bearer {new_key()}"},
            timeout=30,
        )
        assert other.status_code == 401

        # The printed token signs in to /check, which then takes an article.
        editor = requests.Session()
        assert sign_in(requests.Session(), base, "not-the-token").status_code == 401
        signed = sign_in(editor, base, token)
        assert signed.status_code == 303 and signed.headers["Location"] == "/check"
        check = editor.get(f"{base}/check", timeout=10)
        assert "Newcomer" in check.text
        pasted = editor.post(
            f"{base}/check",
            data={**hidden_fields(check.text), "id": "pasted-first", "text": ARTICLE["text"]},
            allow_redirects=False,
            timeout=30,
        )
        assert pasted.status_code in (202, 303), pasted.text

    # A restart: nothing new is made or shown; the same key, token and session work.
    second = tmp_path / "second.txt"
    with serving(command, env, second) as base:
        printed = second.read_text()
        assert "made on the first start" in printed and key not in printed
        assert "WIRETRACE_KEY=" not in printed and token not in printed
        again = requests.post(
            f"{base}/api/articles?wait=20",
            json={**ARTICLE, "id": "second-post"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert again.status_code == 200, again.text
        assert "first-post" in {s["id"] for s in again.json()["sources"]}
        assert "Newcomer" in editor.get(f"{base}/check", timeout=10).text  # the old session
        assert sign_in(requests.Session(), base, token).status_code == 303


@pytest.mark.parametrize("setup", ["keys configured", "bound beyond loopback"])
def test_nothing_is_made_with_keys_configured_or_beyond_loopback(
    tmp_path: Path, setup: str
) -> None:
    port = free_port()
    data = tmp_path / "data"
    command = [sys.executable, "-m", "workers.cli", "serve"]
    if setup == "keys configured":
        key = new_key()
        env = clean_env(data, port, WIRETRACE_API_KEY_HASHES=hash_key(key))
    else:
        key = None
        env = clean_env(data, port)
        command += ["--host", "0.0.0.0"]
    output = tmp_path / "out.txt"
    with serving(command, env, output) as base:
        printed = output.read_text()
        assert "WIRETRACE_KEY=" not in printed and "made on the first start" not in printed
        assert not (data / FILE_NAME).exists()
        posted = requests.post(
            f"{base}/api/articles?wait=20",
            json=ARTICLE,
            headers={"Authorization": f"Bearer {key or new_key()}"},
            timeout=30,
        )
        if key is None:
            assert "binds 0.0.0.0, not loopback" in printed
            assert posted.status_code == 401
        else:
            assert posted.status_code == 200, posted.text
        assert requests.get(f"{base}/signin", timeout=10).status_code == 403  # review is off
