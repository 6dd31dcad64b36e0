"""The deployment files say what they must: the image runs `tst run` as an unprivileged user,
Compose starts it beside a healthy PostgreSQL it points at, the systemd unit is hardened, and
the example environments name real settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_files import (
    COMPOSE,
    COMPOSE_ENV,
    DOCKERFILE,
    ROOT,
    UNIT,
    UNIT_ENV,
    Instruction,
    compose,
    dockerfile_stages,
    dockerignored,
    env_example,
    environment_of,
    healthcheck_command,
    image_command,
    interpolate,
    last,
    markdown_section,
    referenced_variables,
    systemd_unit,
)
from sqlalchemy.engine import make_url

from bot.config import ConfigError, load_settings

README = ROOT / "README.md"


def final_stage() -> list[Instruction]:
    return dockerfile_stages()[-1]


def test_the_image_runs_tst_run_as_the_readme_says_as_an_unprivileged_user() -> None:
    stage = final_stage()
    user = last(stage, "USER")
    assert user is not None, "the image runs as root"
    name = user.args.split(":")[0]
    assert name not in ("root", "0")
    created = [i for i in stage if i.keyword == "RUN" and "useradd" in i.args]
    assert created and name in created[0].args.split(), "the image's user is not created in it"
    keywords = [i.keyword for i in stage]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT"), "USER must come first"
    command = image_command(stage)
    assert command == ["tst", "run"]
    production = markdown_section(README.read_text("utf-8"), "Production")
    assert f"`{' '.join(command)}`" in production


def test_the_image_checks_its_health_on_healthz_with_what_it_has() -> None:
    stage = final_stage()
    check = healthcheck_command(stage)
    assert check[:2] == ["python", "-c"], "only the image's own Python, no curl or wget"
    assert "/healthz" in check[2] and "urllib" in check[2]
    base = stage[0].args
    assert base.startswith("python:3.1") and "slim" in base, base
    assert int(base.split(":")[1].split("-")[0].split(".")[1]) >= 11


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_secret() -> None:
    copied = [
        word
        for stage in dockerfile_stages()
        for i in stage
        if i.keyword == "COPY" and not i.args.startswith("--from")
        for word in i.args.split()[:-1]
    ]
    assert copied, "nothing copied into the image"
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not dockerignored(source), f"{source} is copied but left out of the context"
    for secret in (".env", "deploy/tst-bot.env", ".venv/bin/python", "tst.db"):
        assert dockerignored(secret), secret


def test_compose_starts_the_image_beside_a_healthy_postgresql_it_points_at() -> None:
    services = compose()["services"]
    bot, db = services["bot"], services["db"]
    context = bot["build"] if isinstance(bot["build"], str) else bot["build"]["context"]
    assert (COMPOSE.parent / context / "Dockerfile").resolve() == DOCKERFILE
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in db["healthcheck"]["test"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    named = compose()["volumes"]
    mounts = [str(v).split(":") for v in db["volumes"]]
    assert any(src in named and dst == "/var/lib/postgresql/data" for src, dst, *_ in mounts)

    db_env = environment_of(db)
    password = db_env["POSTGRES_PASSWORD"]
    assert referenced_variables(password) == {"POSTGRES_PASSWORD"}, "a secret written in"
    values = {"POSTGRES_PASSWORD": "s3cret"}
    url = make_url(interpolate(environment_of(bot)["TSTBOT_DATABASE__URL"], values))
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port) == ("db", 5432)
    assert url.username == db_env["POSTGRES_USER"] and url.database == db_env["POSTGRES_DB"]
    assert url.password == "s3cret"
    with pytest.raises(AssertionError, match="compose would stop"):
        interpolate(password, {})  # no password, no start
    assert bot["env_file"] == ".env"


def test_compose_checks_the_bot_as_the_image_does() -> None:
    bot = compose()["services"]["bot"]
    assert bot["healthcheck"]["test"] == ["CMD", *healthcheck_command(final_stage())]


def test_compose_reads_every_variable_it_needs_from_the_example_env() -> None:
    text = COMPOSE.read_text("utf-8")
    example = {line.key for line in env_example(COMPOSE_ENV) if not line.commented}
    assert referenced_variables(text) <= example


@pytest.mark.parametrize("path", [COMPOSE_ENV, UNIT_ENV], ids=lambda p: p.name)
def test_example_environments_name_real_settings(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each TSTBOT_ line, commented or not, is read by the bot as a valid setting: a typo in
    a key (TSTBOT_SLACK__TOKEN) or a value the bot refuses fails here, not at 3 a.m."""
    lines = [line for line in env_example(path) if line.key.startswith("TSTBOT_")]
    assert lines
    for line in lines:
        for key in [k for k in os.environ if k.startswith("TSTBOT_")]:
            monkeypatch.delenv(key)
        if line.key == "TSTBOT_CONFIG":  # a path, not a setting
            assert Path(line.value).is_absolute()
            continue
        monkeypatch.setenv(line.key, line.value)
        try:
            load_settings()
        except ConfigError as error:
            pytest.fail(f"{path.name}: {line.key}={line.value}: {error}")


UNIT_KEYS = {
    "Restart": "on-failure",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
}


def test_the_systemd_unit_runs_the_same_command_as_a_dedicated_user_hardened() -> None:
    service = systemd_unit()["Service"]
    assert service["User"] not in ("root", "0") and service["Group"] == service["User"]
    for key, value in UNIT_KEYS.items():
        assert service.get(key) == value, key
    assert service["EnvironmentFile"].startswith("/etc/")
    state = service["WorkingDirectory"]
    assert state in service["ReadWritePaths"].split()
    executable, *arguments = service["ExecStart"].split()
    assert Path(executable).is_absolute()
    assert [Path(executable).name, *arguments] == image_command(final_stage())
    assert systemd_unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit_without_a_warning(tmp_path: Path) -> None:
    """systemd's own reading of the unit: an unknown key or a bad value prints a warning
    (verify still exits 0 then, so the output must be empty). The executable is the one thing
    replaced, by this checkout's `tst`, since verify checks that it exists."""
    installed = shutil.which("tst") or str(Path(sys.executable).parent / "tst")
    assert Path(installed).exists()
    text = UNIT.read_text("utf-8")
    executable = systemd_unit()["Service"]["ExecStart"].split()[0]
    unit = tmp_path / UNIT.name
    unit.write_text(text.replace(executable, installed), "utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
