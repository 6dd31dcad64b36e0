"""Logs for operators: the libraries' machinery stays below INFO, each line carries its request
id, and `log_format = "json"` writes one JSON object a line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.core.requests import begin_request
from bot.logs import CHATTY, configure_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    yield out
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET)


def configured(out: io.StringIO, **settings: str) -> None:
    configure_logging(Settings(**settings))  # type: ignore[arg-type]
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)


def test_at_info_the_scheduler_and_the_sql_echo_are_quiet(stream: io.StringIO) -> None:
    configured(stream, log_level="INFO")
    logging.getLogger("apscheduler.executors.default").info("Running job tick")
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT 1")
    logging.getLogger("apscheduler.scheduler").warning("job missed")
    logging.getLogger("bot.runtime").info("CommandIssued handled")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "job missed" in lines[0] and "CommandIssued handled" in lines[1]


def test_every_line_of_one_request_shares_its_id(stream: io.StringIO) -> None:
    configured(stream, log_level="INFO")
    log = logging.getLogger("bot.test")

    async def request(n: int) -> str:
        rid = begin_request()
        log.info("first of %d", n)
        await asyncio.sleep(0)
        log.info("second of %d", n)
        return rid

    async def both() -> list[str]:
        return list(await asyncio.gather(request(1), request(2)))

    ids = asyncio.run(both())
    lines = stream.getvalue().splitlines()
    assert len(set(ids)) == 2 and len(lines) == 4
    for rid, n in zip(ids, (1, 2), strict=True):
        mine = [line for line in lines if f"of {n}" in line]
        assert len(mine) == 2 and all(f"[{rid}]" in line for line in mine)


def test_json_lines_for_log_shippers(stream: io.StringIO) -> None:
    configured(stream, log_level="INFO", log_format="json")
    begin_request()
    logging.getLogger("bot.delivery").info("delivery batch: %d item(s)", 3)
    record = json.loads(stream.getvalue())
    assert record["message"] == "delivery batch: 3 item(s)"
    assert record["level"] == "INFO" and record["logger"] == "bot.delivery"
    assert len(record["request_id"]) == 12
