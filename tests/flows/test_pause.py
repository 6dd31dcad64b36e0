"""Pause and resume (`temps mort`), as properties of the outbox, with the real runner,
dispatcher and store on the memory chat and a manual clock.

A pause holds every message and timer of the intervention that is waiting (questions held
for the morning, a "not now" coming back, planned openings and closings, action reminders,
and whatever the engine queues during the pause); nothing held goes out while paused except
the safety line; on resuming, each held row goes out once, no earlier than it was due plus
the pause's length, and none is lost."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privacy_world import FAC, PrivacyWorld, open_world
from sqlalchemy import select

from bot.storage import orm
from bot.storage.migrate import upgrade
from bot.storage.store import SqlStore

NAMES = ("ana", "ben", "cleo", "dia")


@dataclass(frozen=True)
class Waiting:
    id: int
    kind: str
    due_at: datetime


async def waiting_rows(w: PrivacyWorld, *statuses: str) -> list[Waiting]:
    async with w.app.store.sessions() as s:
        rows = await s.execute(
            select(orm.OutboxRow.id, orm.OutboxRow.kind, orm.OutboxRow.due_at).where(
                orm.OutboxRow.intervention_id == w.iid, orm.OutboxRow.status.in_(statuses)
            )
        )
        return [Waiting(r.id, r.kind, r.due_at) for r in rows.all()]


async def statuses(w: PrivacyWorld) -> dict[int, tuple[str, datetime | None]]:
    async with w.app.store.sessions() as s:
        rows = await s.execute(
            select(orm.OutboxRow.id, orm.OutboxRow.status, orm.OutboxRow.delivered_at)
        )
        return {r.id: (r.status, r.delivered_at) for r in rows.all()}


def keys_delivered(w: PrivacyWorld) -> Counter[str]:
    return Counter(d.message.idempotency_key for d in w.chat.log if d.message.idempotency_key)


async def planned_world(url: str) -> PrivacyWorld:
    """An intervention with much waiting in the outbox: tonight's questions (held for the
    morning), a "not now", an opening and a closing planned days ahead, the reminder of an
    action its owner accepted."""
    w = await open_world(url, NAMES, start="start Équipe")
    w.clock.set(w.clock.now().replace(hour=20, minute=30))  # 21:30 in Paris: quiet hours
    await w.cmd("round open intake")
    await w.choose(w.people["ana"], "notnow", "trust.intake")
    await w.cmd("schedule close intake wednesday 10:00")
    await w.cmd("schedule open barometer thursday 9:00")
    await w.cmd(f"action add <@{w.people['ben']}> 2026-03-12 zqaction")
    # An action counts, and its reminder is planned, once its owner accepts it.
    await w.choose(w.people["ben"], "accept", "1")
    return w


async def scenario(url: str, pause_after: timedelta, pause_for: timedelta) -> None:
    w = await planned_world(url)
    try:
        w.clock.advance(seconds=pause_after.total_seconds())
        await w.app.dispatcher.drain()
        held = await waiting_rows(w, "pending")
        assert held, "nothing was waiting: the property would say nothing"
        paused_at = w.clock.now()
        log_at_pause = len(w.chat.log)
        await w.cmd("pause")
        assert {r.id for r in await waiting_rows(w, "held")} == {r.id for r in held}
        # During the pause: time passes, a participant says "not now", the line works.
        await w.choose(w.people["cleo"], "notnow", "trust.intake")
        await w.note(w.people["dia"], "line", "", "zqduring")
        end = paused_at + pause_for
        while w.clock.now() < end:
            w.clock.set(min(end, w.clock.now() + timedelta(hours=6)))
            await w.app.dispatcher.drain()
        during = [d.where for d in w.chat.log[log_at_pause:]]
        assert during == ["#C1", f"@{FAC}"], during  # the announcement, the line's message
        held_now = await waiting_rows(w, "held")
        # Cleo's "not now" queued a timer (unless the round had closed): held as well.
        assert {r.id for r in held} <= {r.id for r in held_now}
        assert (
            len(held_now) > len(held) or (await w.state()).rounds["trust.intake"].status == "closed"
        )
        await w.cmd("resume")
        resumed_at = w.clock.now()
        for _ in range(60):  # ten days, six hours at a time
            w.clock.advance(hours=4)
            await w.app.dispatcher.drain()
        done = await statuses(w)
        lost = {r.id: done[r.id][0] for r in held_now if done[r.id][0] != "done"}
        assert lost == {}, "held rows that never went out"
        shift = resumed_at - paused_at
        for r in held:
            delivered = done[r.id][1]
            assert delivered is not None and delivered >= max(r.due_at, paused_at) + shift
        twice = {k: n for k, n in keys_delivered(w).items() if n > 1}
        assert twice == {}, "a message went out twice"
    finally:
        await w.app.store.close()


def run_in_fresh_database(pause_after: timedelta, pause_for: timedelta) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'pause.db'}"
        upgrade(url)
        asyncio.run(scenario(url, pause_after, pause_for))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pause_after=st.integers(min_value=0, max_value=70).map(lambda h: timedelta(hours=h)),
    pause_for=st.integers(min_value=1, max_value=24 * 6).map(lambda h: timedelta(hours=h)),
)
def test_a_pause_delays_every_waiting_row_and_loses_none(
    pause_after: timedelta, pause_for: timedelta
) -> None:
    run_in_fresh_database(pause_after, pause_for)


async def test_pause_and_resume_on_each_database(store: SqlStore) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    await scenario(url, timedelta(hours=13), timedelta(days=2, hours=3))


async def test_the_schedule_moves_on_by_the_length_of_the_pause(store: SqlStore) -> None:
    w = await planned_world(store.engine.url.render_as_string(hide_password=False))
    try:
        before = {a.command: a.due for a in (await w.state()).scheduled}
        await w.cmd("pause")
        refused = await w.cmd("schedule open barometer friday 9:00")
        assert "en pause" in refused[0], "a time planned during a pause would mean two things"
        w.clock.advance(days=1, hours=2)
        await w.cmd("reprendre")
        after = {a.command: a.due for a in (await w.state()).scheduled}
        assert after == {c: due + timedelta(days=1, hours=2) for c, due in before.items()}
        listed = await w.cmd("schedule list")
        assert any("jeudi 5 mars" in text for text in listed), listed
    finally:
        await w.app.store.close()


async def test_what_the_facilitator_queues_while_paused_waits_too(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES, k=2)
    try:
        await w.cmd("round open intake")
        for user in list(w.people.values())[:2]:
            await w.answer(user, "trust.intake", {"trust.hope": "zqfine"}, "group_anonymous")
        await w.cmd("pause")
        seen = len(w.chat.log)
        await w.cmd("round close intake")
        await w.cmd("publish intake")
        # The facilitators' own synthesis and the draft they review go through; nothing
        # reaches the group.
        assert [d.where for d in w.chat.log[seen:]] == [f"@{FAC}", f"@{FAC}"]
        await w.cmd("resume")
        w.clock.advance(seconds=1)
        await w.app.dispatcher.drain()
        group = w.chat.seen_by("#C1")[-3:]
        # The group hears that the process resumes, then what waited, in its order.
        assert "reprend" in group[0] and "zqfine" in group[-1], group
    finally:
        await w.app.store.close()


async def test_a_participant_cannot_pause_but_may_ask(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        await w.cmd("round open intake")
        ana = w.people["ana"]
        refused = await w.cmd("pause", user=ana)
        assert "facilitation" in refused[0]
        asked = await w.cmd("tempsmort", user=ana)
        assert "transmise" in asked[0]
        alert = w.chat.seen_by(f"@{FAC}")[-1]
        assert "temps mort" in alert.lower() and "sans nom" in alert and "Ana" not in alert
        assert (await w.state()).status == "active", "a request pauses nothing by itself"
        choose = await w.choose(ana, "timeout", "")
        assert "avec votre nom" in choose[0]
        await w.choose(ana, "timeout", "named")
        assert "Ana" in w.chat.seen_by(f"@{FAC}")[-1]
        # The facilitator's own "tempsmort" is the pause; the open requests are answered by it.
        await w.cmd("tempsmort")
        state = await w.state()
        assert state.status == "paused"
        assert [r.status for r in state.requests] == ["handled", "handled"]
        asked = await w.cmd("tempsmort", user=ana)
        assert "déjà en pause" in asked[0]
    finally:
        await w.app.store.close()
