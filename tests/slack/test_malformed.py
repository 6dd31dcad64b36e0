"""Signed but malformed Slack requests, sent by the hundred over HTTP to the running bot: each
is answered (400, or the 200 Slack waits for with one line for the person), none gets a 5xx,
none leaves a traceback, each leaves at most one warning, and the bot works on as before."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import malformed as M
import pytest
from slack_world import ANA, BEN, FAC, SlackWorld, make_world

from bot.storage.store import SqlStore


@dataclass
class Seen:
    """What a request left in the log, by case."""

    records: list[logging.LogRecord] = field(default_factory=list)


class Collect(logging.Handler):
    def __init__(self, seen: Seen) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING or record.exc_info:
            self.seen.records.append(record)


def traceback_of(record: logging.LogRecord) -> bool:
    return bool(record.exc_info) or "Traceback" in record.getMessage()


def cases(world: SlackWorld, iid: str, view: dict[str, Any]) -> Iterator[M.Case]:
    d = world.slack
    button = world.button(ANA, "answer", "trust.barometer")
    yield from M.command(d.command_body("status", ANA))
    yield from M.interactive("click", d.click_payload(button, ANA))
    for n, action in enumerate(M.action_ids(iid)):
        payload = M.json.dumps(d.click_payload(action, ANA))
        yield M.Case(f"action#{n}", M.form_raw(payload), M.FORM)
    answers = {"barometer.level": 4, "barometer.word": "lagune"}
    submission = d.submit_payload(view, ANA, answers)
    yield from M.interactive("submit", submission)
    for n, meta in enumerate(M.metadata_values()):
        other = {**submission, "view": {**submission["view"], "private_metadata": meta}}
        yield M.Case(f"submit: private_metadata#{n}", M.form_raw(M.json.dumps(other)), M.FORM)
    unknown = {**submission, "view": {**submission["view"], "callback_id": "not_ours"}}
    yield M.Case("submit: unknown callback", M.form_raw(M.json.dumps(unknown)), M.FORM)
    home = {"type": "app_home_opened", "user": ANA, "tab": "home", "channel": "DUANA"}
    yield from M.event("home", d.event_body(home, "Ev-home"))
    dm = {"type": "message", "channel": "DUANA", "user": ANA, "text": "t", "channel_type": "im"}
    yield from M.event("dm", d.event_body(dm, "Ev-dm"))
    yield from M.event("verify", {"token": "legacy", "challenge": "c", "type": "url_verification"})


async def test_no_signed_request_gets_a_5xx_or_a_traceback(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.click(ANA, "answer", "trust.barometer")
    view = world.fake.views[-1]
    iid = world.button(ANA, "answer", "trust.barometer").split(":")[1]
    seen = Seen()
    handler = Collect(seen)
    logging.getLogger().addHandler(handler)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    tried = 0
    try:
        for case in cases(world, iid, view):
            tried += 1
            before = len(seen.records)
            reply = await world.slack.post(case.body, case.content_type)
            await world.settle()
            statuses[reply.status] += 1
            records = seen.records[before:]
            problems = [
                *(["5xx"] if reply.status >= 500 else []),
                *(["traceback"] if any(traceback_of(r) for r in records) else []),
                *([f"{len(records)} warnings"] if len(records) > 1 else []),
                *(["400 without its warning"] if reply.status == 400 and not records else []),
            ]
            if problems:
                failures.append(f"{case.name}: {reply.status} {', '.join(problems)}")
    finally:
        logging.getLogger().removeHandler(handler)
    summary = f"{tried} cases, statuses {dict(statuses)}, {len(failures)} failing"
    assert tried > 500
    assert failures == [], summary + "\n" + "\n".join(failures[:60])
    # Nothing a request carried reached the log.
    logged = "\n".join(r.getMessage() for r in seen.records)
    assert "lagune" not in logged and M.LONG[:50] not in logged and "<!channel>" not in logged
    # And the bot works on: Ben answers, as before the storm.
    await world.answer(BEN, "trust.barometer", {"barometer.level": 2})
    assert ("barometer.level", 2) in await world.stored("trust.barometer")
    replies = await world.cmd("status", user=FAC)
    assert replies and replies[-1]


@pytest.fixture
async def socket_world(store: SqlStore) -> AsyncIterator[SlackWorld]:
    async for w in make_world(store, mode="socket"):
        yield w


async def test_in_socket_mode_every_malformed_envelope_is_acknowledged(
    socket_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """The same mutations as envelopes: each is acknowledged (or Slack sends it again), none
    leaves a traceback, and the bot works on."""
    w = socket_world
    await w.start_with_people()
    await w.cmd("round open trust.barometer")
    d = w.slack
    click = d.click_payload(w.button(ANA, "answer", "trust.barometer"), ANA)
    home = d.event_body({"type": "app_home_opened", "user": ANA, "tab": "home"}, "Ev-h")
    envelopes = [
        *(("interactive", p) for _n, p in M.mutations(click) if isinstance(p, dict)),
        *(("events_api", p) for _n, p in M.mutations(home) if isinstance(p, dict)),
        *(("slash_commands", {**d.command_body("aide", ANA), k: 5}) for k in ("text", "user_id")),
    ]
    for kind, payload in envelopes:
        await w.fake.send_envelope(kind, payload)  # waits for the ack: a missing one fails here
    await w.settle()
    assert len(envelopes) > 150
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    await w.cmd("status")
    assert w.fake.responses[-1]["text"]
