"""``wiretrace --help`` loads only click: every command imports its libraries when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "datasketch",
    "numpy",
    "numba",
    "flask",
    "redis",
    "rq",
    "pydantic",
    "trafilatura",
    "httpx",
)


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys, json; from click.testing import CliRunner; from workers.cli import cli;"
        "result = CliRunner().invoke(cli, ['--help']);"
        "assert result.exit_code == 0, result.output;"
        "print(json.dumps(sorted(m for m in sys.modules if '.' not in m)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    assert "Usage: " not in out.stderr
