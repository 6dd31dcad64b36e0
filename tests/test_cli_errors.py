"""Every bad setting and every wrong command line ends in one line a person can act on: exit 2
naming the key and where it came from (file or TSTBOT_ variable) for settings, a non-zero exit
for the rest, never a traceback, and nothing created in the folder (no empty tst.db)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

SLACK_OK = '[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s"\n'

# (file content, environment, the key the message must name, where it must say it came from)
BAD_SETTINGS = [
    ("[slack]\nbot_token = 'xoxb-1'\n", {}, "slack.signing_secret", "c.toml"),
    ("[slack]\nsigning_secret = 's'\n", {}, "slack.bot_token", "TSTBOT_SLACK__BOT_TOKEN"),
    (SLACK_OK + "mode = 'socket'\n", {}, "slack.app_token", "c.toml"),
    ("[slack]\nmode = 'carrier-pigeon'\n", {}, "slack.mode", "file"),
    ("[discord]\nguild_ids = [1]\n", {}, "discord.token", "TSTBOT_DISCORD__TOKEN"),
    ("[discord]\ntoken = 't'\nguild_ids = 'abc'\n", {}, "discord.guild_ids", "file"),
    (SLACK_OK + "client_id = 'x'\n", {}, "slack.client_secret", "c.toml"),
    (SLACK_OK + "colour = 'blue'\n", {}, "slack.colour", "file"),
    (SLACK_OK + "[nonsense]\nx = 1\n", {}, "nonsense", "file"),
    (SLACK_OK + "[database]\nurl = 3\n", {}, "database.url", "file"),
    (SLACK_OK + "[database]\nurl = 'mysql://x/y'\n", {}, "database.url", "file"),
    (SLACK_OK + "[defaults]\nk_anonymity_min = 1\n", {}, "defaults.k_anonymity_min", "file"),
    (SLACK_OK + "[defaults]\ntimezone = 'Mars/Olympus'\n", {}, "defaults.timezone", "file"),
    (SLACK_OK + "[defaults]\nworking_days = 'funday'\n", {}, "defaults.working_days", "file"),
    (SLACK_OK + "[defaults]\nday_start = '25:00'\n", {}, "defaults.day_start", "file"),
    (SLACK_OK + "[delivery]\nbatch = -1\n", {}, "delivery.batch", "file"),
    (SLACK_OK + "[http]\nport = 70000\n", {}, "http.port", "file"),
    (SLACK_OK + "log_level = 'LOUD'\n", {}, "log_level", "file"),
    (SLACK_OK + "log_format = 'xml'\n", {}, "log_format", "file"),
    (SLACK_OK, {"TSTBOT_DELIVERY__BATCH": "abc"}, "delivery.batch", "TSTBOT_DELIVERY__BATCH"),
    (SLACK_OK, {"TSTBOT_HTTP__PORT": "-5"}, "http.port", "TSTBOT_HTTP__PORT"),
    (SLACK_OK, {"TSTBOT_SLACK__MODE": "carrier"}, "slack.mode", "TSTBOT_SLACK__MODE"),
    (SLACK_OK, {"TSTBOT_SLACK__PORT": "x"}, "slack.port", "TSTBOT_SLACK__PORT"),
    (
        SLACK_OK,
        {"TSTBOT_DISCORD__GUILD_IDS": "notalist"},
        "discord.guild_ids",
        "TSTBOT_DISCORD__GUILD_IDS",
    ),
    (
        SLACK_OK,
        {"TSTBOT_DEFAULTS__RETENTION_DAYS": "0"},
        "defaults.retention_days",
        "TSTBOT_DEFAULTS__RETENTION_DAYS",
    ),
    (SLACK_OK, {"TSTBOT_LOG_LEVEL": "verbose"}, "log_level", "TSTBOT_LOG_LEVEL"),
    ("[slack\nbot_token = 1\n", {}, "c.toml", "cannot read"),
    ("log_level = 'INFO'\n", {}, "no platform configured", "[slack]"),
]


def tst(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`tst` as a person runs it: the exit code and everything it printed."""
    with pytest.raises(SystemExit) as ended:
        main(args)
    out = capsys.readouterr()
    code = ended.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out.out + out.err


@pytest.fixture(autouse=True)
def clean_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TSTBOT_CONFIG", "TSTBOT_DATABASE__URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize(("toml", "env", "key", "source"), BAD_SETTINGS)
@pytest.mark.parametrize("command", [["run"], ["check"]])
def test_a_bad_setting_stops_before_anything_is_touched(
    toml: str,
    env: dict[str, str],
    key: str,
    source: str,
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "c.toml").write_text(toml)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, said = tst([*command, "--config", "c.toml"], capsys)
    assert code == 2
    assert key in said and source in said
    assert "Traceback" not in said
    assert len(said.strip().splitlines()) == 1, said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]  # no database created


def test_a_missing_config_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, said = tst(["list", "--config", "nowhere.toml"], capsys)
    assert code == 2 and "nowhere.toml" in said and "not found" in said


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "no-such-id"], "no database at tst.db"),
        (["list"], "no database at tst.db"),
        (["db", "purge", "--dry-run"], "no database at tst.db"),
        (["grouping", "solve", "missing.txt"], "missing.txt"),
    ],
)
def test_a_command_on_nothing_says_so_and_creates_nothing(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = tst(args, capsys)
    assert code != 0 and expected in said and "Traceback" not in said
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_intervention_points_to_tst_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tst(["db", "upgrade"], capsys)[0] == 0
    code, said = tst(["report", "no-such-id"], capsys)
    assert (
        code == 1
        and said.strip() == "error: no intervention no-such-id: tst list shows the interventions"
    )
    code, said = tst(["list"], capsys)
    assert code == 0 and "no open intervention" in said


def test_an_unreachable_database_is_one_line_and_debug_adds_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TSTBOT_DATABASE__URL", "postgresql+asyncpg://tst:pw@127.0.0.1:9/x")
    code, said = tst(["list"], capsys)
    assert code == 1 and "Traceback" not in said
    assert said.strip().startswith("error: database unreachable at postgresql+asyncpg://tst:***@")
    assert "pw" not in said  # the password is never printed
    code, said = tst(["list", "--debug"], capsys)
    assert code == 1 and "Traceback" in said and "ConnectionRefusedError" in said


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("4 2 ss 2 2 2 2\n0 1 nan\n", "not a finite distance"),
        ("4 2 ss 2 2 2 2\n0 1 inf\n", "not a finite distance"),
        ("4 2 ss 2 2 2 2\n0 9 1.0\n", "element 9"),
        ("4 2 ss 3 3 3 3\n0 1 1.0\n", "sizes"),
        ("four two\n", "header"),
        ("", "header"),
    ],
)
def test_a_bad_grouping_file_is_refused_in_one_line(
    body: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "inst.txt").write_text(body)
    code, said = tst(["grouping", "solve", "inst.txt", "--seconds", "0.1"], capsys)
    assert code == 1 and expected in said and "Traceback" not in said
    assert len(said.strip().splitlines()) == 1, said


def test_version_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert tst(["--version"], capsys) == (0, f"tst-bot {version('tst-bot')}\n")
