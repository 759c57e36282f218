"""``python3 bootstrap.py serve`` started, then stopped as a supervisor (SIGTERM to it) or
a terminal (Ctrl-C: SIGINT to its whole process group, once or twice) stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import ROOT, alive, free_port, wait_for


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.mark.skipif(
    not (ROOT / ".venv" / ".wiretrace-installed").exists(),
    reason="needs the .venv that bootstrap.py makes (python3 bootstrap.py test)",
)
@pytest.mark.parametrize("stop", ["sigterm to bootstrap", "ctrl-c", "ctrl-c twice"])
def test_stopping_bootstrap_stops_the_server_its_workers_and_redis(
    tmp_path: Path, stop: str
) -> None:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WIRETRACE_") and key != "REDIS_URL"
    }
    env.update({"WIRETRACE_PORT": str(port), "WIRETRACE_DATA_DIR": str(tmp_path)})
    bootstrap = subprocess.Popen(
        [sys.executable, str(ROOT / "bootstrap.py"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal gives it
        # ... and Ctrl-C's default action, which a test run in the background may lack
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/readyz"), 90, "wiretrace serve")
        redis_pid = int((tmp_path / "redis.pid").read_text())

        if stop.startswith("ctrl-c"):
            os.killpg(bootstrap.pid, signal.SIGINT)
            if stop == "ctrl-c twice":  # impatient, while the workers are being stopped
                time.sleep(0.3)
                os.killpg(bootstrap.pid, signal.SIGINT)
        else:
            bootstrap.send_signal(signal.SIGTERM)
        assert bootstrap.wait(timeout=60) == 0
        assert not answers(f"http://127.0.0.1:{port}/readyz")
        wait_for(lambda: not alive(redis_pid), 30, "the embedded Redis to stop")
    finally:
        if bootstrap.poll() is None:
            os.killpg(bootstrap.pid, signal.SIGKILL)
