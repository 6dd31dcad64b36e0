"""Settings from a TOML file (`--config` or TSTBOT_CONFIG) overridden by TSTBOT_* variables."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Strict):
    url: str = "sqlite+aiosqlite:///tst.db"


class InterventionDefaults(Strict):
    locale: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    address_form: Literal["vous", "tu"] = "vous"
    k_anonymity_min: int = Field(3, ge=2, le=50)
    retention_days: int = Field(30, ge=1, le=3650)
    not_now_hours: int = Field(20, ge=1, le=168)
    group_size_min: int = Field(3, ge=2, le=12)
    group_size_max: int = Field(5, ge=2, le=12)
    day_start: time = time(8, 0)
    day_end: time = time(20, 0)
    working_days: str = "mon-fri"

    @field_validator("working_days")
    @classmethod
    def known_days(cls, value: str) -> str:
        from bot.flows.timing import parse_days

        try:
            if not parse_days(value):
                raise ValueError
        except ValueError:
            raise ValueError("use day names such as mon-fri or mon,wed,fri") from None
        return value

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value


class DeliverySettings(Strict):
    tick_seconds: float = Field(1.0, gt=0, le=60)
    lease_seconds: float = Field(60.0, ge=1)
    batch: int = Field(100, ge=1, le=10_000)
    max_attempts: int = Field(8, ge=1, le=100)
    grouping_seconds: float = Field(1.0, gt=0, le=120)
    concurrency: int = Field(16, ge=1, le=256)


class HttpSettings(Strict):
    """Where /healthz and /metrics listen when Slack does not serve HTTP (Socket Mode,
    Discord only); in Slack's HTTP mode they share Slack's host and port instead."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (tests)


class SlackSettings(Strict):
    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    mode: Literal["http", "socket"] = "http"
    host: str = "127.0.0.1"
    port: int = Field(3000, ge=0, le=65535)
    path: str = "/slack/events"
    api_base_url: str = "https://slack.com/api/"


class DiscordSettings(Strict):
    token: SecretStr | None = None
    guild_ids: list[int] = []
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = ""
    shard_count: int = Field(0, ge=0)
    shard_ids: list[int] = []
    # 0: sub-groups meet in private threads of the channel; a category id: in private
    # channels under that category (the bot then also needs Manage Channels and Manage Roles).
    subgroup_category_id: int = Field(0, ge=0)


class Settings(BaseSettings):
    """Every setting of the bot. Tokens are SecretStr: printed as stars, never logged."""

    model_config = SettingsConfigDict(
        env_prefix="TSTBOT_", env_nested_delimiter="__", extra="forbid"
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    database: DatabaseSettings = DatabaseSettings()
    defaults: InterventionDefaults = InterventionDefaults()
    delivery: DeliverySettings = DeliverySettings()
    http: HttpSettings = HttpSettings()
    slack: SlackSettings | None = None
    discord: DiscordSettings | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # First wins: explicit values, then the environment, then the TOML file (if any).
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


class ConfigError(Exception):
    """A bad setting: the message names the key. The CLI prints it and exits with code 2."""


def load_settings(path: str | Path | None = None) -> Settings:
    chosen = path or os.environ.get("TSTBOT_CONFIG")
    if chosen is not None and not Path(chosen).is_file():
        raise ConfigError(f"config file not found: {chosen}")
    # A subclass bound to the chosen file keeps the choice out of any global state.
    bound = type(
        "FileSettings",
        (Settings,),
        {
            "model_config": SettingsConfigDict(**{**Settings.model_config, "toml_file": chosen}),
        },
    )
    try:
        settings: Settings = bound()
        return settings
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {key}: {first['msg']}") from None
    except ValueError as error:  # a TOML syntax error
        raise ConfigError(f"cannot read {chosen}: {error}") from None
