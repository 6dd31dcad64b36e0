"""What the state says to one person: what waits for them, where it stands, what they may do."""

# Slack's App Home, Discord's "Get my prompts", the answer to a DM, `/tst status` and `/tst
# answer` all read these; nothing else computes them. Pure functions of the state (and of the
# counts the runner read from the database), like the engine beside them.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.core.effects import Button, Message, UserText
from bot.core.model import Intervention, Status, UserId
from bot.flows import refusals, reportback
from bot.flows.checkins import opted_in
from bot.flows.line import line_buttons
from bot.flows.prompts import frame_message, prompt_message
from bot.flows.safety import SafetyCounts, counts


def waiting_rounds(state: Intervention, user: UserId | None) -> tuple[str, ...]:
    """The open rounds that ask this person and that they have neither answered nor skipped.
    Nothing for someone who has not accepted the frame, withdrew from it or left: the engine
    refuses their answers, so no prompt may say otherwise."""
    member = state.participants.get(user) if user is not None else None
    if state.status == "closed" or member is None or not member.reachable:
        return ()
    said = {r.round_key for r in state.responses.values() if r.author == user}
    return tuple(
        sorted(
            key
            for key, rnd in state.rounds.items()
            if rnd.status == "open" and user in rnd.recipients and key not in said
        )
    )


def waiting_for(state: Intervention, user: UserId | None) -> list[Message]:
    """What waits for this person, as the messages that ask it: the frame to accept, then
    each open round they have not answered yet, with its buttons."""
    member = state.participants.get(user) if user is not None else None
    if state.status == "closed" or member is None or not member.active:
        return []
    frame = [frame_message(state)] if member.consent == "pending" else []
    return frame + [
        prompt_message("round.prompt_again", key) for key in waiting_rounds(state, user)
    ]


@dataclass(frozen=True, slots=True)
class RoundProgress:
    """How far one open round is: how many of the people it asks have answered or skipped."""

    key: str
    answered: int
    total: int


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the intervention stands for one person. Everyone sees the title, status, step,
    open rounds and how many accepted the frame; facilitators also see each open round's
    progress, the undelivered messages by cause and the safety line's counts. Counts only:
    never who has answered, who could not be reached or who wrote."""

    title: str
    status: Status
    step: str
    open_rounds: tuple[str, ...]
    participants: int
    facilitator: bool = False
    progress: tuple[RoundProgress, ...] = ()
    undelivered: Mapping[str, int] = field(default_factory=dict)
    safety: SafetyCounts | None = None
    # Per open round, how many passed or said "not now" (bot/flows/refusals.py), as messages.
    passes: tuple[Message, ...] = ()
    # Sub-groups' report-backs sent, and how many asked for the weekly check-ins.
    groups: tuple[Message, ...] = ()


def standing(
    state: Intervention, user: UserId | None, undelivered: Mapping[str, int] | None = None
) -> Standing:
    """`undelivered`: the dead letters by cause, read by the caller from the database (the
    engine does no I/O); shown to facilitators only."""
    # In the order they were opened: the order the facilitator works in.
    opened = sorted((r.opened_at, k) for k, r in state.rounds.items() if r.status == "open")
    open_rounds = tuple(k for _at, k in opened)
    everyone = Standing(
        title=state.title,
        status=state.status,
        step=state.step or "-",
        open_rounds=open_rounds,
        participants=sum(1 for p in state.participants.values() if p.reachable),
    )
    if not state.is_facilitator(user):
        return everyone
    progress = tuple(
        RoundProgress(
            key,
            len({r.author for r in state.responses.values() if r.round_key == key}),
            len(state.rounds[key].recipients),
        )
        for key in open_rounds
    )
    return replace(
        everyone,
        facilitator=True,
        progress=progress,
        passes=tuple(refusals.counts(state, p.key) for p in progress),
        undelivered=dict(undelivered or {}),
        safety=counts(state),
        groups=_groups_and_checkins(state),
    )


FACILITATOR_OWN = (Button("notes", "button.notes.open"), Button("tform", "button.notes.template"))


def _groups_and_checkins(state: Intervention) -> tuple[Message, ...]:
    out = []
    sent, of = reportback.tally(state)
    if of:
        out.append(Message("reportback.status", {"sent": sent, "of": of}))
    if any(a.every for a in state.scheduled):
        asked = len(state.askable())
        out.append(Message("checkins.status", {"count": len(opted_in(state)), "of": asked}))
    return tuple(out)


def standing_messages(where: Standing) -> list[Message]:
    """The standing as the messages that say it, in the order `/tst status` gives them."""
    out = [
        Message(
            "status.body",
            {
                "title": UserText(where.title),
                "status": where.status,
                "step": where.step,
                "rounds": ", ".join(where.open_rounds) or "-",
                "participants": where.participants,
            },
            # A facilitator's own: the private notes and templates, which have no Discord
            # sub-command (25 at most, all taken).
            FACILITATOR_OWN if where.facilitator else (),
        )
    ]
    for i, p in enumerate(where.progress):
        out.append(
            Message("status.round", {"round": p.key, "answered": p.answered, "total": p.total})
        )
        out += where.passes[i : i + 1]
    if where.undelivered:
        out.append(Message("status.undelivered", {"count": sum(where.undelivered.values())}))
        out += [
            Message("status.undelivered_cause", {"cause": cause, "count": count})
            for cause, count in sorted(where.undelivered.items(), key=lambda c: (-c[1], c[0]))
        ]
    out += where.groups
    c = where.safety
    if c is not None and c.any:
        params = {
            "threads": c.threads,
            "waiting": c.waiting,
            "timeouts": c.timeouts_open,
            "flags": c.flags_open,
        }
        out.append(Message("status.safety", dict(params), (Button("inbox", "button.inbox"),)))
    return out


def allowed_actions(state: Intervention, user: UserId | None) -> tuple[Button, ...]:
    """The buttons this person may press now, wherever they are offered: accept or decline
    the frame while it waits; answer each open round that asks them (again, to change an
    answer, while it is open); a participant's safety levers; a facilitator's inbox when it
    holds something. The engine refuses what is not here."""
    member = state.participants.get(user) if user is not None else None
    if state.status == "closed" or member is None or not member.active:
        return ()
    out: list[Button] = []
    if member.consent == "pending":
        out += frame_message(state).buttons
    if member.reachable:
        out += [
            Button("answer", "button.answer", key, "primary")
            for key, rnd in sorted(state.rounds.items())
            if rnd.status == "open" and user in rnd.recipients
        ]
    if member.is_facilitator:
        if counts(state).any:
            out.append(Button("inbox", "button.inbox"))
    else:
        out += line_buttons()
    return tuple(out)
