"""What logs may contain: never an answer's text, never a person beside an anonymous answer.

The bot's own log lines carry ids, counts and error reasons only. Libraries are another matter:
at DEBUG, slack_sdk, slack_bolt and discord.py print whole request and response bodies (a DM
names its recipient; a modal submission carries the user next to the answer), aiosqlite prints
each statement with its parameters and SQLAlchemy each row it reads. `guard()` keeps those
lines out of every log whatever level the root logger or the libraries' own loggers are set to:
each logger of these families gets a filter that drops its DEBUG records (their INFO and above:
connections, reconnections, rate limits, errors, still reach the log). Statement parameters
are hidden at INFO too, by the engine (`hide_parameters`, bot/storage/database.py).

A filter only applies to the logger that creates a record, not to its parents, so it is put on
every logger of the families that exists when `guard()` runs, and the logger class is set so
that the ones a library creates later (slack_sdk makes a logger per client: the webhook client
behind Slack's response_url appears at the first ephemeral reply) are born with it.
"""

from __future__ import annotations

import logging

# Loggers whose DEBUG output dumps payloads, statements or rows.
FAMILIES = (
    "slack_sdk",
    "slack_bolt",
    "discord",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.engine",
    "aiohttp",
    "websockets",
)


class WithholdWireDebug(logging.Filter):
    """Drops a library's DEBUG records: the ones that print bodies, parameters and rows."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _in_family(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FAMILIES)


def _withhold(logger: logging.Logger) -> bool:
    if any(isinstance(f, WithholdWireDebug) for f in logger.filters):
        return False
    logger.addFilter(WithholdWireDebug())
    return True


class GuardedLogger(logging.Logger):
    """The logger class while the guard is on: a library logger is born filtered."""

    def __init__(self, name: str, level: int = logging.NOTSET) -> None:
        super().__init__(name, level)
        if _in_family(name):
            _withhold(self)


def guard() -> int:
    """Put the filter on every library logger that could print a payload, now and to come.
    Idempotent; returns how many existing loggers received it now."""
    if logging.getLoggerClass() is logging.Logger:
        logging.setLoggerClass(GuardedLogger)
    names = [n for n in logging.root.manager.loggerDict if _in_family(n)]
    return sum(_withhold(logging.getLogger(name)) for name in sorted(names))
