"""Settings from a TOML file (`--config` or TSTBOT_CONFIG) overridden by TSTBOT_* variables."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.exceptions import SettingsError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Strict):
    url: str = "sqlite+aiosqlite:///tst.db"

    @field_validator("url")
    @classmethod
    def supported(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            driver = make_url(value).drivername
        except ArgumentError:
            driver = ""
        if driver not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(
                "use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER:PASSWORD@HOST/DB"
            )
        return value


class InterventionDefaults(Strict):
    locale: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    address_form: Literal["vous", "tu"] = "vous"
    k_anonymity_min: int = Field(3, ge=2, le=50)
    retention_days: int = Field(30, ge=1, le=3650)
    not_now_hours: int = Field(20, ge=1, le=168)
    group_size_min: int = Field(3, ge=2, le=12)
    group_size_max: int = Field(5, ge=2, le=12)
    # Rounds for more people than this: one channel announcement, not a DM each (pull mode).
    pull_above: int = Field(500, ge=0, le=1_000_000)
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
    # First wait of a post to a channel that refused the bot, doubled at each attempt.
    hold_seconds: float = Field(60.0, gt=0, le=3600)


class HttpSettings(Strict):
    """Where /healthz and /metrics listen when Slack does not serve HTTP (Socket Mode,
    Discord only); in Slack's HTTP mode they share Slack's host and port instead."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (tests)


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


class WebSettings(Strict):
    """The facilitator's live page and each participant's data page (bot/web), served with
    /healthz. Off by default; when on, `/tst dashboard` and `/tst mydata` DM links that start
    with `public_url`, signed with `secret` (the same in every process of one deployment)."""

    enabled: bool = False
    # Plain http only for a loopback address (tests, a laptop): anywhere else the session
    # cookie is Secure and a browser would not send it back over http.
    public_url: str = Field("", validate_default=True)
    secret: SecretStr | None = Field(None, validate_default=True)
    link_minutes: int = Field(15, ge=1, le=60)
    session_minutes: int = Field(60, ge=5, le=24 * 60)

    @field_validator("public_url")
    @classmethod
    def link_base(cls, value: str, info: ValidationInfo) -> str:
        from urllib.parse import urlsplit

        if not value:
            if info.data.get("enabled"):
                raise ValueError("needed when web.enabled is true, e.g. https://tst.example.org")
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("use https://HOST[:PORT][/PATH]")
        if parts.query or parts.fragment:
            raise ValueError("no ?query or #fragment: links add their own path")
        if parts.scheme == "http" and parts.netloc.rsplit(":", 1)[0] not in LOOPBACK_HOSTS:
            raise ValueError("use https:// (plain http only for localhost or 127.0.0.1)")
        return value.rstrip("/")

    @field_validator("secret")
    @classmethod
    def long_enough(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("enabled"):
                raise ValueError("needed when web.enabled is true: 32 random characters or more")
            return value
        if len(value.get_secret_value()) < 32:
            raise ValueError("at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @property
    def plain_http(self) -> bool:
        """Links to a loopback address over http: the cookie cannot be Secure there."""
        return self.public_url.startswith("http://")


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
    log_format: Literal["text", "json"] = "text"
    database: DatabaseSettings = DatabaseSettings()
    defaults: InterventionDefaults = InterventionDefaults()
    delivery: DeliverySettings = DeliverySettings()
    http: HttpSettings = HttpSettings()
    web: WebSettings = WebSettings()
    slack: SlackSettings | None = None
    discord: DiscordSettings | None = None

    @field_validator("web")
    @classmethod
    def web_needs_http(cls, value: WebSettings, info: ValidationInfo) -> WebSettings:
        http = info.data.get("http")
        if value.enabled and isinstance(http, HttpSettings) and not http.enabled:
            raise ValueError("web.enabled needs http.enabled: the pages share its server")
        return value

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
    """A bad setting: the message names the key and where it came from. The CLI prints it
    and exits with code 2, before anything is touched."""


def env_name(loc: tuple[str | int, ...]) -> str:
    """The TSTBOT_ variable that sets a key: ('slack', 'bot_token') → TSTBOT_SLACK__BOT_TOKEN."""
    return "TSTBOT_" + "__".join(str(p) for p in loc if not isinstance(p, int)).upper()


def _source(loc: tuple[str | int, ...], file: str | Path | None) -> str:
    """Where a key's value came from: the innermost TSTBOT_ variable that sets it, else the
    file (the environment wins over the file, so a variable is the cause when there is one)."""
    names = {name.upper() for name in os.environ}
    keys = [p for p in loc if not isinstance(p, int)]
    for size in range(len(keys), 0, -1):
        name = env_name(tuple(keys[:size]))
        if name in names:
            return f"variable {name}"
    return f"file {file}" if file else "default value"


def _key(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc if not isinstance(p, int))


def load_settings(path: str | Path | None = None) -> Settings:
    chosen = path or os.environ.get("TSTBOT_CONFIG")
    if chosen is not None and not Path(chosen).is_file():
        origin = "--config" if path else "variable TSTBOT_CONFIG"
        raise ConfigError(f"config file not found: {chosen} ({origin})")
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
        loc = tuple(first["loc"])
        raise ConfigError(
            f"invalid setting {_key(loc)} ({_source(loc, chosen)}): {first['msg']}"
        ) from None
    except SettingsError as error:  # a TSTBOT_ variable that is not the JSON its key needs
        field = str(error).split('"')[1] if '"' in str(error) else ""
        prefix = env_name((field,))
        names = sorted(n.upper() for n in os.environ if n.upper().startswith(prefix))
        nested = [n for n in names if n != prefix]
        name = (nested or names or [prefix])[0]
        key = name.removeprefix("TSTBOT_").replace("__", ".").lower()
        raise ConfigError(
            f"invalid setting {key} (variable {name}): a list or a section is written "
            "as JSON, e.g. [123, 456]"
        ) from None
    except (ValueError, OSError) as error:  # a TOML syntax error, an unreadable file
        raise ConfigError(f"cannot read {chosen}: {error}") from None


# What each platform cannot start without: (key, what it is, when it is needed).
def missing_for_platforms(settings: Settings, file: str | Path | None = None) -> list[str]:
    """Each key an enabled platform needs and lacks, as one line naming it and where to set it."""
    chosen = file or os.environ.get("TSTBOT_CONFIG")
    where = f" in {chosen}" if chosen else ""
    lacks: list[tuple[tuple[str, str], str]] = []
    s = settings.slack
    if s is not None:
        oauth = bool(s.client_id and s.client_secret)
        if s.mode == "http" and s.signing_secret is None:
            lacks.append((("slack", "signing_secret"), "Basic Information → Signing Secret"))
        if s.bot_token is None and not (oauth and s.mode == "http"):
            lacks.append((("slack", "bot_token"), "OAuth & Permissions → Bot User OAuth Token"))
        if s.mode == "socket" and s.app_token is None:
            lacks.append((("slack", "app_token"), "Basic Information → App-Level Tokens"))
        if bool(s.client_id) != bool(s.client_secret):
            other = "client_secret" if s.client_id else "client_id"
            lacks.append((("slack", other), "Basic Information → App Credentials"))
    d = settings.discord
    if d is not None and d.token is None:
        lacks.append((("discord", "token"), "Developer Portal → Bot → Token"))
    return [
        f"missing setting {'.'.join(loc)} (set {env_name(loc)} or [{loc[0]}] {loc[1]}{where}):"
        f" the value is under {hint} in the platform's app settings"
        for loc, hint in lacks
    ]
