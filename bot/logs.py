"""Logs for operators: one line per meaningful event, a request id on every line of one
request, text or JSON lines, libraries' chatter kept at WARNING, no personal content."""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from datetime import UTC, datetime

from bot.config import Settings
from bot.log_guard import guard

# The request (an inbound event, or a delivery batch) the current task works for.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
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


def begin_request() -> str:
    """Start a request in this task (and the tasks it creates): a short random id."""
    rid = uuid.uuid4().hex[:12]
    request_id.set(rid)
    return rid


def ensure_request() -> str:
    """The current request id, starting one when this task has none."""
    current = request_id.get()
    return current if current != "-" else begin_request()


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
