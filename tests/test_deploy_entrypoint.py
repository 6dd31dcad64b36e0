"""The image's command line, run as the container runs it: the package installed as the image
installs it (not editable), the environment of the Dockerfile and compose.yaml, `tst run`
from an empty working directory; /healthz answers 200, the image's HEALTHCHECK passes, and
SIGTERM (docker stop) ends it cleanly, after which the HEALTHCHECK fails."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from deploy_files import (
    ROOT,
    compose,
    dockerfile_stages,
    dockerignored,
    environment_of,
    healthcheck_command,
    image_command,
    image_env,
    interpolate,
)
from fakes.discord_gateway import TOKEN, FakeDiscord
from fakes.slack_api import FakeSlack, SlackDriver
from probe_client import healthz
from waiting import free_port, until

SECRET = "entrypoint-secret"
STOP_GRACE = 30.0  # compose.yaml's stop_grace_period, the unit's TimeoutStopSec


def build_context(into: Path) -> Path:
    """What the image's build stage copies (its COPY sources, less what .dockerignore leaves
    out), and nothing else: a stale build/ folder in the checkout cannot stand in for files
    the package forgot to declare."""
    for instruction in dockerfile_stages()[0]:
        if instruction.keyword != "COPY" or instruction.args.startswith("--from"):
            continue
        for source in instruction.args.split()[:-1]:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(
                    origin,
                    into / source,
                    ignore=lambda folder, names: [
                        n for n in names if dockerignored(str((Path(folder) / n).relative_to(ROOT)))
                    ],
                )
            else:
                shutil.copy2(origin, into / source)
    return into


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The package as the image's `pip install .` lays it out: a regular install from the
    build context (its dependencies come from the test environment), with its own `tst`."""
    context = build_context(tmp_path_factory.mktemp("context"))
    target = tmp_path_factory.mktemp("image") / "site"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--no-compile", "--target", str(target), str(context)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    yield target


def container_env(installed: Path, home: Path, database_url: str) -> dict[str, str]:
    """What the bot's process sees in the container: the Dockerfile's ENV and compose's
    `environment` for the bot service. Only the database URL (the test's own database) and
    PATH (the installed `tst` first, then this interpreter) differ from the real thing."""
    env = image_env(dockerfile_stages()[-1])
    env.pop("PATH")
    env.update(environment_of(compose()["services"]["bot"]))
    env = {k: interpolate(v, {"POSTGRES_PASSWORD": "unused"}) for k, v in env.items()}
    env["TSTBOT_DATABASE__URL"] = database_url
    env.update(
        PATH=os.pathsep.join(
            [str(installed / "bin"), str(Path(sys.executable).parent), "/usr/bin"]
        ),
        PYTHONPATH=str(installed),
        HOME=str(home),
        LANG="C.UTF-8",
    )
    return env


def run_healthcheck(env: dict[str, str], cwd: Path) -> int:
    check = healthcheck_command(dockerfile_stages()[-1])
    return subprocess.run(check, env=env, cwd=cwd, capture_output=True, timeout=30).returncode


async def answering(
    base: str, bot: asyncio.subprocess.Process, log: Path, timeout: float = 60.0
) -> tuple[int, dict[str, object]]:
    """/healthz once `tst run` serves it (it migrates first); a bot that exits fails the test
    at once, with the end of its log."""
    async with asyncio.timeout(timeout):
        while True:
            if bot.returncode is not None:
                pytest.fail(f"tst run exited with {bot.returncode}: {log_tail(log)}")
            try:
                return await healthz(base)
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)


def log_tail(log: Path) -> str:
    return log.read_text("utf-8", errors="replace")[-3000:]


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slack_fake() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    fake.add_user("UFAC", "Fac")
    yield fake
    await fake.stop()


async def started(
    command: list[str], env: dict[str, str], cwd: Path, log: Path
) -> asyncio.subprocess.Process:
    with log.open("wb") as sink:
        return await asyncio.create_subprocess_exec(
            *command, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT
        )


async def stopped_by_sigterm(bot: asyncio.subprocess.Process) -> int:
    if bot.returncode is not None:
        return bot.returncode
    bot.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(STOP_GRACE):
            return await bot.wait()
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()


