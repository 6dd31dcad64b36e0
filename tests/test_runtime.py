"""Runner and dispatcher together on a real database: once-only events, crash safety, timers,
dead letters, a person's own data and its erasure, the retention purge."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.commands import Command, CommandTable
from bot.core.events import AnswerSubmitted, ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, UserId
from bot.core.ports import ManualClock
from bot.storage import orm
from bot.storage.retention import Retention
from bot.storage.store import SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PEOPLE = ("ana", "ben", "cleo")


@dataclass
class World:
    app: App
    chat: MemoryChat
    clock: ManualClock
    n: int = 0
    iid: str = ""

    def meta(self, user: str, channel: str | None = "C1", event_id: str | None = None) -> EventMeta:
        self.n += 1
        return EventMeta(
            "memory", event_id or f"ev{self.n}", "W", UserId(user), user.title(), channel, "fr"
        )

    async def cmd(self, text: str, user: str = "fac") -> list[str]:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user), text))
        self.iid = handled.intervention or self.iid
        return [r.plain() for r in handled.replies]

    async def consent_all(self) -> None:
        for p in PEOPLE:
            await self.app.runner.handle(
                ChoiceMade(self.meta(p, None), InterventionId(self.iid), "consent", "accept")
            )


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[World]:
    chat = MemoryChat()
    clock = ManualClock(T0)
    url = store.engine.url.render_as_string(hide_password=False)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, clock, "w1")
    w = World(app, chat, clock)
    await w.cmd("start Équipe")
    await w.cmd("invite " + " ".join(f"<@{p}>" for p in PEOPLE))
    await w.consent_all()
    await app.dispatcher.drain()
    yield w
    await app.store.close()


async def test_a_retried_event_has_no_second_effect(world: World) -> None:
    meta = world.meta("fac", event_id="retried")
    first = await world.app.runner.handle(CommandIssued(meta, "round open intake"))
    again = await world.app.runner.handle(CommandIssued(meta, "round open intake"))
    assert not first.duplicate and again.duplicate and not again.replies
    await world.app.dispatcher.drain()
    prompts = [d for d in world.chat.log if d.where == "@ana" and "•" in d.message.plain()]
    assert len(prompts) == 1


async def test_effects_committed_before_a_crash_are_delivered_by_the_next_process(
    world: World,
) -> None:
    await world.cmd("round open intake")
    # A first dispatcher claims the prompts and dies before delivering them.
    dead = world.app.dispatcher
    claimed = await dead.outbox.claim("dying", world.clock.now(), timedelta(seconds=30), 100)
    assert claimed
    assert not world.chat.seen_by("@ana")[-1:] or "•" not in world.chat.seen_by("@ana")[-1]
    world.clock.advance(seconds=31)
    await world.app.dispatcher.drain()
    assert any("•" in text for text in world.chat.seen_by("@ana"))
    for item in claimed:  # the dead worker's late answer cannot overwrite the new holder's
        assert not await dead.outbox.done(item.id, "dying", world.clock.now(), "late")


async def test_not_now_brings_the_prompt_back_later_only_if_still_unanswered(world: World) -> None:
    await world.cmd("round open intake")
    await world.app.dispatcher.drain()
    iid = InterventionId(world.iid)
    await world.app.runner.handle(
        ChoiceMade(world.meta("ana", None), iid, "notnow", "trust.intake")
    )
    await world.app.runner.handle(
        ChoiceMade(world.meta("ben", None), iid, "notnow", "trust.intake")
    )
    await world.app.runner.handle(
        AnswerSubmitted(world.meta("ben", None), iid, "trust.intake", {"trust.hope": "ok"})
    )
    before = {u: len(world.chat.seen_by(f"@{u}")) for u in ("ana", "ben")}
    await world.app.dispatcher.drain()
    assert {u: len(world.chat.seen_by(f"@{u}")) for u in ("ana", "ben")} == before
    world.clock.advance(hours=23)  # 08:00 in Paris the next day
    await world.app.dispatcher.drain()
    assert len(world.chat.seen_by("@ana")) == before["ana"] + 1
    assert len(world.chat.seen_by("@ben")) == before["ben"]


async def test_a_person_who_cannot_be_reached_becomes_a_dead_letter_not_a_retry_storm(
    world: World,
) -> None:
    world.chat.unreachable.add(UserId("cleo"))
    await world.cmd("round open intake")
    await world.app.dispatcher.drain()
    counts = await world.app.dispatcher.outbox.counts(world.iid)
    assert counts.get("dead") == 1 and "pending" not in counts
    async with world.app.store.unit() as uow:  # what a platform counts "DMs closed" from
        assert await uow.unreachable(world.iid, "dm_closed") == {"cleo"}
        assert await uow.unreachable(world.iid, "account_inactive") == set()


async def test_mydata_shows_my_answers_and_forget_erases_them(world: World) -> None:
    await world.cmd("round open intake")
    iid = InterventionId(world.iid)
    await world.app.runner.handle(
        AnswerSubmitted(
            world.meta("ana", None),
            iid,
            "trust.intake",
            {"trust.hope": "un espoir précis"},
            "group_anonymous",
        )
    )
    await world.cmd("mydata", user="ana")
    await world.app.dispatcher.drain()
    mine = world.chat.seen_by("@ana")[-1]
    assert "un espoir précis" in mine
    # Everything in words a person reads: the question, not its key; labels, not field names.
    assert "Qu'aimeriez-vous que cette démarche permette" in mine and "Nom affiché" in mine
    for key in ("trust.hope", "trust.intake", "display_name", "group_anonymous", "accepted"):
        assert key not in mine, key
    await world.cmd("oublier", user="ana")
    async with world.app.store.unit() as uow:
        left = await uow.session.scalar(select(func.count()).select_from(orm.ResponseRow))
        members = list(await uow.session.scalars(select(orm.ParticipantRow.user)))
    assert left == 0 and "ana" not in members


async def test_retention_purge_removes_answers_of_long_closed_interventions(world: World) -> None:
    await world.cmd("round open intake")
    await world.app.runner.handle(
        AnswerSubmitted(
            world.meta("ana", None), InterventionId(world.iid), "trust.intake", {"trust.hope": "x"}
        )
    )
    await world.cmd("close")
    store = world.app.store
    retention = Retention(store, days=30)
    assert await retention.purge(world.clock.now() + timedelta(days=29)) == 0
    assert await retention.purge(world.clock.now() + timedelta(days=31)) == 1
    async with store.unit() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(orm.ResponseRow)) == 0
        assert (
            await uow.session.scalar(select(func.count()).select_from(orm.ResponseAuthorRow)) == 0
        )
        assert await uow.session.scalar(select(func.count()).select_from(orm.AuditRow))


async def test_questions_opened_at_night_wait_for_each_persons_morning(world: World) -> None:
    await world.cmd("tz Asia/Tokyo", user="ben")
    world.clock.set(datetime(2026, 3, 3, 21, 0, tzinfo=UTC))  # 22:00 Paris, 06:00 Tokyo
    await world.cmd("round open intake")
    before = {u: len(world.chat.seen_by(f"@{u}")) for u in ("ana", "ben")}
    await world.app.dispatcher.drain()
    assert {u: len(world.chat.seen_by(f"@{u}")) for u in ("ana", "ben")} == before
    world.clock.set(datetime(2026, 3, 3, 23, 0, tzinfo=UTC))  # 08:00 in Tokyo
    await world.app.dispatcher.drain()
    assert len(world.chat.seen_by("@ben")) == before["ben"] + 1
    assert len(world.chat.seen_by("@ana")) == before["ana"]
    world.clock.set(datetime(2026, 3, 4, 7, 0, tzinfo=UTC))  # 08:00 in Paris
    await world.app.dispatcher.drain()
    assert len(world.chat.seen_by("@ana")) == before["ana"] + 1


async def test_answers_arriving_at_the_same_moment_are_all_kept(store: SqlStore) -> None:
    """Twelve people consenting at once collide on the intervention's version; every
    collision is retried and no one's answer is lost or mistaken for a retry."""
    chat = MemoryChat()
    url = store.engine.url.render_as_string(hide_password=False)
    clock = ManualClock(T0)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, clock)
    w = World(app, chat, clock)
    people = [f"p{i}" for i in range(12)]
    await w.cmd("start Équipe")
    await w.cmd("invite " + " ".join(f"<@{p}>" for p in people))
    iid = InterventionId(w.iid)
    handled = await asyncio.gather(
        *(app.runner.handle(ChoiceMade(w.meta(p, None), iid, "consent", "accept")) for p in people)
    )
    assert not any(h.duplicate for h in handled)
    async with app.store.unit() as uow:
        state = await uow.load(iid)
    assert state is not None
    accepted = {u for u, p in state.participants.items() if p.consent == "accepted"}
    assert accepted >= set(people)
    await app.store.close()


