"""Each person in their language: their own `/tst lang` choice first, then what their platform
says of them, then the intervention's. Channel messages stay in the intervention's language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from engine_helpers import Session

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, Locale, UserId
from bot.core.ports import ManualClock
from bot.i18n.render import reader_for
from bot.i18n.typography import typeset
from bot.storage.store import SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_own_choice_then_platform_then_intervention() -> None:
    s = Session()
    s.group_with("ana")  # every event of the session says "en"
    assert s.state is not None
    state = replace(s.state, locale="fr")
    ana = state.participants[UserId("ana")]
    assert ana.platform_locale == "en" and ana.locale is None
    assert reader_for(state, UserId("ana")).locale == "en"  # what the platform said
    assert reader_for(state, UserId("ana"), "fr").locale == "fr"  # what it says right now
    chose = replace(state, participants={**state.participants, ana.user: replace(ana, locale="fr")})
    assert reader_for(chose, UserId("ana"), "en").locale == "fr"  # their own choice wins
    unknown = replace(ana, platform_locale=None)
    silent = replace(state, participants={**state.participants, ana.user: unknown})
    assert reader_for(silent, UserId("ana")).locale == "fr"  # the intervention's
    assert reader_for(chose, None).locale == "fr"  # a channel reads the intervention's


def test_the_platform_language_is_kept_each_time_the_person_acts() -> None:
    s = Session()
    s.group_with("ana")
    assert s.state is not None
    meta = replace(s.meta("ana", "C1"), locale="fr")
    s.feed(CommandIssued(meta, "status"))
    assert s.state.participants[UserId("ana")].platform_locale == "fr"
    s.cmd("lang en", user="ana")
    s.feed(CommandIssued(replace(s.meta("ana", "C1"), locale="fr"), "status"))
    ana = s.state.participants[UserId("ana")]
    assert ana.locale == "en" and ana.platform_locale == "fr"
    assert reader_for(s.state, UserId("ana")).locale == "en"


@dataclass
class World:
    app: App
    chat: MemoryChat
    n: int = 0
    iid: str = ""

    def meta(self, user: str, locale: Locale | None, channel: str | None = "C1") -> EventMeta:
        self.n += 1
        return EventMeta("memory", f"ev{self.n}", "W", UserId(user), user.title(), channel, locale)

    async def cmd(self, text: str, user: str = "fac", locale: Locale | None = "fr") -> list[str]:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user, locale), text))
        self.iid = handled.intervention or self.iid
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def accept(self, user: str, locale: Locale | None) -> list[str]:
        iid = InterventionId(self.iid)
        event = ChoiceMade(self.meta(user, locale, None), iid, "consent", "accept")
        handled = await self.app.runner.handle(event)
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[World]:
    # Like Slack's users.info, this platform says ana reads English; of ben it says nothing,
    # as Discord says nothing of someone before their first interaction.
    chat = MemoryChat(locales={UserId("ana"): "en"})
    url = store.engine.url.render_as_string(hide_password=False)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, ManualClock(T0))
    w = World(app, chat)
    await w.cmd("start Équipe")
    await w.cmd("invite <@ana> <@ben>")
    yield w
    await app.store.close()


async def test_an_invitee_reads_the_frame_in_what_their_platform_says(world: World) -> None:
    assert world.chat.seen_by("@ana")[-1].startswith("Welcome to")
    # Nothing known of ben: the intervention's language, until he acts.
    assert world.chat.seen_by("@ben")[-1].startswith("Bienvenue dans")


async def test_from_their_first_click_a_person_reads_in_their_own_language_then_in_their_choice(
    world: World,
) -> None:
    assert (await world.accept("ben", "en"))[0].startswith("Noted: you are taking part")
    await world.accept("ana", "en")
    await world.cmd("round open intake")
    assert world.chat.seen_by("@ben")[-1].startswith("New round of questions")
    assert "Nouveau tour" in world.chat.seen_by("#C1")[-1]  # the channel keeps the French
    said = await world.cmd("lang fr", user="ben", locale="en")
    assert said == [typeset("Langue enregistrée : fr.", "fr")]
    await world.cmd("round remind intake")
    assert world.chat.seen_by("@ben")[-1].startswith("Rappel")
    assert world.chat.seen_by("@ana")[-1].startswith("Reminder")


async def test_a_refusal_reads_in_what_the_platform_says_right_now(world: World) -> None:
    """A refused event changes nothing, not even the language kept: the reply still follows
    the language the person's platform just reported."""
    await world.accept("ben", "en")
    refused = await world.cmd("round open intake", user="ben", locale="fr")
    assert refused == ["Cette commande est réservée à la facilitation."]
    again = await world.cmd("round open intake", user="ben", locale="en")
    assert again == ["This command is for the facilitator."]
