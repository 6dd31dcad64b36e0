"""Logs for operators: one line per meaningful event, a request id on every line of one
request, text or JSON lines, libraries' chatter kept at WARNING, no personal content."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import Settings
from bot.core.requests import request_id
from bot.log_guard import guard

# Loggers that speak at INFO about their own machinery (APScheduler: two lines a second).
CHATTY = (
    "apscheduler",
    "aiohttp.access",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",  # at INFO it echoes every statement (its engines follow the logger level)
)


class WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line, for log shippers (Loki, Elasticsearch, Cloud Logging…)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(settings: Settings) -> None:
    """The root handler on standard error, in the chosen format, with the request id."""
    handler = logging.StreamHandler()
    handler.addFilter(WithRequestId())
    handler.setFormatter(JsonLines() if settings.log_format == "json" else logging.Formatter(TEXT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    if settings.log_level != "DEBUG":
        for name in CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
    guard()
