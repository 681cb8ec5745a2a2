"""The docker-compose deployment is wired as the README describes.

No Docker engine runs where the suite runs, so docker-compose.yml, the Dockerfile and
.env.example are parsed and checked against each other, against the settings casemgr/config.py
reads and against the real `casemgr` console script. No database is needed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
CONFIG = ROOT / "casemgr" / "config.py"
CASEMGR = Path(sys.executable).parent / "casemgr"

APP_SERVICES = ("migrate", "web", "scheduler")

# `${NAME}`, `${NAME:-default}`, `${NAME:?error}`; `$${...}` is an escaped dollar, not a variable.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
# A setting read from the environment appears in config.py as a quoted string literal.
CONFIG_VARIABLE = re.compile(r"""["'](CASEMGR_[A-Z0-9_]+)["']""")
# `NAME=value`, or `# NAME=value` for a documented variable left at its default.
DOCUMENTED_VARIABLE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return compose["services"]  # type: ignore[no-any-return]


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def healthcheck_of(service: dict[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test", [])
    return test if isinstance(test, str) else " ".join(str(t) for t in test)


def condition_of(service: dict[str, Any], dependency: str) -> str | None:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):  # the short form means service_started
        return "service_started" if dependency in depends else None
    entry = depends.get(dependency)
    return None if entry is None else entry.get("condition", "service_started")


def documented_variables() -> set[str]:
    return set(DOCUMENTED_VARIABLE.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    if pending:
        logical.append(pending)
    out = []
    for text in logical:
        keyword, _, args = text.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def run_casemgr(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CASEMGR_INSTANCE_PATH": str(tmp_path / "instance"),
        "CASEMGR_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    return subprocess.run(
        [str(CASEMGR), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_compose_defines_the_four_services(services):
    assert {"db", "migrate", "web", "scheduler"} <= services.keys()


def test_db_is_postgres_with_a_pg_isready_healthcheck(services):
    db = services["db"]
    assert db["image"].split(":")[0].endswith("postgres")
    assert "pg_isready" in healthcheck_of(db)
    assert any(str(v).endswith("/var/lib/postgresql/data") for v in db.get("volumes", []))


def test_web_and_scheduler_run_the_image_migrate_runs(services):
    migrate = services["migrate"]
    assert migrate.get("image") or migrate.get("build")
    for name in ("web", "scheduler"):
        assert services[name].get("image") == migrate.get("image"), name
        assert services[name].get("build") == migrate.get("build"), name


def test_web_serves_the_app_factory_with_gunicorn(services):
    command = command_of(services["web"])
    assert command[0] == "gunicorn"
    assert "casemgr.app:create_app()" in command
    assert any(port.endswith(":8000") for port in services["web"].get("ports", []))


def test_scheduler_runs_casemgr_scheduler(services):
    assert command_of(services["scheduler"]) == ["casemgr", "scheduler"]


def test_migrate_runs_casemgr_setup(services):
    assert command_of(services["migrate"])[:2] == ["casemgr", "setup"]
    assert services["migrate"].get("restart", "no") == "no"


@pytest.mark.parametrize(
    ("service", "dependency", "condition"),
    [
        ("web", "migrate", "service_completed_successfully"),
        ("scheduler", "migrate", "service_completed_successfully"),
        ("migrate", "db", "service_healthy"),
    ],
)
def test_services_start_in_order(services, service, dependency, condition):
    assert condition_of(services[service], dependency) == condition


@pytest.mark.parametrize("name", ["db", "web", "scheduler"])
def test_every_long_running_service_has_a_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck") or {}
    assert not healthcheck.get("disable", False)
    assert healthcheck_of(services[name]).strip() not in ("", "NONE")


def test_web_healthcheck_requests_healthz_without_curl(services):
    test = healthcheck_of(services["web"])
    assert "http://127.0.0.1:8000/healthz" in test
    assert "urllib" in test


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_read_env_file_and_reach_the_db_service(services, name):
    service = services[name]
    env_file = service.get("env_file")
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file or [])
    url = (service.get("environment") or {}).get("CASEMGR_DATABASE_URL", "")
    assert url.startswith("postgresql://casemgr:") and "@db:5432/casemgr" in url


def test_every_compose_variable_is_documented_in_env_example():
    used = set(COMPOSE_VARIABLE.findall(COMPOSE.read_text(encoding="utf-8")))
    assert "POSTGRES_PASSWORD" in used  # the pattern really finds variables
    assert sorted(used - documented_variables()) == []


def test_every_setting_in_config_is_documented_in_env_example():
    read = set(CONFIG_VARIABLE.findall(CONFIG.read_text(encoding="utf-8")))
    assert {"CASEMGR_DATABASE_URL", "CASEMGR_SECRET_KEY", "CASEMGR_AUDIT_KEY"} <= read
    assert sorted(read - documented_variables()) == []


def test_env_example_leaves_every_secret_empty():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "CASEMGR_SECRET_KEY", "CASEMGR_AUDIT_KEY"):
        assert re.search(rf"^{name}=\s*$", text, re.MULTILINE), name


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    instructions = dockerfile_instructions()
    cmds = [args for keyword, args in instructions if keyword == "CMD"]
    assert cmds, "no CMD"
    cmd = json.loads(cmds[-1])
    assert cmd[0] == "gunicorn"
    assert "casemgr.app:create_app()" in cmd
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert ("EXPOSE", "8000") in instructions
    assert ("FROM", "python:3.11-slim") in instructions


def test_casemgr_help_lists_the_commands_compose_runs(tmp_path):
    result = run_casemgr("--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^  ([a-z][a-z-]*)\s", result.stdout.split("Commands:", 1)[-1], re.M)
    assert {"setup", "scheduler"} <= set(listed)


@pytest.mark.parametrize("name", ["migrate", "scheduler"])
def test_compose_casemgr_commands_parse(services, name, tmp_path):
    # Click rejects an unknown command or option before it handles --help, so this fails when
    # a command or flag named in docker-compose.yml does not exist.
    command = command_of(services[name])
    assert command[0] == "casemgr"
    result = run_casemgr(*command[1:], "--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
