"""The facilitator's guides, French and English, run as written: their command blocks, in
order, typed by the facilitator into the real runner and dispatcher (SQLite, in-memory chat,
a manual clock), with simulated participants accepting the frame, declaring a profile and
answering each round. No command is refused, and the intervention ends closed, reported,
with every round of the seven steps run."""

from __future__ import annotations

import asyncio
import random
import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

import pytest

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, DeliverySettings, InterventionDefaults, Settings
from bot.core.effects import Handled
from bot.core.events import ChoiceMade, CommandIssued
from bot.core.model import Intervention, InterventionId, UserId
from bot.core.ports import ManualClock
from bot.demo.run import FACILITATOR, START, Demo
from bot.demo.voices import SITES, TEAMS
from bot.flows.command_table import TABLE
from bot.storage.migrate import upgrade

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDES = {"fr": DOCS / "guide-facilitation.md", "en": DOCS / "facilitator-guide.md"}


def walkthrough(path: Path) -> list[str]:
    """The commands of the guide's code blocks made only of `/tst` lines, in order."""
    blocks = re.findall(r"^```\n(.*?)^```$", path.read_text("utf-8"), re.M | re.S)
    lines = [block.strip().splitlines() for block in blocks]
    return [
        line.removeprefix("/tst ")
        for block in lines
        if all(line.startswith("/tst ") for line in block)
        for line in block
    ]


async def state_of(demo: Demo) -> Intervention:
    async with demo.app.store.unit() as uow:
        state = await uow.load(InterventionId(demo.iid))
    assert state is not None
    return state


async def typed(demo: Demo, text: str, user: UserId = FACILITATOR) -> Handled:
    handled = await demo.app.runner.handle(CommandIssued(demo.meta(user), text))
    demo.iid = handled.intervention or demo.iid
    await demo.flush()
    return handled


async def join(demo: Demo, people: tuple[UserId, ...], attributes: list[str]) -> None:
    """Everyone invited accepts the frame and declares the attributes sub-groups use."""
    state = await state_of(demo)
    for i, person in enumerate(people):
        await demo.event(ChoiceMade(demo.meta(person, None), state.id, "consent", "accept"), person)
        values = (TEAMS[i % len(TEAMS)], SITES[(i // 2) % len(SITES)])
        profile = " ".join(f"{key}={value}" for key, value in zip(attributes, values, strict=False))
        word = "profil" if demo.locale == "fr" else "profile"
        handled = await typed(demo, f"{word} {profile}", person)
        assert not handled.refused, handled.replies
    demo.people = list(people)


async def answer_open_rounds(demo: Demo, answered: set[str]) -> None:
    """Participants answer each round the first time they find it open (one passes)."""
    state = await state_of(demo)
    for key, rnd in sorted(state.rounds.items()):
        if rnd.status == "open" and key not in answered:
            answered.add(key)
            await demo.answer_round(key)


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_the_guide_runs_a_whole_intervention_as_written(
    locale: Literal["fr", "en"], tmp_path: Path
) -> None:
    commands = walkthrough(GUIDES[locale])
    propose = next(
        c for c in commands if TABLE.parse(c).name == "groups" and TABLE.parse(c).sub == "propose"
    )
    attributes = propose.split()[-1].split(",")
    url = f"sqlite+aiosqlite:///{tmp_path / 'guide.db'}"
    await asyncio.to_thread(upgrade, url)  # Alembic runs an event loop of its own
    settings = Settings(
        database=DatabaseSettings(url=url),
        defaults=InterventionDefaults(locale=locale),
        delivery=DeliverySettings(concurrency=1),
    )
    chat, clock = MemoryChat(), ManualClock(START)
    app = build(settings, {"memory": chat}, clock, worker="guide")
    demo = Demo(app, chat, clock, locale, random.Random(11), [])
    refused: list[tuple[str, str]] = []
    answered: set[str] = set()
    try:
        for text in commands:
            handled = await typed(demo, text)
            if handled.refused:
                refused.append((text, " ".join(r.plain() for r in handled.replies)))
            command = TABLE.parse(text)
            if command.name == "invite":
                await join(demo, command.mentions, attributes)
            if (command.name, command.sub) == ("round", "open"):
                await demo.days(2)
            await answer_open_rounds(demo, answered)
            await demo.days(0.25)
        final = await state_of(demo)
    finally:
        await app.store.close()

    assert refused == []
    assert final.status == "closed"
    run = {key.partition("@")[0] for key in final.rounds}
    expected = set(app.flow.round_keys()) - {"solutions.checkin"}  # weekly: may not come yet
    assert sorted(expected - run) == []
    facilitator_dms = [d for d in chat.log if d.where == f"@{FACILITATOR}"]
    # The report came as files (the group's and the facilitator's), in the guide's language.
    report_title = {"fr": "Rapport de la démarche", "en": "Report of the process"}[locale]
    pages = [f for d in facilitator_dms for f in d.message.files if f.name.endswith(".html")]
    assert len(pages) == 2 and all(report_title in f.data.decode() for f in pages)
    assert clock.now() - START < timedelta(days=365)  # the action's due date stays ahead
