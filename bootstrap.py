#!/usr/bin/env python3
"""Set wiretrace up in ./.venv and run it.

    python3 bootstrap.py serve [args...]   the service, its workers and Redis
    python3 bootstrap.py test [args...]    the test suite (pytest arguments)
    python3 bootstrap.py lint              ruff check, ruff format --check, mypy
    python3 bootstrap.py browser           install Chromium for the browser tests (once)

Needs only Python 3.11+ and pip. The virtual environment is (re)installed when
pyproject.toml changes; everything after the subcommand goes to the command run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".wiretrace-installed"
# What `test` installs: the test tools, and the docs tools (a test builds the docs site).
TEST_EXTRAS = "test,docs"


def ensure_environment(extras: str) -> None:
    """Create the venv and install the project (with ``extras``) unless up to date.

    A test setup is a superset of a serve setup, so a stamp for the test setup serves both.
    """
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    test_stamp = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + TEST_EXTRAS.encode()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() in {wanted, test_stamp}:
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    target = f".[{extras}]" if extras else "."
    print(f"installing wiretrace ({target}) into .venv ...", flush=True)
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", target],
        cwd=ROOT,
        check=True,
    )
    # Compiled once here, into numba's cache, rather than by the first worker to start.
    print("compiling the engine's kernels ...", flush=True)
    subprocess.run(
        [str(BIN / "python"), "-c", "from workers.engine.kernels import warm_up; warm_up()"],
        cwd=ROOT,
        check=True,
    )
    STAMP.write_text(wanted)


def run(command: list[str]) -> int:
    """Run ``command`` in ROOT as this very process where the system allows it, so
    that a signal sent to ``bootstrap.py`` (SIGTERM from a supervisor, Ctrl-C)
    reaches the command itself: a child left behind by a killed bootstrap would
    serve on, with its workers and Redis."""
    if os.name == "nt":  # no exec that keeps the process: wait for a child instead
        return subprocess.call(command, cwd=ROOT)
    os.chdir(ROOT)
    os.execv(command[0], command)


LINTERS = (
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("mypy",),
)


def lint() -> int:
    """Every linter, each reported; non-zero if any complained."""
    failed = [
        " ".join(linter)
        for linter in LINTERS
        if subprocess.call([str(BIN / linter[0]), *linter[1:]], cwd=ROOT) != 0
    ]
    if failed:
        print(f"lint failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "lint", "browser"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "serve":
        ensure_environment("")
        return run([str(BIN / "wiretrace"), "serve", *rest])
    if command == "browser":
        return subprocess.call([sys.executable, str(ROOT / "tests" / "setup_browser.py")])
    ensure_environment(TEST_EXTRAS)
    if command == "lint":
        return lint()
    return run([str(BIN / "python"), "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
