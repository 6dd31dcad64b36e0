"""The safety line's rules as properties of the pure engine, over generated sequences of
events: whatever happens, what was said on the line goes to facilitators and to its writer
only, as relayed private messages (never kept, never held by a pause), never to a channel,
a sub-group space, an audit line or a stored field; flags alone take nothing down."""

from __future__ import annotations

import dataclasses

from engine_helpers import FAC, Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.effects import Audit, Send, ToUser, UserText, Withdraw
from bot.core.events import ChoiceMade, NoteSubmitted
from bot.core.model import FLAG_REASONS

PEOPLE = ("ana", "ben", "cleo")
SECRET = "zqsecretword"

step = st.one_of(
    st.tuples(st.just("line"), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("reply"), st.just(FAC), st.booleans()),
    st.tuples(st.just("again"), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("timeout"), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("flag"), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("pause"), st.just(FAC), st.booleans()),
    st.tuples(st.just("resume"), st.just(FAC), st.booleans()),
    st.tuples(st.just("withdraw"), st.just(FAC), st.booleans()),
)


def _values(s: Session, action: str) -> list[str]:
    return [
        b.value
        for o in s.outcomes
        for e in o.effects
        if isinstance(e, Send)
        for b in e.message.buttons
        if b.action == action
    ]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, max_size=14))
def test_what_is_said_on_the_line_goes_to_private_relays_only(
    steps: list[tuple[str, str, bool]],
) -> None:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("round open intake")
    for p in PEOPLE:
        s.answer(p, "trust.intake", {"trust.hope": f"zqhope{p}"}, "group_anonymous")
    s.cmd("round close intake")
    s.cmd("publish intake")
    assert s.state is not None
    iid = s.state.id
    start = len(s.outcomes)
    flags = 0
    for kind, who, named in steps:
        text = f"{SECRET} {kind}"
        meta = s.meta(who, None)
        if kind == "line":
            s.feed(NoteSubmitted(meta, iid, "line", "", text, named))
        elif kind == "reply" and _values(s, "lreply"):
            s.feed(NoteSubmitted(meta, iid, "lreply", _values(s, "lreply")[-1], text))
        elif kind == "again" and _values(s, "lwrite"):
            s.feed(NoteSubmitted(meta, iid, "line", _values(s, "lwrite")[-1], text, named))
        elif kind == "timeout":
            s.feed(ChoiceMade(meta, iid, "timeout", "named" if named else "anonymous"))
        elif kind == "flag":
            reason = FLAG_REASONS[flags % len(FLAG_REASONS)]
            flags += 1
            s.feed(NoteSubmitted(meta, iid, "flag", "synthesis:trust.intake", text, named, reason))
        elif kind in ("pause", "resume"):
            s.cmd(kind)
        elif kind == "withdraw" and _values(s, "withdraw") and named:
            s.feed(ChoiceMade(meta, iid, "withdraw", _values(s, "withdraw")[-1]))
    for outcome in s.outcomes[start:]:
        for effect in outcome.effects:
            if isinstance(effect, Send) and SECRET in repr(effect.message):
                assert effect.relay, "line text queued as an ordinary message"
                assert isinstance(effect.to, ToUser), "line text sent to a channel or space"
            if isinstance(effect, Send) and effect.relay:
                assert isinstance(effect.to, ToUser)
            if isinstance(effect, Audit):
                assert SECRET not in repr(effect)
                assert effect.target == "" or not any(p in effect.target for p in PEOPLE)
    # Nothing said on the line, nor who said it, is in the state the store keeps.
    state = s.state
    assert state is not None
    kept = repr(dataclasses.replace(state, participants={}, rounds={}, responses={}))
    assert SECRET not in kept
    assert not any(p in repr(state.lines) + repr(state.requests) for p in PEOPLE)
    # Flags take nothing down: only a facilitator's withdrawal does.
    withdrawn = any(isinstance(e, Withdraw) for o in s.outcomes for e in o.effects)
    assert state.syntheses["trust.intake"].withdrawn == withdrawn
    if not withdrawn:
        assert "zqhopeana" in repr(state.syntheses["trust.intake"])


def test_a_name_reaches_the_facilitator_only_when_given() -> None:
    s = Session()
    s.group_with(*PEOPLE)
    assert s.state is not None
    out = s.feed(NoteSubmitted(s.meta("ana", None), s.state.id, "line", "", "zq hello"))
    (alert,) = [e for e in out.effects if isinstance(e, Send)]
    assert alert.message.params["sender"] == "anonymous"
    out = s.feed(NoteSubmitted(s.meta("ana", None), s.state.id, "line", "", "zq hi", True))
    (alert,) = [e for e in out.effects if isinstance(e, Send)]
    assert alert.message.params["sender"] == UserText("ana")
