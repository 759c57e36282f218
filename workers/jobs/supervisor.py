"""Keeping the processes `wiretrace serve` starts (its ingest workers, its
crawler) running: a child that dies is reaped, logged and started again.

Each child runs in a process group of its own, so that what it started goes
with it: an RQ worker forks its scheduler (and, with ``worker_fork``, a work
horse per job), and a worker killed outright leaves them running as orphans,
the scheduler still holding the queue's scheduler lock. When a child dies its
whole group is killed before it is started again.

Restarts back off: a child that dies again soon after a restart (Redis down,
the index built with other settings) waits twice as long each time, up to
``max_backoff`` seconds; one that ran for ``stable_seconds`` starts again
after ``min_backoff``. A restarted worker hands the jobs of the one that died
back to the queue as it starts (:func:`workers.jobs.worker.recover_abandoned`),
so the job a worker died on runs again within seconds, not when RQ's record of
it lapses.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger("wiretrace.supervisor")


@dataclass
class Child:
    """One supervised process: what runs it, and its restart history."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = 0.0  # wait before the next restart; 0: not dead
    restart_at: float | None = None


def has_exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether ``process`` has exited, leaving it unreaped: while its corpse
    remains, its pid (the id of its process group) cannot be handed out again,
    so the group can still be killed safely."""
    if process.returncode is not None:
        return True
    return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def bury(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL what is left of the exited ``process``'s group (its orphans), then reap it."""
    with contextlib.suppress(ProcessLookupError):  # nothing left of the group
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Supervisor:
    """Runs ``commands`` (name -> argv) as children and restarts those that die."""

    def __init__(
        self,
        commands: Mapping[str, list[str]],
        env: Mapping[str, str],
        *,
        poll_seconds: float = 0.5,
        min_backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_seconds: float = 60.0,
    ) -> None:
        self.children = [Child(name, list(argv)) for name, argv in commands.items()]
        self.env = dict(env)
        self.poll_seconds = poll_seconds
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.stable_seconds = stable_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self) -> Supervisor:
        for child in self.children:
            self._spawn(child)
        self._thread.start()
        return self

    def _spawn(self, child: Child) -> None:
        # process_group=0: a group of its own, so that its orphans can be killed with it.
        child.process = subprocess.Popen(child.command, env=self.env, process_group=0)
        child.started_at = time.monotonic()
        child.restart_at = None

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_seconds):
            self.check()

    def check(self) -> None:
        """Reap the children that died, and start again those whose wait is over."""
        now = time.monotonic()
        for child in self.children:
            process = child.process
            if process is not None and has_exited(process):
                self._died(child, process, now)
            if child.restart_at is not None and now >= child.restart_at:
                if self._stopping.is_set():
                    return
                self._spawn(child)
                assert child.process is not None
                log.warning(
                    "supervised process restarted",
                    extra={"fields": {"process": child.name, "pid": child.process.pid}},
                )

    def _died(self, child: Child, process: subprocess.Popen[bytes], now: float) -> None:
        """Bury ``child``'s ``process``, which exited, and plan its restart."""
        bury(process)
        lived = now - child.started_at
        if lived >= self.stable_seconds or not child.backoff:
            child.backoff = self.min_backoff
        else:  # died again soon after its restart: wait longer before the next one
            child.backoff = min(self.max_backoff, 2 * child.backoff)
        child.process = None
        child.restart_at = now + child.backoff
        log.warning(
            "supervised process died",
            extra={
                "fields": {
                    "process": child.name,
                    "pid": process.pid,
                    "returncode": process.returncode,
                    "lived_seconds": round(lived, 1),
                    "restart_in_seconds": child.backoff,
                }
            },
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Stop restarting, then SIGTERM every child (an RQ worker finishes its
        job first) and wait up to ``timeout`` seconds for all of them; whatever
        is left then, and every child's orphans, are killed."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        running = [c.process for c in self.children if c.process is not None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(has_exited(p) for p in running):
            time.sleep(0.1)
        for process in running:
            if not has_exited(process):
                log.warning(
                    "supervised process did not stop in time; killed",
                    extra={"fields": {"pid": process.pid}},
                )
            bury(process)
