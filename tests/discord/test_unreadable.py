"""Interactions the bot cannot read (buttons and modals of an earlier version, stale command
definitions, values of the wrong type), sent by the dozen through discord.py over the fake:
each is answered ephemerally within Discord's 3-second window, none leaves a traceback."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from discord_world import World

ROUND = "trust.barometer"
Send = Callable[[], Awaitable[int]]


def label(custom_id: str, kind: int, value: Any) -> dict[str, Any]:
    inner: dict[str, Any] = {"type": kind, "custom_id": custom_id}
    inner["values" if kind == 3 else "value"] = value
    return {"type": 18, "id": 2, "component": inner}


def button_ids(iid: str) -> list[str]:
    return [
        "zzz",
        "x" * 100,
        "tst:",
        "tst:x",
        f"tst:{iid}",
        f"tst:{iid}:answer",
        f"tst:{iid}:answer:",
        f"tst:{iid}:answer:no.such.round",
        f"tst:{iid}:page:{ROUND}/x",
        f"tst:{iid}:page:{ROUND}/99",
        f"tst:{iid}:page:/",
        f"tst:{iid}:UPPER:x",
        f"tst:{iid}:unknown:x",
        f"tst:{iid}:consent:maybe",
        f"tst:{iid}:skip:no.such.round",
        f"tst:{iid}:notnow:",
        "tst:no-such-intervention:skip:trust.barometer",
        f"tstm:{iid}:{ROUND}:0",
    ]


def modal_cases(iid: str) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    good = f"tstm:{iid}:{ROUND}:0"
    for custom_id in (
        "zzz",
        "",
        "tstm",
        "tstm:x",
        f"tstm:{iid}:{ROUND}:x",
        f"tstm:{iid}:{ROUND}:9",
        f"tstm:{iid}:no.such.round:0",
        f"tstm:no-such:{ROUND}:0",
    ):
        yield f"modal id {custom_id!r}", custom_id, [label("f0", 3, ["4"])]
    shapes: dict[str, list[dict[str, Any]]] = {
        "no components": [],
        "an input it never had": [label("zz", 4, "x")],
        "a choice not offered": [label("f0", 3, ["9"])],
        "text where a choice was": [label("f0", 4, "quatre")],
        "no choice": [label("f0", 3, [])],
        "text too long": [label("f0", 3, ["4"]), label("f1", 4, "é" * 5000)],
        "an unknown visibility": [label("f0", 3, ["4"]), label("vis", 3, ["public"])],
        "a label with no input": [{"type": 18, "id": 2}],
        "a legacy action row": [
            {"type": 1, "components": [{"type": 4, "custom_id": "f1", "value": "x"}]}
        ],
        "a text display only": [{"type": 10, "id": 1}],
        "a NUL in an answer": [label("f0", 3, ["4"]), label("f1", 4, "a\x00b")],
    }
    for name, components in shapes.items():
        yield f"modal with {name}", good, components


def command_cases(command_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    def tst(options: list[dict[str, Any]]) -> dict[str, Any]:
        return {"id": command_id, "name": "tst", "type": 1, "options": options}

    def sub(name: str, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"name": name, "type": 1, "options": options}]

    yield "an unknown subcommand", tst(sub("nosuch", []))
    yield "an unknown option", tst(sub("status", [{"name": "zzz", "type": 3, "value": "x"}]))
    yield "a number for the text", tst(sub("status", [{"name": "args", "type": 4, "value": 5}]))
    yield "a boolean for the text", tst(sub("help", [{"name": "args", "type": 5, "value": True}]))
    yield "no subcommand", tst([])
    yield "a group used as a command", tst(sub("round", []))
    yield "an unknown command", {"id": "1", "name": "other", "type": 1, "options": []}
    yield "a NUL in the text", tst(sub("start", [{"name": "args", "type": 3, "value": "a\x00b"}]))


async def answered(w: World, iid: int) -> bool:
    try:
        await w.fake.wait_for(lambda: w.fake.interactions[iid].settled(), timeout=4)
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize("names", [("ana",)])
async def test_what_the_bot_cannot_read_is_answered_in_time(
    started: World, caplog: pytest.LogCaptureFixture
) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    ana = w.people["ana"]
    answer = next(b for b in w.buttons(ana) if b.endswith(f":answer:{ROUND}"))
    iid = answer.split(":")[1]
    command_id = str(next(c for cs in w.fake.commands.values() for c in cs)["id"])
    cases: list[tuple[str, Send]] = []
    for custom_id in button_ids(iid):
        for dm in (True, False):
            cases.append(
                (
                    f"button {custom_id!r} dm={dm}",
                    lambda c=custom_id, d=dm: w.fake.click(ana, c, dm=d),
                )
            )
        cases.append(
            (f"select {custom_id!r}", lambda c=custom_id: w.fake.click(ana, c, values=["a"]))
        )
    for name, custom_id, components in modal_cases(iid):
        cases.append((name, lambda c=custom_id, p=components: w.fake.stale_modal(ana, c, p)))
    for name, data in command_cases(command_id):
        cases.append((f"command with {name}", lambda d=data: w.fake.stale_slash(w.fac, d)))

    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    for name, send in cases:
        before = len(caplog.records)
        interaction = await send()
        ok = await answered(w, interaction)
        await asyncio.sleep(0)
        replies = w.fake.replies(interaction)
        acks = w.fake.acks(interaction)
        private = all(a["type"] in (5, 9) or a.get("data", {}).get("flags", 0) & 64 for a in acks)
        logged = caplog.records[before:]
        problems = [
            *(["unanswered in 3 s"] if not ok else []),
            *(["not ephemeral"] if not private else []),
            *(["a traceback"] if any(r.exc_info for r in logged) else []),
            *(
                ["the generic error"]
                if any("rien n'a été perdu" in str(r) for r in replies)
                else []
            ),
        ]
        outcomes["failing" if problems else "answered"] += 1
        if problems:
            failures.append(f"{name}: {', '.join(problems)}")
    summary = f"{len(cases)} interactions: {dict(outcomes)}"
    assert failures == [], summary + "\n" + "\n".join(failures)
    assert len(cases) > 60
    # Ana can still answer, as before.
    replies = await w.answer(ana, ROUND, {"f0": ["3"]})
    assert replies and "enregistrée" in replies[-1]
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)


async def test_a_modal_the_bot_did_not_open_is_answered_in_the_persons_language(
    started: World, caplog: pytest.LogCaptureFixture
) -> None:
    w = started
    for locale, line in (
        ("fr", "Cette demande n'a pas pu être lue ; rien n'a changé."),
        ("en-US", "That request could not be read; nothing changed."),
    ):
        iid = await w.fake.stale_modal(w.people["ben"], "someone:else", [], locale=locale)
        await w.settle(iid)
        (ack,) = w.fake.acks(iid)
        assert ack["type"] == 4 and ack["data"]["flags"] & 64
        assert ack["data"]["content"].replace("\u202f", " ").startswith(line)
    unread = [r for r in caplog.records if "could not read" in r.getMessage()]
    assert [r.levelno for r in unread] == [logging.WARNING] * 2
