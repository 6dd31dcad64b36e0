"""Pull mode over discord.py and the fake Discord: a round costs the same few REST calls to open
and to remind whatever the group's size; answers given through "My prompts" reach the synthesis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from big_roster import roster, seed
from discord_world import World, launch
from fakes.discord_gateway import FakeDiscord

from bot.i18n.typography import typeset
from bot.storage.migrate import upgrade

ROUND = "trust.barometer"


def channel_button(w: World, suffix: str) -> str:
    return next(
        c["custom_id"]
        for m in w.fake.channel_messages()
        for row in m.get("components", [])
        for c in row["components"]
        if c["custom_id"].endswith(suffix)
    )


def reply_buttons(w: World, iid: int) -> list[str]:
    return [
        c["custom_id"]
        for r in w.fake.replies(iid)
        for row in r.get("components", [])
        for c in row["components"]
    ]


async def run_round(tmp: Path, size: int) -> tuple[int, int, list[str]]:
    """REST calls to open the round and to remind it, and what the channel finally reads."""
    fake = await FakeDiscord().start()
    url = f"sqlite+aiosqlite:///{tmp / f'pull{size}.db'}"
    await asyncio.to_thread(upgrade, url)
    fac = fake.add_user("fac")
    people = [fake.add_user() for _ in range(size)]
    app, service = await launch(fake, url)
    w = World(fake, app, service, fac)
    try:
        guild, channel = str(fake.guild_id), str(fake.channel_id)
        state = roster("discord", guild, channel, str(fac), [str(p) for p in people], NOW)
        await seed(app.store, state)
        (said,) = await w.slash(fac, "round delivery", "salon")
        assert "une seule fois dans le canal" in said
        before = len(fake.calls)
        await w.slash(fac, "round open", ROUND)
        opened = len(fake.calls) - before
        # Three people open their prompts from the channel's button and answer in the modal
        # (fewer than three anonymous answers would not be shown to the group).
        for person, word in zip(people, ("lagune", "boussole", "phare"), strict=False):
            shown = await w.click(person, channel_button(w, ":myprompts:"), dm=False)
            answer = next(b for b in reply_buttons(w, shown) if b.endswith(f":answer:{ROUND}"))
            click = await w.click(person, answer, dm=False)
            modal = fake.acks(click)[0]
            assert modal["type"] == 9, modal
            values = {"f0": ["4"], "f1": word}
            await w.settle(await fake.submit_modal(person, modal["data"], values, dm=False))
        # The last person asks for direct messages: what waits comes at once, then the reminder.
        keen = people[-1]
        await w.click(keen, channel_button(w, ":dms:on"), dm=False)
        assert len(fake.dms_to(keen)) == 1
        before = len(fake.calls)
        await w.slash(fac, "round remind", ROUND)
        reminded = len(fake.calls) - before
        assert len(fake.dms_to(keen)) == 2
        assert all(fake.dms_to(p) == [] for p in people[:-1]), "a direct message went out"
        await w.slash(fac, "round close", ROUND)
        await w.slash(fac, "publish", ROUND)
        return opened, reminded, [m["content"] for m in fake.channel_messages()]
    finally:
        await service.stop()
        await app.store.close()
        await fake.stop()


NOW = datetime.now(UTC)


async def test_opening_and_reminding_cost_the_same_calls_for_10_or_300(tmp_path: Path) -> None:
    small = await run_round(tmp_path, 10)
    large = await run_round(tmp_path, 300)
    assert small[:2] == large[:2]
    opened, reminded, channel = large
    # The slash's ack and one post; the reminder also reaches the one person who asked for DMs.
    assert opened <= 3 and reminded <= 4, (opened, reminded)
    assert any(typeset("personnes sollicitées : 300", "fr") in text for text in channel)
    assert any(text.startswith("Rappel, le seul pour ce tour") for text in channel)
    assert any("lagune" in text for text in channel), "the answer did not reach the synthesis"
