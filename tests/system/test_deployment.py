"""docker-compose.yml, Dockerfile and .env.example, checked without a Docker engine:
the compose file against the Compose Specification's schema, every command it
runs against the package, every setting against its documentation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from jsonschema import Draft7Validator

from tests.helpers import ROOT, SHARED, missing, settings_env
from workers.cli import cli
from workers.settings import Settings

COMPOSE_SCHEMA = SHARED / "schemas" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_file_is_valid_compose(compose: dict[str, Any]) -> None:
    if not COMPOSE_SCHEMA.exists():
        missing(f"the Compose Specification schema is not at {COMPOSE_SCHEMA}")
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_redis_persists_on_a_named_volume_with_a_healthcheck(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    image, _, tag = redis["image"].partition(":")
    assert image == "redis" and int(tag.split("-")[0].split(".")[0]) >= 8
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command and "--appendfsync everysec" in command
    assert re.search(r"--save \"?\d+ \d+", command)
    assert "--maxmemory-policy noeviction" in command  # RQ's jobs must never be evicted
    volume, _, mount = redis["volumes"][0].partition(":")
    assert volume in compose["volumes"] and mount == "/data"
    assert "redis-cli" in redis["healthcheck"]["test"]


def test_app_services_share_one_image_and_settings_and_workers_scale(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in ("web", "worker", "crawler"):
        service = services[name]
        assert service["build"] == "." and service["image"] == "wiretrace:latest"
        assert service["env_file"] == [{"path": ".env", "required": False}]
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N


def wiretrace_command_problems(args: list[str]) -> list[str]:
    """What is wrong with a ``wiretrace ...`` command line, checked against the CLI."""
    name, *rest = args
    command = cli.commands.get(name)
    if command is None:
        return [f"no command {name!r}"]
    if isinstance(command, click.Group):
        return wiretrace_command_problems(rest)
    options = {opt for param in command.params for opt in param.opts}
    return [f"{name} has no option {a}" for a in rest if a.startswith("-") and a not in options]


def test_every_command_the_compose_file_runs_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        command = service.get("command")
        if name == "redis":
            continue
        program, *args = command
        assert (Path(sys.executable).parent / program).exists(), f"{name}: no {program} script"
        if program == "wiretrace":
            assert wiretrace_command_problems(args) == [], name
    crawler_outlets = compose["services"]["crawler"]["volumes"][0]
    default = re.search(r"\$\{OUTLETS_FILE:-([^}]+)\}", crawler_outlets)
    assert default and (ROOT / default.group(1)).is_file()


def test_gunicorn_loads_the_web_service_as_configured(
    compose: dict[str, Any], settings: Settings
) -> None:
    """gunicorn itself reads the config module and imports the app (no server)."""
    program, *args = compose["services"]["web"]["command"]
    checked = subprocess.run(
        [str(Path(sys.executable).parent / program), "--check-config", *args],
        env=settings_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_dockerfile_runs_the_web_command_as_a_non_root_user(compose: dict[str, Any]) -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    instructions = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    final_stage = max(i for i, parts in enumerate(instructions) if parts[0] == "FROM")
    users = [parts[1] for parts in instructions[final_stage:] if parts[0] == "USER"]
    assert users and users[-1] not in {"root", "0"}
    (cmd,) = [parts[1] for parts in instructions if parts[0] == "CMD"]
    assert json.loads(cmd) == compose["services"]["web"]["command"]


def env_name(field: str) -> str:
    return "REDIS_URL" if field == "redis_url" else f"WIRETRACE_{field.upper()}"


def documentation_of(field: str) -> str:
    """The lines .env.example should have for a setting: its meaning, its default."""
    info = Settings.model_fields[field]
    default = info.default if info.default_factory is None else info.default_factory()
    shown = json.dumps(default) if isinstance(default, dict | bool) else default
    shown = ",".join(shown) if isinstance(shown, list) else ("" if shown is None else shown)
    meaning = textwrap.wrap(info.description or "", 84)
    return "\n".join([*(f"# {line}" for line in meaning), f"# {env_name(field)}={shown}"])


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))
    missing = [f for f in Settings.model_fields if env_name(f) not in documented]
    assert not missing, "add to .env.example, after the setting before each:\n\n" + "\n".join(
        documentation_of(f) for f in missing
    )
    compose_only = {"WIRETRACE_PUBLISH", "OUTLETS_FILE"}
    stale = documented - {env_name(f) for f in Settings.model_fields} - compose_only
    assert not stale, f"no such settings, remove from .env.example: {sorted(stale)}"