async def test_a_weekly_check_in_lands_at_nine_on_each_persons_clock(world: World) -> None:
    """Delivered for real, hour by hour, in Montreal, Paris and Tokyo: nobody gets it early
    and nobody gets it twice."""
    zones = {"ana": "America/Montreal", "ben": "Europe/Paris", "cleo": "Asia/Tokyo"}
    for user, zone in zones.items():
        await world.cmd(f"tz {zone}", user=user)
        await world.cmd("points oui", user=user)  # check-ins go to those who asked for them
    await world.cmd("planifier chaque barometre lundi 9h")
    for user in zones:  # weekly check-ins go to those who asked for them (TST.md §3.2)
        assert await world.cmd("points oui", user=user)
    await world.app.dispatcher.drain()
    seen = {u: len(world.chat.seen_by(f"@{u}")) for u in zones}
    arrived: dict[str, list[datetime]] = {u: [] for u in zones}
    hour = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # Sunday noon, the week after T0
    while hour < datetime(2026, 3, 10, tzinfo=UTC):
        world.clock.set(hour)
        await world.app.dispatcher.drain()
        for u in zones:
            now_seen = len(world.chat.seen_by(f"@{u}"))
            arrived[u] += [hour] * (now_seen - seen[u])
            seen[u] = now_seen
        hour += timedelta(hours=1)
    local = {u: [a.astimezone(ZoneInfo(zones[u])) for a in at] for u, at in arrived.items()}
    assert {u: [(t.weekday(), t.hour) for t in times] for u, times in local.items()} == {
        u: [(0, 9)] for u in zones
    }


