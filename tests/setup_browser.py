#!/usr/bin/env python3
"""Make sure this machine has what the browser tests drive: Debian's Chromium.

``python3 bootstrap.py browser`` runs this, once per machine (CI does, before
the tests). The browser tests use Playwright for Python with the system browser
at ``/usr/bin/chromium``, because Playwright's own browser download is not
possible (nor wanted) everywhere the suite runs. When the browser is missing,
this installs the ``chromium`` package with apt-get (as root). When it cannot,
it says why and how to fix it, and exits 1: the browser tests then skip with
the same explanation (or, under ``CI=true``, fail).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
APT_LISTS = Path("/var/lib/apt/lists")


def apt_lists_present() -> bool:
    """Whether ``apt-get update`` has ever filled the package lists."""
    return APT_LISTS.is_dir() and any(APT_LISTS.glob("*_Packages*"))


def why_not_installable() -> str | None:
    """The reason apt-get cannot install Chromium here, or None if it can try."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available (not a Debian/Ubuntu system)"
    if os.name != "posix" or os.geteuid() != 0:
        return "installing packages needs root"
    return None


def run_apt(*args: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"setup_browser: apt-get {' '.join(args)}", flush=True)
    return subprocess.run(["apt-get", *args], env=env, check=False).returncode == 0


def install_chromium() -> bool:
    """apt-get install chromium, updating the package lists first if needed."""
    if not apt_lists_present() and not run_apt("update"):
        return False
    if run_apt("install", "-y", "--no-install-recommends", "chromium"):
        return True
    # Stale lists are the usual cause of a failed install: refresh once and retry.
    return run_apt("update") and run_apt("install", "-y", "--no-install-recommends", "chromium")


def main() -> int:
    if CHROMIUM.exists():
        return 0
    reason = why_not_installable()
    if reason is None and install_chromium() and CHROMIUM.exists():
        print(f"setup_browser: installed {CHROMIUM}", flush=True)
        return 0
    print(
        f"setup_browser: {CHROMIUM} is missing and could not be installed"
        f" ({reason or 'apt-get install chromium failed; see the output above'}).\n"
        "  The browser tests (tests/system/editor/test_editor_browser.py) will be skipped\n"
        "  (failed under CI=true).\n"
        "  To run them, install Debian's Chromium as root: "
        "apt-get update && apt-get install -y chromium",
        file=sys.stderr,
        flush=True,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
