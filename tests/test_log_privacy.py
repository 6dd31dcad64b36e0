"""Logs that never de-anonymise: a whole intervention with every logger at DEBUG, SQL and
driver loggers included, leaves no answer's text in the log, and no person beside one."""

from __future__ import annotations

import logging

import pytest
from debug_logs import everything_at_debug, leaks
from privacy_world import open_world, tokens

from bot.storage.store import SqlStore

NAMES = ("ana", "ben", "cleo")


async def test_a_whole_intervention_at_debug_logs_no_answer(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = store.engine.url.render_as_string(hide_password=False)
    with everything_at_debug():
        w = await open_world(url, NAMES)
        try:
            words = tokens()
            await w.cmd("round open intake")
            for user in w.people.values():
                answers = {"trust.hope": next(words), "trust.worry": next(words)}
                await w.answer(user, "trust.intake", answers, "group_anonymous")
            await w.cmd("round close intake")
            await w.cmd("publish intake")
            await w.cmd("round open barometer")
            for user in w.people.values():
                await w.answer(user, "trust.barometer", {"barometer.word": next(words)})
            await w.cmd("round close barometer")
            await w.cmd("mydata", user=w.people["ana"])
            await w.cmd("report")
            await w.cmd("forget", user=w.people["ben"])
        finally:
            await w.app.store.close()
    assert len(w.said) == 9
    delivered = "\n".join(d.message.plain() for d in w.chat.log)
    assert any(t in delivered for t in w.said), "the answers did travel"
    names = {r.name for r in caplog.records}
    # The statement loggers were on (SQL without its parameters is allowed through).
    assert any(n.startswith("sqlalchemy.engine") for n in names)
    assert leaks(caplog.records, w.said, w.people.values()) == []