async def test_the_report_follows_the_barometer_week_by_week(world: World) -> None:
    from bot.i18n.render import Reader
    from bot.reports.build import build
    from bot.reports.data import load_report
    from bot.reports.document import to_markdown

    for p in PEOPLE:
        await world.cmd("checkins on", user=p)  # check-ins go to those who asked for them
    await world.cmd("schedule every barometer monday 9am")
    for p in PEOPLE:
        assert await world.cmd("checkins on", user=p)
    iid = InterventionId(world.iid)
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    for week, level in enumerate((2, 4)):
        world.clock.set(monday + timedelta(weeks=week))
        await world.app.dispatcher.drain()
        key = "trust.barometer" if week == 0 else "trust.barometer@2"
        for p in PEOPLE:
            handled = await world.app.runner.handle(
                AnswerSubmitted(world.meta(p, None), iid, key, {"barometer.level": level})
            )
            assert not handled.refused, handled.replies
    world.clock.set(monday + timedelta(weeks=2))
    await world.app.dispatcher.drain()  # the third run closes the second
    data = await load_report(world.app.store, world.iid)
    assert data is not None
    assert [(k, m) for k, m, _ in data.barometer] == [
        ("trust.barometer", 2.0),
        ("trust.barometer@2", 4.0),
    ]
    reader = Reader("en", "Europe/Paris", "vous")
    text = to_markdown(build(data, world.app.runner.renderer, reader, "facilitator"))
    assert "Trust barometer, no. 2" in text


async def test_a_second_not_now_brings_the_prompt_back_a_second_time(world: World) -> None:
    """The "not now" timer of a round is re-planned on the same row once it has fired; the
    second firing is a new event, not a duplicate of the first."""
    await world.cmd("round open intake")
    await world.app.dispatcher.drain()
    iid = InterventionId(world.iid)
    for _ in range(2):
        seen = len(world.chat.seen_by("@ana"))
        await world.app.runner.handle(
            ChoiceMade(world.meta("ana", None), iid, "notnow", "trust.intake")
        )
        world.clock.advance(hours=24)
        await world.app.dispatcher.drain()
        assert len(world.chat.seen_by("@ana")) == seen + 1


async def test_a_later_intervention_in_the_same_channel_gets_spaces_of_its_own(
    world: World,
) -> None:
    """Private spaces are named after their intervention: a second intervention in the
    channel can never adopt (nor collide with) the first one's sub-group spaces."""

    async def open_groups() -> set[str]:
        before = set(world.chat.spaces)
        await world.cmd("groups propose size 3")
        await world.app.dispatcher.drain()
        await world.cmd("groups approve")
        await world.app.dispatcher.drain()
        return {world.chat.spaces[s][0] for s in set(world.chat.spaces) - before}

    first = await open_groups()
    await world.cmd("close")
    await world.app.dispatcher.drain()
    await world.cmd("start Équipe, second temps")
    await world.cmd("invite " + " ".join(f"<@{p}>" for p in PEOPLE))
    await world.consent_all()
    second = await open_groups()
    assert len(first) == len(second) == 1
    assert first.isdisjoint(second)


async def test_a_command_is_parsed_once_from_its_arrival_to_its_effects(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner only reads a command's first word (where to look, what to fetch); the
    engine parses it, once. `status` and `start` are the two the runner looks at."""
    parsed: list[str] = []
    real = CommandTable.parse

    def counting(table: CommandTable[object], text: str) -> Command:
        parsed.append(text)
        return real(table, text)

    monkeypatch.setattr(CommandTable, "parse", counting)
    assert await world.cmd("status")
    assert await world.cmd("statut  ")
    assert await world.cmd("round open intake", user="fac")
    assert parsed == ["status", "statut  ", "round open intake"]
