"""`tst check` as a process against the Slack and Discord fakes: one ✓ or ✗ line per check,
with what to do, and exit 0 only when every check passed."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

from fakes.discord_gateway import GUILD_ID, FakeDiscord
from fakes.slack_api import FakeSlack


async def check(tmp_path: Path, toml: str) -> tuple[int, list[str]]:
    (tmp_path / "c.toml").write_text(toml)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "check", "--config", "c.toml",
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode().splitlines()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def slack_toml(fake: FakeSlack, token: str = "xoxb-test", port: int = 0) -> str:
    return (
        f'[slack]\nbot_token = "{token}"\nsigning_secret = "s"\nport = {port}\n'
        f'api_base_url = "{fake.base_url}"\n'
    )


async def test_a_slack_install_that_works_passes_every_check(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    try:
        code, lines = await check(tmp_path, slack_toml(fake))
    finally:
        await fake.stop()
    assert code == 0, lines
    assert [line[0] for line in lines] == ["✓"] * len(lines)
    assert any("Slack token" in line and "T1" in line for line in lines)
    assert any("Slack scopes" in line for line in lines)
    assert not (tmp_path / "tst.db").exists()  # a check creates nothing


async def test_missing_scopes_refused_token_and_busy_port_are_each_a_cross(
    tmp_path: Path,
) -> None:
    fake = await FakeSlack().start()
    fake.missing_scopes.add("users:read")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        code, lines = await check(tmp_path, slack_toml(fake, port=port))
        refused_code, refused = await check(tmp_path, slack_toml(fake, token="xoxb-wrong"))
    finally:
        busy.close()
        await fake.stop()
    assert code == 1
    assert any(line.startswith("✗ Slack scopes: missing users:read") for line in lines), lines
    assert any(line.startswith(f"✗ Slack HTTP port 127.0.0.1:{port}") for line in lines)
    assert refused_code == 1
    assert any(line.startswith("✗ Slack token") and "copy" in line for line in refused)


def discord_toml(fake: FakeDiscord, token: str) -> str:
    return (
        f'[discord]\ntoken = "{token}"\nguild_ids = [{GUILD_ID}, 42]\n'
        f'api_base_url = "{fake.api_base}"\n[http]\nport = {free_port()}\n'
    )


async def test_discord_login_commands_and_permissions_per_guild(tmp_path: Path) -> None:
    fake = await FakeDiscord().start()
    try:
        code, lines = await check(tmp_path, discord_toml(fake, fake.token))
        fake.bot_role_permissions &= ~(1 << 34)  # Manage Threads taken away
        lacking_code, lacking = await check(tmp_path, discord_toml(fake, fake.token))
        bad_code, bad = await check(tmp_path, discord_toml(fake, "not-the-token"))
    finally:
        await fake.stop()
    assert code == 1  # guild 42 does not have the bot
    assert any(line.startswith("✓ Discord login") for line in lines), lines
    assert any(line == f"✓ Discord permissions in guild {GUILD_ID}: all it needs" for line in lines)
    assert any(line.startswith("✗ Discord permissions in guild 42") for line in lines)
    assert any("Manage Threads" in line and line.startswith("✗") for line in lacking)
    assert lacking_code == 1
    assert bad_code == 1 and any(
        line.startswith("✗ Discord login: the token is refused") for line in bad
    )
