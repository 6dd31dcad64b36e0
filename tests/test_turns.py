"""A person's inputs reach the runner in the order they arrived; other people never wait."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.turns import Turns


async def test_a_later_input_waits_for_the_earlier_one_and_others_do_not() -> None:
    turns = Turns()
    order: list[str] = []

    async def handle(person: str, name: str, ack_seconds: float) -> None:
        with turns.take(person) as turn:
            await asyncio.sleep(ack_seconds)  # the ack's round trip, slow for the first
            await turn.ready()
            order.append(name)

    await asyncio.gather(
        handle("fatou", "start", 0.05), handle("fatou", "invite", 0), handle("ben", "status", 0)
    )
    assert order == ["status", "start", "invite"]
    assert turns.people_waiting == 0


async def test_a_failed_input_still_lets_the_next_one_go() -> None:
    turns = Turns()
    done: list[str] = []

    async def broken() -> None:
        with turns.take("fatou") as turn:
            await asyncio.sleep(0.01)
            await turn.ready()
            raise RuntimeError("the runner failed")

    async def next_one() -> None:
        with turns.take("fatou") as turn:
            await turn.ready()
            done.append("next")

    results = await asyncio.gather(broken(), next_one(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert done == ["next"]
    assert turns.people_waiting == 0


async def test_a_cancelled_wait_does_not_cancel_the_input_before_it() -> None:
    turns = Turns()
    release = asyncio.Event()

    async def first() -> str:
        with turns.take("fatou") as turn:
            await turn.ready()
            await release.wait()
            return "first"

    async def second() -> None:
        with turns.take("fatou") as turn:
            await turn.ready()

    one = asyncio.create_task(first())
    two = asyncio.create_task(second())
    await asyncio.sleep(0.01)
    two.cancel()
    with pytest.raises(asyncio.CancelledError):
        await two
    release.set()
    assert await one == "first"
    assert turns.people_waiting == 0