def workdir(tmp_path: Path) -> tuple[Path, Path]:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    return work, home


def database_for(database_url: str) -> str:
    """SQLite: the image's default file, relative to its working directory (the volume)."""
    return "sqlite+aiosqlite:///tst.db" if database_url.startswith("sqlite") else database_url


def test_the_installed_package_renders_reports_from_its_own_templates(installed: Path) -> None:
    """The report's Jinja2 templates and style ship as package data: an image without them
    would fail at the first /tst report."""
    probe = (
        "from bot.reports.exports import _templates; "
        "print(_templates().get_template('report.html.j2').filename)"
    )
    env = {"PYTHONPATH": str(installed), "PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=installed.parent,  # not the checkout, whose bot/ would be found first
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(installed))
    assert (installed / "bot/reports/templates/report.css").is_file()


async def test_the_image_command_serves_discord_and_its_healthcheck_passes(
    installed: Path, discord_fake: FakeDiscord, database_url: str, tmp_path: Path
) -> None:
    work, home = workdir(tmp_path)
    env = container_env(installed, home, database_for(database_url))
    port = free_port()
    env.update(
        TSTBOT_HTTP__PORT=str(port),
        TSTBOT_DISCORD__TOKEN=TOKEN,
        TSTBOT_DISCORD__GUILD_IDS=f"[{discord_fake.guild_id}]",
        TSTBOT_DISCORD__API_BASE_URL=discord_fake.api_base,
        TSTBOT_DISCORD__GATEWAY_URL=discord_fake.ws_url,
    )
    where = await asyncio.to_thread(
        subprocess.run,
        ["python", "-c", "import bot; print(bot.__file__)"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(installed)), "this would test the checkout, not the build"
    log = tmp_path / "bot.log"
    bot = await started(image_command(dockerfile_stages()[-1]), env, work, log)
    base = f"http://127.0.0.1:{port}"
    try:
        status, body = await answering(base, bot, log)
        async with asyncio.timeout(30):  # the probes answer before the gateway is connected
            while body["platforms"] != {"discord": True}:
                await asyncio.sleep(0.1)
                status, body = await healthz(base)
        assert (status, body["database"]) == (200, True)
        assert await asyncio.to_thread(run_healthcheck, env, work) == 0
    finally:
        code = await stopped_by_sigterm(bot)
    assert code == 0, log_tail(log)
    assert await asyncio.to_thread(run_healthcheck, env, work) != 0  # nothing answers now
    if database_url.startswith("sqlite"):
        assert (work / "tst.db").exists()  # in the working directory, the image's volume


async def test_the_image_command_serves_slack_in_http_mode_and_checks_it_on_its_port(
    installed: Path, slack_fake: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    """In Slack's HTTP mode the probes share Slack's port: the HEALTHCHECK finds them there
    (nothing listens on the [http] port)."""
    work, home = workdir(tmp_path)
    env = container_env(installed, home, database_for(database_url))
    port, unused = free_port(), free_port()
    env.update(
        TSTBOT_HTTP__PORT=str(unused),
        TSTBOT_SLACK__BOT_TOKEN="xoxb-test",  # the token the fake knows,
        TSTBOT_SLACK__SIGNING_SECRET=SECRET,
        TSTBOT_SLACK__HOST="0.0.0.0",
        TSTBOT_SLACK__PORT=str(port),
        TSTBOT_SLACK__API_BASE_URL=slack_fake.base_url,
    )
    log = tmp_path / "bot.log"
    bot = await started(image_command(dockerfile_stages()[-1]), env, work, log)
    base = f"http://127.0.0.1:{port}"
    driver = SlackDriver(slack_fake, f"{base}/slack/events", SECRET)
    try:
        assert await answering(base, bot, log) == (
            200,
            {"status": "ok", "database": True, "platforms": {"slack": None}},
        )
        assert await asyncio.to_thread(run_healthcheck, env, work) == 0
        await driver.slash("start Équipe", "UFAC")
        await until(lambda: bool(slack_fake.messages_in("C1")), timeout=30)
    finally:
        await driver.close()
        code = await stopped_by_sigterm(bot)
    assert code == 0, log_tail(log)
    assert await asyncio.to_thread(run_healthcheck, env, work) != 0
