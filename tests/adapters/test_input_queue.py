"""The input queue behind both platforms' acks: nothing refused, nothing lost, a few at a time, and
a person's inputs in the order they arrived while other people never wait."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest

from bot.adapters.input_queue import InputQueue


async def test_a_burst_is_accepted_whole_and_worked_at_most_workers_at_a_time() -> None:
    queue = InputQueue(workers=2)
    running, most, done = 0, 0, []

    async def work(i: int) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        running -= 1
        done.append(i)

    for i in range(200):
        queue.put(partial(work, i))
    assert queue.pending == 200  # accepted at once: putting never waits for a worker
    await queue.settle()
    assert sorted(done) == list(range(200))
    assert most == 2
    await queue.close()


async def test_work_is_taken_in_the_order_it_arrived() -> None:
    queue = InputQueue(workers=1)
    order: list[int] = []

    async def work(i: int) -> None:
        order.append(i)

    for i in range(10):
        queue.put(partial(work, i))
    await queue.close()
    assert order == list(range(10))


async def test_a_failure_is_logged_and_the_next_work_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue = InputQueue(workers=1)
    done: list[str] = []

    async def broken() -> None:
        raise RuntimeError("the runner failed")

    async def fine() -> None:
        done.append("fine")

    queue.put(broken)
    queue.put(fine)
    await queue.settle()
    assert done == ["fine"]
    assert "work after an ack failed" in caplog.text
    await queue.close()


async def test_settling_waits_for_work_queued_by_work() -> None:
    queue = InputQueue(workers=1)
    done: list[str] = []

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        done.append("first")
        queue.put(second)

    queue.put(first)
    await queue.settle()
    assert done == ["first", "second"]
    await queue.close()


async def test_closing_finishes_what_was_accepted_and_stops_the_workers() -> None:
    queue = InputQueue(workers=3)
    done: list[int] = []

    async def work(i: int) -> None:
        await asyncio.sleep(0.01)
        done.append(i)

    for i in range(9):
        queue.put(partial(work, i))
    await queue.close()
    assert sorted(done) == list(range(9))
    assert queue.pending == 0
    assert not [t for t in asyncio.all_tasks() if "InputQueue._work" in repr(t.get_coro())]


async def test_one_persons_inputs_run_in_order_even_when_the_first_is_slow() -> None:
    queue = InputQueue(workers=2)
    order: list[str] = []

    async def work(name: str, pause: float) -> None:
        await asyncio.sleep(pause)  # a slow users.info for the first, a cached one after
        order.append(name)

    queue.put(partial(work, "start", 0.05), lane="fatou")
    queue.put(partial(work, "invite", 0.0), lane="fatou")
    queue.put(partial(work, "status", 0.0), lane="ben")
    await queue.settle()
    assert order == ["status", "start", "invite"]  # Ben did not wait; Fatou's kept her order
    await queue.close()


async def test_a_busy_lane_takes_turns_with_the_others() -> None:
    queue = InputQueue(workers=1)
    order: list[str] = []

    async def work(name: str) -> None:
        order.append(name)

    for i in range(3):
        queue.put(partial(work, f"a{i}"), lane="a")
    queue.put(partial(work, "b0"), lane="b")
    assert queue.pending == 4
    await queue.settle()
    assert order == ["a0", "b0", "a1", "a2"]
    assert queue.pending == 0
    await queue.close()


def test_an_input_queue_needs_a_worker() -> None:
    with pytest.raises(ValueError):
        InputQueue(workers=0)


async def test_a_place_taken_on_arrival_keeps_its_turn_while_the_ack_is_slow() -> None:
    """Discord: each input is its own task and acks first; the place is taken before."""
    queue = InputQueue(workers=2)
    order: list[str] = []

    async def work(name: str) -> None:
        order.append(name)

    async def handle(person: str, name: str, ack_seconds: float) -> None:
        with queue.reserve(person) as place:
            await asyncio.sleep(ack_seconds)  # the ack's round trip, slow for the first
            place.run(partial(work, name))

    await asyncio.gather(
        handle("fatou", "start", 0.05), handle("fatou", "invite", 0), handle("ben", "status", 0)
    )
    await queue.settle()
    assert order == ["status", "start", "invite"]
    assert queue.pending == 0
    await queue.close()


async def test_a_place_given_up_lets_the_next_input_go() -> None:
    queue = InputQueue(workers=1)
    done: list[str] = []

    async def acked_then_failed() -> None:
        with queue.reserve("fatou"):
            await asyncio.sleep(0.01)
            raise RuntimeError("the ack failed")

    async def record() -> None:
        done.append("next")

    failing = asyncio.create_task(acked_then_failed())
    await asyncio.sleep(0)  # its place is taken first
    queue.put(record, lane="fatou")
    await asyncio.sleep(0.005)
    assert done == []  # behind the input still being acknowledged
    with pytest.raises(RuntimeError):
        await failing
    await queue.settle()
    assert done == ["next"]
    assert queue.pending == 0
    await queue.close()


async def test_a_cancelled_input_does_not_hold_its_lane_nor_cancel_the_one_before() -> None:
    queue = InputQueue(workers=2)
    release = asyncio.Event()
    done: list[str] = []

    async def first() -> None:
        await release.wait()
        done.append("first")

    async def third() -> None:
        done.append("third")

    queue.put(first, lane="fatou")

    async def second() -> None:
        with queue.reserve("fatou") as place:
            await asyncio.Event().wait()  # an ack that never comes back: cancelled
            place.run(third)

    two = asyncio.create_task(second())
    queue.put(third, lane="fatou")
    await asyncio.sleep(0.01)
    two.cancel()
    with pytest.raises(asyncio.CancelledError):
        await two
    assert done == []  # the first still waits for its release, untouched by the cancel
    release.set()
    await queue.settle()
    assert done == ["first", "third"]
    await queue.close()


async def test_a_place_is_filled_once() -> None:
    queue = InputQueue(workers=1)
    place = queue.reserve("fatou")
    place.run(None)
    with pytest.raises(RuntimeError):
        place.run(None)
    await queue.close()


async def test_without_a_bound_every_person_is_worked_at_once_each_in_order() -> None:
    """Discord: a burst from many people keeps its round trips overlapping."""
    queue = InputQueue(workers=None)
    running, most, order = 0, 0, []
    release = asyncio.Event()

    async def work(person: str, n: int) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        order.append((person, n))

    for n in range(3):
        for person in ("ana", "ben", "cleo", "dan", "eve"):
            queue.put(partial(work, person, n), lane=person)
    await asyncio.sleep(0.01)
    assert most == 5  # one at a time per person, all the people side by side
    release.set()
    await queue.settle()
    for person in ("ana", "ben", "cleo", "dan", "eve"):
        assert [n for p, n in order if p == person] == [0, 1, 2]
    await queue.close()


async def test_workers_start_as_work_comes_and_no_more_than_it_needs() -> None:
    queue = InputQueue(workers=None)

    async def nothing() -> None:
        await asyncio.sleep(0)

    for _ in range(20):  # one after the other: one worker serves them all
        queue.put(nothing)
        await queue.settle()
    workers = [t for t in asyncio.all_tasks() if "InputQueue._work" in repr(t.get_coro())]
    assert len(workers) == 1
    await queue.close()
