"""How a command stops on a signal."""

from __future__ import annotations


def interrupt(signum: int, frame: object) -> None:
    """A signal handler that unwinds the command as Ctrl-C does, so that what it
    started (a scratch Redis, workers) is stopped and its temporary files removed."""
    raise KeyboardInterrupt
