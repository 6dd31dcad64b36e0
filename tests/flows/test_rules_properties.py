"""The cross-cutting TST rules, checked as properties over generated event sequences."""

from __future__ import annotations

from engine_helpers import FAC, Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.effects import Audit, Reply, Send, ToChannel, ToSpace, ToUser
from bot.core.events import AnswerSubmitted, ChoiceMade, CommandIssued, VisibilityChanged
from bot.core.model import VISIBILITIES, UserId, is_wider
from bot.flows.command_table import TABLE

PEOPLE = ("ana", "ben", "cleo", "dan", "eve")
ROUNDS = ("trust.intake", "trust.barometer", "conflict.positions", "contract.consent")
COMMANDS = (
    *(f"round open {r}" for r in ROUNDS),
    *(f"round close {r}" for r in ROUNDS),
    *(f"round remind {r}" for r in ROUNDS),
    *(f"publish {r}" for r in ROUNDS),
    "contract draft We cooperate.",
    "contract adopt",
    "step next",
    "pause",
    "resume",
    "status",
    "board add obstacle No shared channel",
    "board show",
    "help",
    "leave",
)
TEXTS = st.sampled_from(("yes", "no idea", "it is hard", "@everyone look", "<!channel> hi"))
VALUES = {
    "trust.hope": TEXTS,
    "trust.worry": TEXTS,
    "trust.need": TEXTS,
    "barometer.level": st.integers(0, 6),
    "barometer.word": TEXTS,
    "conflict.describe": TEXTS,
    "conflict.reproach_and_fear": TEXTS,
    "contract.position": st.sampled_from(("agree", "object", "not_yet", "maybe")),
    "contract.reason": TEXTS,
}
PROMPTS = {
    "trust.intake": ("trust.hope", "trust.worry", "trust.need"),
    "trust.barometer": ("barometer.level", "barometer.word"),
    "conflict.positions": ("conflict.describe", "conflict.reproach_and_fear"),
    "contract.consent": ("contract.position", "contract.reason"),
}


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[object, ...]]:
    actions: list[tuple[object, ...]] = []
    for _ in range(draw(st.integers(5, 40))):
        kind = draw(st.sampled_from(("cmd", "cmd", "answer", "answer", "answer", "vis", "skip")))
        actor = draw(st.sampled_from((FAC, *PEOPLE)))
        if kind == "cmd":
            actions.append(("cmd", actor, draw(st.sampled_from(COMMANDS))))
        elif kind in ("answer", "vis", "skip"):
            rnd = draw(st.sampled_from(ROUNDS))
            prompt = PROMPTS[rnd][0]
            value = draw(VALUES[prompt])
            actions.append((kind, actor, rnd, draw(st.sampled_from(VISIBILITIES)), value))
    return actions


def run(actions: list[tuple[object, ...]]) -> Session:
    s = Session()
    s.group_with(*PEOPLE[:4])
    for action in actions:
        assert s.state is not None
        before = s.state
        kind, actor = action[0], str(action[1])
        if kind == "cmd":
            event: object = CommandIssued(s.meta(str(actor)), str(action[2]))
        elif kind == "answer":
            rnd, vis = str(action[2]), action[3]
            answers = {PROMPTS[rnd][0]: action[4]}
            event = AnswerSubmitted(s.meta(actor, None), before.id, rnd, answers, vis)  # type: ignore[arg-type]
        elif kind == "vis":
            event = VisibilityChanged(s.meta(actor, None), before.id, action[2], action[3])  # type: ignore[arg-type]
        else:
            event = ChoiceMade(s.meta(actor, None), before.id, "skip", action[2])
        outcome = s.feed(event)  # type: ignore[arg-type]
        check_rules(before, event, outcome)
    return s


def check_rules(before, event, outcome) -> None:  # type: ignore[no-untyped-def]
    after = outcome.state
    audits = [e for e in outcome.effects if isinstance(e, Audit)]
    # Facilitator authority, with one audit line per action.
    if isinstance(event, CommandIssued):
        cmd = TABLE.parse(event.text)
        if TABLE.needs_facilitator(cmd):
            if not before.is_facilitator(event.meta.user):
                assert outcome.refused and after is before and not audits
            elif outcome.refused:
                assert after is before and not audits
            else:
                assert len(audits) == 1 and audits[0].actor == event.meta.user
        else:
            assert not audits
    else:
        assert not audits
    if outcome.refused:
        assert after is before
        assert all(isinstance(e, Reply) for e in outcome.effects)
    k = before.k_anonymity_min
    for effect in outcome.effects:
        if not isinstance(effect, Send):
            continue
        message = effect.message
        synthesis = message.synthesis
        if synthesis is not None:
            # Nothing is revealed before its round is closed.
            assert after.rounds[synthesis.round_key].status == "closed"
            for p in synthesis.prompts:
                # No aggregate below k contributors.
                if p.contributors < k:
                    assert not p.counts and p.mean is None
                    assert all(q.author_name for q in p.quotes)
            if isinstance(effect.to, ToChannel | ToSpace):
                assert synthesis.audience != "facilitator"
        if message.key == "round.reminder":
            # A reminder never names anyone: its words are the same for every recipient.
            assert isinstance(effect.to, ToUser)
            assert set(message.params) <= {"round"}
        if isinstance(effect.to, ToChannel):
            assert "user" not in message.params
    # An answer's visibility widens only through its own author's act.
    for rid, old in before.responses.items():
        new = after.responses.get(rid)
        if new is not None and is_wider(new.visibility, old.visibility):
            assert event.meta.user == old.author


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps())
def test_rules_hold_for_any_sequence_of_events(actions: list[tuple[object, ...]]) -> None:
    run(actions)


def test_a_facilitator_cannot_widen_someone_elses_answer() -> None:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd("round open trust.intake")
    s.answer("ana", "trust.intake", {"trust.hope": "mine"}, visibility="facilitator")
    assert s.state is not None
    out = s.feed(
        VisibilityChanged(s.meta(FAC, None), s.state.id, "trust.intake", "group_attributed")
    )
    assert out.refused
    (answer,) = s.state.responses.values()
    assert answer.visibility == "facilitator" and answer.author == UserId("ana")
