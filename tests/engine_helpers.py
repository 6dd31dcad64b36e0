"""A small driver for pure engine tests: feeds events to advance() and keeps the state."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.effects import Audit, Effect, Reply, Send, ToChannel, ToUser
from bot.core.events import AnswerSubmitted, ChoiceMade, CommandIssued, Event, EventMeta
from bot.core.model import AnswerValue, Intervention, UserId, Visibility
from bot.core.wording import Template
from bot.flows.context import Facts, Policy
from bot.flows.engine import Outcome, advance
from bot.flows.tst import tst_flow

FLOW = tst_flow()
T0 = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
FAC = UserId("fac")


@dataclass
class Session:
    """One intervention driven through the engine, remembering every outcome."""

    state: Intervention | None = None
    now: datetime = T0
    policy: Policy = field(default_factory=Policy)
    outcomes: list[Outcome] = field(default_factory=list)
    # Off for big rosters: every outcome holds a whole state, so 10,000 consents would keep
    # 10,000 copies of a 10,000-person intervention alive.
    keep_outcomes: bool = True
    # The workspace's templates, as the runner reads them for the engine (by folded name).
    templates: dict[str, Template] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def meta(self, user: str | None, channel: str | None = "C1") -> EventMeta:
        return EventMeta(
            "memory",
            f"e{next(self._ids)}",
            "W1",
            UserId(user) if user else None,
            user or "",
            channel,
            "en",
        )

    def feed(self, event: Event) -> Outcome:
        # The runner hands the engine fresh randomness (the private line's pads); here it is
        # derived from the event id, so a test replays the same.
        entropy = hashlib.sha512(event.meta.event_id.encode()).digest()
        outcome = advance(
            self.state,
            event,
            flow=FLOW,
            now=self.now,
            policy=self.policy,
            facts=Facts(entropy=entropy, templates=self.templates),
        )
        if self.keep_outcomes:
            self.outcomes.append(outcome)
        self.state = outcome.state
        self.now += timedelta(minutes=5)
        return outcome

    def cmd(self, text: str, user: str = FAC, channel: str | None = "C1") -> Outcome:
        return self.feed(CommandIssued(self.meta(user, channel), text))

    def consent(self, user: str) -> Outcome:
        assert self.state is not None
        return self.feed(ChoiceMade(self.meta(user, None), self.state.id, "consent", "accept"))

    def answer(
        self,
        user: str,
        round_key: str,
        answers: dict[str, AnswerValue],
        visibility: Visibility | None = None,
        left_empty: tuple[str, ...] = (),
    ) -> Outcome:
        assert self.state is not None
        return self.feed(
            AnswerSubmitted(
                self.meta(user, None), self.state.id, round_key, answers, visibility, left_empty
            )
        )

    def group_with(self, *users: str, title: str = "Team") -> None:
        self.cmd(f"start {title}")
        for i in range(0, len(users), 100):  # one /tst invite holds at most 200 mentions
            self.cmd("invite " + " ".join(f"<@{u}>" for u in users[i : i + 100]))
        for u in users:
            self.consent(u)


def replies(outcome: Outcome) -> list[str]:
    return [e.message.key for e in outcome.effects if isinstance(e, Reply)]


def sends(outcome: Outcome) -> list[Send]:
    return [e for e in outcome.effects if isinstance(e, Send)]


def audits(outcome: Outcome) -> list[Audit]:
    return [e for e in outcome.effects if isinstance(e, Audit)]


def to_channel(outcome: Outcome) -> list[str]:
    return [s.message.key for s in sends(outcome) if isinstance(s.to, ToChannel)]


def to_user(outcome: Outcome, user: str) -> list[str]:
    return [s.message.key for s in sends(outcome) if isinstance(s.to, ToUser) and s.to.user == user]


def effects_of(outcome: Outcome, kind: type) -> list[Effect]:
    return [e for e in outcome.effects if isinstance(e, kind)]
