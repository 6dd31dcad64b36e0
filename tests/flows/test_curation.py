"""The facilitators' review before publishing: the draft reaches them privately at close, and
what the group reads is the reviewed synthesis (held items out, merged once, redactions marked,
the facilitator's restatement signed), audited by kind, never by words."""

from __future__ import annotations

from engine_helpers import FAC, Session, audits, replies, sends, to_user

from bot.core.effects import Send, ToChannel
from bot.core.model import Synthesis
from bot.flows.curation import curated, draft

PEOPLE = ("ana", "ben", "cleo", "dan")
WORDS = {
    "ana": "We never hear back from the head office",
    "ben": "Nobody answers our questions from the office",
    "cleo": "Marc in accounting shouts at the night shift",
    "dan": "The planning changes every week",
}


def closed_round() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("round open trust.intake")
    for person, text in WORDS.items():
        s.answer(person, "trust.intake", {"trust.hope": text}, visibility="group_anonymous")
    return s


def group_synthesis(s: Session) -> Synthesis:
    assert s.state is not None
    return s.state.syntheses["trust.intake"]


def number_of(s: Session, text: str) -> str:
    for quote in draft(group_synthesis(s)).prompts[0].quotes:
        if quote.text == text:
            return quote.number
    raise AssertionError(f"{text!r} not in the draft")


def posted(s: Session) -> Synthesis:
    out = s.cmd("publish trust.intake")
    found = [
        e.message.synthesis
        for e in sends(out)
        if isinstance(e, Send) and isinstance(e.to, ToChannel) and e.message.synthesis
    ]
    assert len(found) == 1
    return found[0]


def texts(synthesis: Synthesis) -> list[str]:
    return [q.text for p in synthesis.prompts for q in p.quotes]


def test_closing_a_round_sends_the_draft_to_the_facilitator_and_nothing_to_the_channel() -> None:
    s = closed_round()
    out = s.cmd("round close trust.intake")
    assert "curation.draft" in to_user(out, FAC)
    channel = [e.message for e in sends(out) if isinstance(e.to, ToChannel)]
    assert [m.key for m in channel] == ["round.closed"]  # a count, no words
    assert all(m.synthesis is None for m in channel)


def test_a_held_item_is_not_published_and_can_be_given_back() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    marc = number_of(s, WORDS["cleo"])
    assert replies(s.cmd(f"round hold trust.intake {marc}")) == ["curation.held"]
    assert WORDS["cleo"] not in texts(curated(group_synthesis(s)))
    assert replies(s.cmd(f"tour retenir trust.intake {marc}")) == ["curation.released"]
    assert WORDS["cleo"] in texts(posted(s))


def test_merged_items_are_published_once_saying_how_many_said_it() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    keep, fold = number_of(s, WORDS["ana"]), number_of(s, WORDS["ben"])
    s.cmd(f"round merge trust.intake {keep} {fold}")
    out = posted(s)
    assert WORDS["ben"] not in texts(out)
    merged = next(q for q in out.prompts[0].quotes if q.text == WORDS["ana"])
    assert merged.merged == 2


def test_a_redacted_item_is_published_in_the_new_words_marked_as_edited() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    marc = number_of(s, WORDS["cleo"])
    s.cmd(f"round edit trust.intake {marc} Someone in accounting shouts at the night shift")
    out = posted(s)
    assert WORDS["cleo"] not in texts(out)
    edited = [q for q in out.prompts[0].quotes if q.edited]
    assert [q.text for q in edited] == ["Someone in accounting shouts at the night shift"]


def test_the_restatement_goes_with_the_synthesis_signed_by_the_facilitator() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    s.cmd("tour reformuler trust.intake Ce que j'entends : le lien avec le siège manque.")
    out = posted(s)
    assert out.curation.restatement == "Ce que j'entends : le lien avec le siège manque."
    assert s.state is not None
    assert out.curation.restated_by == s.state.participants[FAC].display_name


def test_curation_is_audited_by_kind_never_by_its_words() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    out = s.cmd(f"round edit trust.intake {number_of(s, WORDS['dan'])} The planning moves")
    [audit] = audits(out)
    assert audit.target == "trust.intake:edited"
    assert "planning" not in repr(audit)


def test_only_facilitators_curate_and_refusals_change_nothing() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    before = s.state
    for text, refusal in (("round hold trust.intake 1.1", "error.facilitator_only"),):
        out = s.cmd(text, user="ana")
        assert replies(out) == [refusal] and s.state is before
    for text, refusal in (
        ("round hold trust.intake 9.9", "error.curate_no_item"),
        ("round hold trust.intake", "error.curate_syntax"),
        ("round merge trust.intake 1.1 1.1", "error.curate_merge"),
        ("round edit trust.intake 1.1", "error.note_empty"),
        ("round hold trust.barometer 1.1", "error.curate_before_close"),
    ):
        out = s.cmd(text)
        assert replies(out) == [refusal], text
        assert s.state is before


def test_nothing_is_curated_once_published() -> None:
    s = closed_round()
    s.cmd("round close trust.intake")
    posted(s)
    assert replies(s.cmd("round hold trust.intake 1.1")) == ["error.already_published"]


def test_the_report_shows_the_reviewed_synthesis_not_the_draft() -> None:
    from bot.reports.data import _facts as round_facts

    s = closed_round()
    s.cmd("round close trust.intake")
    s.cmd(f"round hold trust.intake {number_of(s, WORDS['cleo'])}")
    assert s.state is not None
    facts = round_facts(s.state, s.state.rounds["trust.intake"])
    assert facts.synthesis is not None
    assert WORDS["cleo"] not in texts(facts.synthesis)
