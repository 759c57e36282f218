"""The docs site builds with no warning, and its generated parts cover the code.

``mkdocs build --strict`` fails on any warning: a broken link or anchor, a page
left out of the navigation, a generated part (docs/hooks.py) that cannot be
filled. The checks after it make sure the generated pages name everything the
code has, and that the README stays a front door.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from workers.cli import cli
from workers.settings import Settings

README_MAX_LINES = 200


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's notice about MkDocs 2.0
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        "mkdocs build --strict failed (the docs tools come with `python3 bootstrap.py test`, "
        f"or `pip install -e .[docs]`):\n{done.stdout}\n{done.stderr}"
    )
    return out


def page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def test_every_setting_is_on_the_configuration_page(site: Path) -> None:
    html = page(site, "configuration")
    for name, field in Settings.model_fields.items():
        env = "REDIS_URL" if name == "redis_url" else f"WIRETRACE_{name.upper()}"
        assert env in html, f"{env} ({name}) missing from docs/configuration.md"
        if field.description:
            assert field.description.split()[0] in html


def test_every_endpoint_is_on_the_api_page(site: Path) -> None:
    from service.openapi import build_document

    html = page(site, "api")
    document = build_document(Settings.model_construct())
    for path, item in document["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                assert f"{method.upper()} {path}" in html, f"{method.upper()} {path} missing"
    for schema in document["components"]["schemas"]:
        assert f'id="schema-{schema.lower()}"' in html, f"schema {schema} missing"
    assert (site / "openapi.json").is_file()


def test_every_command_is_on_the_cli_page(site: Path) -> None:
    html = page(site, "cli")
    for name, command in cli.commands.items():
        assert f'id="wiretrace-{name}"' in html, f"wiretrace {name} missing from the CLI page"
        for sub in getattr(command, "commands", {}):
            assert f'id="wiretrace-{name}-{sub}"' in html, f"wiretrace {name} {sub} missing"


def test_the_redis_key_layout_is_on_the_architecture_page(site: Path) -> None:
    html = page(site, "architecture")
    for key in ("wt:2:{ids}:seq", "wt:2:a:{n}", "wt:2:x:{g}:&lt;bucket&gt;", "wt:2:{crawl}:lease"):
        assert key in html, key


def test_the_readme_is_a_front_door() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES, "README.md: details go to docs/"
    assert "python3 bootstrap.py serve" in readme and "python3 bootstrap.py test" in readme
    for target in [part.split(")")[0] for part in readme.split("](docs/")[1:]]:
        assert (ROOT / "docs" / target.split("#")[0]).is_file(), f"README links docs/{target}"
