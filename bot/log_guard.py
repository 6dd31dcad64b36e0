"""What logs may contain: never an answer's text, never a person beside an anonymous answer.

The bot's own log lines carry ids, counts and error reasons only. Libraries are another matter:
at DEBUG, slack_sdk, slack_bolt and discord.py print whole request and response bodies (a DM
names its recipient; a modal submission carries the user next to the answer), aiosqlite prints
each statement with its parameters and SQLAlchemy each row it reads. `guard()` keeps those
lines out of every log whatever level the root logger or the libraries' own loggers are set to:
each logger of these families gets a filter that drops its DEBUG records (their INFO and above:
connections, reconnections, rate limits, errors, still reach the log). Statement parameters
are hidden at INFO too, by the engine (`hide_parameters`, bot/storage/store.py).

A filter only applies to the logger that creates a record, not to its parents, so it is put on
every logger of the families that exists when `guard()` runs (the composition root and `tst run`
call it once the platforms are built), and on those the libraries create later by name.
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
# Created only when a client is built (after `guard()` may have run): created here first.
CREATED_LATER = (
    "slack_sdk.web.async_base_client",
    "slack_sdk.web.base_client",
    "slack_sdk.socket_mode.aiohttp",
    "slack_sdk.socket_mode.async_client",
    "slack_bolt.AsyncApp",
    "slack_bolt.App",
    "sqlalchemy.engine.Engine",
)


class WithholdWireDebug(logging.Filter):
    """Drops a library's DEBUG records: the ones that print bodies, parameters and rows."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _in_family(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FAMILIES)


def guard() -> int:
    """Put the filter on every library logger that could print a payload. Idempotent;
    returns how many loggers received it now."""
    names = set(CREATED_LATER) | {n for n in logging.root.manager.loggerDict if _in_family(n)}
    added = 0
    for name in sorted(names):
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdWireDebug) for f in logger.filters):
            logger.addFilter(WithholdWireDebug())
            added += 1
    return added
