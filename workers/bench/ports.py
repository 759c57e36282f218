"""Free loopback ports for the servers a benchmark or a test starts."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback TCP port nothing listens on (as the probe closes)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
