"""Pull mode over bolt and the fake Slack: a round costs the same few Web API calls to open and
to remind whatever the group's size; answers given through "My prompts" reach the synthesis."""

from __future__ import annotations

import shutil
from pathlib import Path

from big_roster import roster, seed
from slack_world import FAC, T0, SlackWorld, make_world

from bot.i18n.typography import typeset
from bot.storage.store import SqlStore, make_engine

ROUND = "trust.intake"
WORDS = ("hope-lagune", "hope-boussole", "hope-phare")


def action_ids(blocks: list[dict[str, object]]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        elements = block.get("elements", [])
        assert isinstance(elements, list)
        out += [str(e["action_id"]) for e in elements if "action_id" in e]
    return out


def channel_button(w: SlackWorld, suffix: str) -> str:
    found = [b for m in w.fake.messages_in("C1") for b in action_ids(m["blocks"])]
    return next(b for b in found if b.endswith(suffix))


async def answer_from_the_channel(w: SlackWorld, user: str, text: str) -> None:
    """Press "My prompts" under the announcement, then "Answer" in what it shows, privately."""
    before = len(w.fake.responses)
    reply = await w.slack.click(channel_button(w, ":myprompts:"), user, "C1")
    assert reply.status == 200
    await w.settle()
    shown = [b for r in w.fake.responses[before:] for b in action_ids(r.get("blocks", []))]
    assert all(r.get("response_type") == "ephemeral" for r in w.fake.responses[before:])
    answer = next(b for b in shown if b.endswith(f":answer:{ROUND}"))
    views = len(w.fake.views)
    await w.slack.click(answer, user, "C1")
    await w.settle()
    assert len(w.fake.views) == views + 1, "no modal opened"
    await w.slack.submit(w.fake.views[-1], user, {"trust.hope": text}, "group_anonymous")
    await w.settle()


async def run_round(template: Path, tmp: Path, size: int) -> tuple[int, int, list[str]]:
    """Web API calls to open the round and to remind it, and what the channel finally reads."""
    db = tmp / f"pull{size}.db"
    shutil.copy(template, db)
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{db}"))
    people = [f"U{i:05d}" for i in range(size)]
    try:
        async for w in make_world(store):
            for p in people:
                w.fake.add_user(p, p.lower())
            await seed(w.app.store, roster("slack", w.fake.team, "C1", FAC, people, T0))
            (said,) = await w.cmd("round delivery channel")
            assert "annoncés une seule fois dans le canal" in said
            before = len(w.fake.calls)
            await w.cmd(f"round open {ROUND}")
            opened = len(w.fake.calls) - before
            for person, word in zip(people, WORDS, strict=False):
                await answer_from_the_channel(w, person, word)
            before = len(w.fake.calls)
            await w.cmd(f"round remind {ROUND}")
            reminded = len(w.fake.calls) - before
            # No prompt nor reminder by DM: only each answer's confirmation, to its author.
            assert all(w.fake.messages_in(w.fake.dm_of(p)) == [] for p in people[len(WORDS) :])
            await w.cmd(f"round close {ROUND}")
            await w.cmd(f"publish {ROUND}")
            channel = w.channel_texts()
            return opened, reminded, channel
    finally:
        await store.close()
    raise AssertionError("no Slack world")


async def test_opening_and_reminding_cost_the_same_calls_for_10_or_300(
    migrated_template: Path, tmp_path: Path
) -> None:
    small = await run_round(migrated_template, tmp_path, 10)
    large = await run_round(migrated_template, tmp_path, 300)
    assert small[:2] == large[:2]
    opened, reminded, channel = large
    assert opened <= 3 and reminded <= 3, (opened, reminded)
    assert any(typeset("personnes sollicitées : 300", "fr") in text for text in channel)
    assert any("Rappel, le seul pour ce tour" in text for text in channel)
    for word in WORDS:
        assert any(word in text for text in channel), "an answer did not reach the synthesis"
