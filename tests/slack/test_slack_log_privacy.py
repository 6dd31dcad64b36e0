"""Slack at DEBUG: bolt, slack_sdk, aiohttp and the SQL loggers all on, a whole round answered
through real modals over the fake; the log holds no answer and no person beside one."""

from __future__ import annotations

import logging

import pytest
from debug_logs import everything_at_debug, leaks
from privacy_world import tokens
from slack_world import ANA, FAC, PEOPLE, make_world

from bot.storage.store import SqlStore


async def test_slack_at_debug_logs_no_answer(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    said: dict[str, str] = {}
    words = tokens()
    with everything_at_debug():
        async for w in make_world(store):
            with everything_at_debug():  # the loggers the platform made on start, too
                await w.start_with_people()
                await w.cmd("round open intake")
                for user in PEOPLE:
                    answers = {"trust.hope": next(words), "trust.worry": next(words)}
                    said.update(dict.fromkeys(answers.values(), user))
                    await w.answer(user, "trust.intake", answers, visibility="group_anonymous")
                await w.cmd("round close intake")
                await w.cmd("publish intake")
                await w.cmd("mydata", user=ANA)
                await w.cmd("forget", user=ANA)
                wire = logging.getLogger("slack_sdk.webhook.async_client")
                # The loggers that print bodies were on, and said nothing that reached the log.
                assert wire.isEnabledFor(logging.DEBUG)
            channel = " ".join(w.channel_texts())
    assert all(t in channel for t, u in said.items() if u != ANA), "the answers did travel"
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    assert leaks(caplog.records, said, [*PEOPLE, FAC]) == []
