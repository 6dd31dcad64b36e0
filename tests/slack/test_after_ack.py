"""After the ack: inputs wait their turn in a work queue, none is lost, and a modal does not
wait behind the queue (its trigger lives 3 s)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_world import ANA, FAC, SlackWorld


@asynccontextmanager
async def busy_workers(world: SlackWorld) -> AsyncIterator[None]:
    """Every worker of the edge's queue held by a slow input until the block ends."""
    edge = world.service.edge
    assert edge is not None
    release = asyncio.Event()
    started = 0

    async def slow_input() -> None:
        nonlocal started
        started += 1
        await release.wait()

    for _ in range(edge.queue.workers):
        edge.queue.put(slow_input)
    await world.fake.wait_for(lambda: started == edge.queue.workers)
    try:
        yield
    finally:
        release.set()


async def test_a_burst_of_commands_gets_one_ephemeral_answer_each(world: SlackWorld) -> None:
    await world.cmd("start Équipe")
    before = len(world.fake.responses)
    replies = await asyncio.gather(*(world.slack.slash("status", FAC) for _ in range(40)))
    assert [r.status for r in replies] == [200] * 40
    await world.settle()
    answers = world.fake.responses[before:]
    assert len(answers) == 40
    assert {a["response_type"] for a in answers} == {"ephemeral"}


async def test_a_facilitators_commands_take_effect_in_the_order_they_were_typed(
    world: SlackWorld,
) -> None:
    # The first command waits for users.info; the second would find the profile cached and
    # overtake it, inviting into an intervention that does not exist yet.
    world.fake.delay_next("users.info", 0.3)
    before = len(world.fake.responses)
    first = await world.slack.slash("start Équipe", FAC)
    second = await world.slack.slash(f"invite <@{ANA}|ana>", FAC)
    assert (first.status, second.status) == (200, 200)
    await world.settle()
    answers = [r.get("text", "") for r in world.fake.responses[before:]]
    assert len(answers) == 2
    assert world.fake.messages_in(world.fake.dm_of(ANA)), answers  # the invitation reached Ana


async def test_the_ack_does_not_wait_for_busy_workers_and_the_answer_follows(
    world: SlackWorld,
) -> None:
    await world.cmd("start Équipe")
    before = len(world.fake.responses)
    async with busy_workers(world):
        reply = await world.slack.slash("status", FAC)
        assert reply.status == 200
        await asyncio.sleep(0.05)
        assert len(world.fake.responses) == before  # acknowledged, not yet worked on
    await world.settle()
    assert len(world.fake.responses) == before + 1


async def test_an_answer_button_opens_its_modal_while_the_workers_are_busy(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    async with busy_workers(world):
        reply = await world.slack.click(world.button(ANA, "answer", "trust.barometer"), ANA)
        assert reply.status == 200
        await world.fake.wait_for(lambda: len(world.fake.views) == 1)
    await world.settle()
