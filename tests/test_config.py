"""Settings: TOML file, TSTBOT_* overrides, secrets hidden, one clear error naming a bad key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_the_example_configuration_is_valid() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.defaults.locale in ("fr", "en")


def test_environment_overrides_the_file_key_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[slack]\nsigning_secret = "from-file"\nport = 3100\n[defaults]\nlocale = "en"\n'
    )
    monkeypatch.setenv("TSTBOT_SLACK__SIGNING_SECRET", "from-env")
    monkeypatch.setenv("TSTBOT_DEFAULTS__K_ANONYMITY_MIN", "4")
    settings = load_settings(cfg)
    assert settings.slack is not None
    assert settings.slack.signing_secret is not None
    assert settings.slack.signing_secret.get_secret_value() == "from-env"
    assert settings.slack.port == 3100 and settings.defaults.locale == "en"
    assert settings.defaults.k_anonymity_min == 4
    assert "from-env" not in repr(settings) and "from-env" not in str(settings)


def test_a_bad_setting_names_its_key(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[defaults]\nk_anonymity_min = 1\n")
    with pytest.raises(ConfigError, match=r"defaults\.k_anonymity_min"):
        load_settings(cfg)
    cfg.write_text('[defaults]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match=r"defaults\.timezone"):
        load_settings(cfg)
    cfg.write_text("[nonsense]\nx = 1\n")
    with pytest.raises(ConfigError, match="nonsense"):
        load_settings(cfg)


def test_the_cli_exits_with_code_2_on_a_bad_setting(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[database]\nurl = 3\n")
    result = CliRunner().invoke(app, ["db", "upgrade", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "database.url" in result.output


@pytest.mark.parametrize("bad", ["-1", '"many"', "2000000"])
def test_a_bad_pull_mode_size_is_refused_with_its_key(tmp_path: Path, bad: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[defaults]\npull_above = {bad}\n")
    result = CliRunner().invoke(app, ["db", "upgrade", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "defaults.pull_above" in result.output


def test_the_pull_mode_size_reaches_the_engine(tmp_path: Path) -> None:
    from bot.app import policy_from

    cfg = tmp_path / "c.toml"
    cfg.write_text("[defaults]\npull_above = 40\n")
    assert policy_from(load_settings(cfg)).pull_above == 40
    assert policy_from(load_settings(EXAMPLE)).pull_above == 500
