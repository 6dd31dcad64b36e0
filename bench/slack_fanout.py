"""Slack fan-out: open a DM round for 1,000 participants against the fake Slack enforcing the
per-method limits, time-scaled (1 minute of Slack = 1 second here by default).

Run `python -m bench.slack_fanout` (about a minute, a third of it the consent setup). Three
passes over the same intervention: warm (DM channel ids cached, as after the consent DMs; the
budgets start from Slack's documented rates, as in a fresh process), cold (the cache dropped, so
every DM needs conversations.open first; budgets fresh again), and again (the next run of the
round, both budgets as the cold pass left them: PERFORMANCE.md's "once the client is warm").
Reports delivered / duplicated / lost, the 429s (by method) and their share of the calls, and
the ratio of the wall time to the rate-limit floor. Loopback only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

from tests.fakes.slack_api import FakeSlack

# Per minute, at the documented floor of each tier (PERFORMANCE.md B1, PLATFORMS.md 1.7).
OPEN_PER_MIN = 50  # conversations.open, Tier 3
POST_PER_MIN = 300  # chat.postMessage, "several hundred per minute" per workspace
FAC = "UFAC"
ROUND = "trust.intake"
AGAIN = "trust.barometer"  # repeatable: opened for the cold pass and again for the last


def _now() -> datetime:
    return datetime.now(UTC)


async def main(n: int, scale: float, deadline: float, wait: float) -> None:
    from bot import heap
    from bot.adapters.slack.limits import LearnedBudget
    from bot.app import build
    from bot.config import DatabaseSettings, InterventionDefaults, Settings, SlackSettings
    from bot.core.events import ChoiceMade, CommandIssued, EventMeta
    from bot.core.model import InterventionId, UserId
    from bot.storage.migrate import upgrade
    from bot.wiring.slack import SlackService

    window = 60.0 / scale  # one Slack minute, in seconds here
    tmp = tempfile.TemporaryDirectory()
    db = f"sqlite+aiosqlite:///{Path(tmp.name) / 'fanout.db'}"
    await asyncio.to_thread(upgrade, db)
    fake = await FakeSlack().start()
    people = [f"U{i:05d}" for i in range(1, n + 1)]
    for user in (FAC, *people):
        fake.add_user(user)
    settings = SlackSettings(
        bot_token="xoxb-test", signing_secret="s", port=0, api_base_url=fake.base_url
    )
    # Longer Retry-After waits go back to the dispatcher (the client's own retry sleeps whole
    # seconds plus up to one of jitter: a Slack hour at this scale).
    # Waits up to one Slack minute are spent in the port (SlackChat's rate_limit_wait), not as
    # dispatcher attempts.
    service = SlackService(
        settings,
        pace_seconds=1.0 / scale,
        rate_limit_retries=0,
        rate_limit_wait=wait * window,
        rate_window=window,
    )
    # The wall clock drives this run: no quiet hours, or the prompts would wait for the morning.
    always = InterventionDefaults(day_start=dtime(0), day_end=dtime(0), working_days="all")
    config = Settings(database=DatabaseSettings(url=db), slack=settings, defaults=always)
    app = build(config, {"slack": service.port})
    heap.settle()  # as `tst run` does once started
    seq = iter(range(10**9))

    def meta(user: str, channel: str | None = "C1") -> EventMeta:
        return EventMeta("slack", f"bench-{next(seq)}", "T1", UserId(user), user, channel)

    async def deliver_all() -> None:
        start = time.monotonic()
        while time.monotonic() - start < deadline:
            if await app.dispatcher.tick():
                continue
            due = await app.dispatcher.outbox.next_due()
            wait = (due - _now()).total_seconds() if due is not None else None
            if wait is None or wait > 60:  # only the round's timers (reminders, close) are left
                return
            await asyncio.sleep(min(0.05, max(0.0, wait)))
        raise TimeoutError(f"deliveries not done within {deadline} s")

    try:
        t0 = time.monotonic()
        await app.runner.handle(CommandIssued(meta(FAC), "start Bench"))
        for start in range(0, n, 300):  # a command holds at most 4,000 characters
            mentions = " ".join(f"<@{u}>" for u in people[start : start + 300])
            await app.runner.handle(CommandIssued(meta(FAC), f"invite {mentions}"))
        await deliver_all()
        consents = [
            e["action_id"]
            for m in fake.messages
            for b in m["blocks"]
            for e in b.get("elements", [])
            if str(e.get("action_id", "")).endswith(":consent:accept")
        ]
        iid = InterventionId(consents[0].split(":")[1])
        for user in people:
            await app.runner.handle(ChoiceMade(meta(user, None), iid, "consent", "accept"))
        await deliver_all()
        print(f"setup: {n} participants consented in {time.monotonic() - t0:.1f} s (no limits)")

        fake.limit("conversations.open", OPEN_PER_MIN, window)
        fake.limit("chat.postMessage", POST_PER_MIN, window)
        fake.fractional_retry_after = True
        print(
            f"limits: conversations.open {OPEN_PER_MIN}/min, chat.postMessage {POST_PER_MIN}/min"
            f" (workspace); 1 Slack minute = {window:g} s; the port waits out a Retry-After up to"
            f" {wait:g} Slack min, longer ones go back to the dispatcher"
        )
        header = (
            f"{'pass':<5} | {'delivered':>9} | {'duplicated':>10} | {'lost':>4} | {'dead rows':>9}"
            f" | {'429s':>5} | {'of calls':>8} | {'open/post 429s':>14} | {'wall s':>7}"
            f" | {'floor s':>7} | {'ratio':>6}"
        )
        print(header)
        passes = (
            ("warm", False, ROUND, ROUND),  # DM ids cached; the budgets are learned on the way
            ("cold", True, AGAIN, AGAIN),  # every DM opened again
            ("again", False, AGAIN, f"{AGAIN}@2"),  # its next run: both budgets known
        )
        for name, cold, round_key, prompted in passes:
            if name != "again":
                # A fresh process's first round: nothing learned (the setup ran unlimited, so
                # what it taught would not be Slack's), every budget at its documented start.
                service.port.budget = LearnedBudget(window)
            if cold:
                service.port._dm.clear()
            if name == "again":
                await app.runner.handle(CommandIssued(meta(FAC), f"round close {round_key}"))
                await deliver_all()
            # The floor: the last call of the slowest method, each window spent in full at its
            # start (a window's worth at t=0, the next at t=window, ...).
            calls = [((n - 1) // POST_PER_MIN)] + ([(n - 1) // OPEN_PER_MIN] if cold else [])
            floor = max(calls) * window
            mark, rejected = len(fake.messages), sum(fake.rejected.values())
            by_method = dict(fake.rejected)
            calls_before = len(fake.calls)
            started = time.monotonic()
            handled = await app.runner.handle(CommandIssued(meta(FAC), f"round open {round_key}"))
            assert handled.replies, "the round did not open"
            await deliver_all()
            wall = time.monotonic() - started
            per_user = dict.fromkeys(people, 0)
            for m in fake.messages[mark:]:
                user = m["channel"][1:]
                has = any(
                    str(e.get("action_id", "")).endswith(f":answer:{prompted}")
                    for b in m["blocks"]
                    for e in b.get("elements", [])
                )
                if has and user in per_user:
                    per_user[user] += 1
            delivered = sum(1 for c in per_user.values() if c)
            duplicated = sum(c - 1 for c in per_user.values() if c > 1)
            repeated_keys = sum(c - 1 for c in fake.delivery_keys().values() if c > 1)
            dead = await _dead_rows(app)
            ratio = f"{wall / floor:.2f}x" if floor else "n/a"
            refused = sum(fake.rejected.values()) - rejected
            share = refused / max(1, len(fake.calls) - calls_before)
            opened, posted = (
                fake.rejected.get(m, 0) - by_method.get(m, 0)
                for m in ("conversations.open", "chat.postMessage")
            )
            split = f"{opened}/{posted}"
            print(
                f"{name:<5} | {delivered:>9} | {max(duplicated, repeated_keys):>10} |"
                f" {n - delivered:>4} | {dead:>9} | {refused:>5} | {share:>8.1%} |"
                f" {split:>14} | {wall:>7.2f} | {floor:>7.2f} | {ratio:>6}"
            )
        print(
            "target: 0 lost, 0 duplicates, within 1.2x of the floor; at most 1 % of calls"
            " refused once the budgets are learned (PERFORMANCE.md B3)"
        )
    finally:
        await service.stop()
        await app.store.close()
        await fake.stop()
        tmp.cleanup()


async def _dead_rows(app: object) -> int:
    from sqlalchemy import func, select

    from bot.storage import orm

    store = app.store  # type: ignore[attr-defined]
    async with store.sessions() as s:
        dead = await s.scalar(
            select(func.count()).select_from(orm.OutboxRow).where(orm.OutboxRow.status == "dead")
        )
    return int(dead or 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1000, help="participants")
    parser.add_argument("--scale", type=float, default=60.0, help="Slack seconds per second")
    parser.add_argument(
        "--wait", type=float, default=1.0, help="Slack minutes a 429 may be waited out in the port"
    )
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds per phase")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.scale, args.deadline, args.wait))
