"""Conflict spaces (TST step 4): one per issue, named parties, positions written blind, then
the restatement loops (bot/flows/restating.py), then what is hard to hear and what each side
needs. What is written in a space goes to its members and the facilitators, never the channel."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.commands import Command, mention
from bot.core.conflicts import ConflictSpace, Loop, Party, SpacePhase, Statement
from bot.core.effects import Lines, Message, Params, Phrase, Reply, ToUser, UserText
from bot.core.model import Intervention, UserId
from bot.flows import restating, space_view
from bot.flows.context import Ctx
from bot.flows.spaces import (
    member_space,
    names,
    open_needs,
    put,
    space_of,
    to_space,
    write_button,
)

MAX_POSITION = 1500  # one position in one chat message on every platform, with its frame
MAX_SUBJECT = 200
MAX_PARTY_NAME = 60
MAX_SPACES = 20
# Parties are separated by "|" (or ";"), never inside a Slack mention such as <@U1|ana>.
SEPARATOR = re.compile(r"[|;](?![^<]*>)")
SUBGROUP = re.compile(r"^#(\d{1,3})$")
BLIND: tuple[SpacePhase, ...] = ("positions", "needs")


def _party(ctx: Ctx, state: Intervention, segment: str) -> Party:
    members: list[UserId] = []
    words: list[str] = []
    for word in segment.split():
        user = mention(word)
        group = SUBGROUP.match(word)
        if user is not None:
            members.append(user)
        elif group is not None:
            found = next((g for g in state.subgroups if g.index == int(group.group(1))), None)
            if found is None:
                ctx.refuse("error.conflict.subgroup_unknown", group=group.group(1))
            members += found.members
        else:
            words.append(word)
    for user in members:
        member = state.participants.get(user)
        if member is None or not member.active:
            ctx.refuse("error.groups_member_unknown")
        if member.is_facilitator:
            ctx.refuse("error.conflict.facilitator_party")
        if not member.reachable:  # a space's words reach only people who accepted the frame
            ctx.refuse("error.conflict.not_in_frame", name=UserText(member.display_name))
    unique = tuple(dict.fromkeys(members))
    if not unique:
        ctx.refuse("error.conflict.syntax")
    name = (
        " ".join(words)[:MAX_PARTY_NAME]
        or " / ".join(state.participants[u].display_name for u in unique)[:MAX_PARTY_NAME]
    )
    return Party(name, unique)


def open_space(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst groupes conflit <sujet> | <partie> @a @b | <partie> @c | <partie> #2`: a space
    for one issue, two parties or more (people, or a sub-group by its number)."""
    if not cmd.text:
        return view(ctx, state, cmd)
    subject, *segments = (s.strip() for s in SEPARATOR.split(cmd.text))
    if not subject or len(subject) > MAX_SUBJECT or len(segments) < 2:
        ctx.refuse("error.conflict.syntax")
    if sum(1 for s in state.conflicts if s.phase != "done") >= MAX_SPACES:
        ctx.refuse("error.conflict.too_many", count=MAX_SPACES)
    parties = tuple(_party(ctx, state, s) for s in segments)
    everyone = [u for p in parties for u in p.members]
    if len(everyone) != len(set(everyone)):
        ctx.refuse("error.conflict.twice")
    number = max((s.number for s in state.conflicts), default=0) + 1
    space = ConflictSpace(number, subject, parties)
    for index, party in enumerate(parties):
        others = tuple(i for i in range(len(parties)) if i != index)
        for user in party.members:
            ctx.send(
                ToUser(user),
                Message(
                    "conflict.opened",
                    {
                        "by": ctx.speaker(state),
                        "space": number,
                        "subject": UserText(subject),
                        "party": UserText(party.name),
                        "others": UserText(names(space, others)),
                    },
                    buttons=(write_button(number, "positions"),),
                ),
            )
    ctx.reply(
        "conflict.opened_reply",
        space=number,
        subject=UserText(subject),
        parties=UserText(names(space)),
    )
    ctx.audit_target = f"space#{number}"  # the words stay out of the exported log
    return replace(state, conflicts=(*state.conflicts, space))


def write(ctx: Ctx, state: Intervention, word: str, text: str) -> Intervention:
    """A member's words for a blind phase: kept unseen until every party has written (a second
    text from the same person replaces their first), then revealed to the whole space."""
    space, party = member_space(ctx, state, word)
    if space.phase not in BLIND:
        ctx.refuse("error.conflict.phase", space=space.number)
    text = text.strip()
    if not text or len(text) > MAX_POSITION:
        ctx.refuse("error.conflict.text", limit=MAX_POSITION)
    assert ctx.actor is not None
    kept = tuple(
        s for s in space.statements if not (s.phase == space.phase and s.author == ctx.actor)
    )
    space = replace(space, statements=(*kept, Statement(space.phase, party, ctx.actor, text)))
    written = {s.party for s in space.statements if s.phase == space.phase}
    if len(written) < len(space.parties):
        ctx.reply(f"conflict.{space.phase}_kept", space=space.number)
        return put(state, space)
    ctx.reply(f"conflict.{space.phase}_kept_last", space=space.number)
    return put(state, reveal(ctx, state, space))


def reveal(ctx: Ctx, state: Intervention, space: ConflictSpace) -> ConflictSpace:
    """Every party's words of the blind phase, together, to the space and the facilitators;
    then the next phase opens."""
    lines: list[tuple[str, Params]] = []
    for index, party in enumerate(space.parties):
        said = [s.text for s in space.statements if s.phase == space.phase and s.party == index]
        if not said:
            lines.append(("conflict.line_none", {"party": UserText(party.name)}))
        for text in said:
            lines.append(("conflict.line", {"party": UserText(party.name), "text": UserText(text)}))
    params: Params = {
        "space": space.number,
        "subject": UserText(space.subject),
        "said": Lines(tuple(lines)),
    }
    to_space(ctx, state, space, Message(f"conflict.{space.phase}_revealed", params))
    if space.phase == "positions":
        return restating.start_loops(ctx, state, replace(space, phase="restating"))
    return replace(space, phase="done")


def move_on(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst groupes suite <n>`: the facilitator moves the space on from where it stands. It is
    recorded and said to the space as it is, without judgement: blind words written so far are
    revealed; unfinished loops end as "moved on"; the last phase closes the space."""
    if not cmd.words:
        ctx.refuse("error.conflict.syntax")
    space = space_of(ctx, state, cmd.words[0])
    ctx.audit_target = f"space#{space.number}.{space.phase}"
    by = ctx.speaker(state)
    if space.phase == "done":
        ctx.refuse("error.conflict.phase", space=space.number)
    if space.phase == "restating":
        space = restating.end_open_loops(ctx, state, space, by)
        ctx.reply("conflict.moved_on_reply", space=space.number)
        return put(state, open_needs(ctx, state, space))
    written = {s.party for s in space.statements if s.phase == space.phase}
    if len(written) < len(space.parties):
        space = replace(space, moved_on=(*space.moved_on, space.phase))
        to_space(
            ctx,
            state,
            space,
            Message(
                "conflict.moved_on_blind",
                {"by": by, "space": space.number, "phase": Phrase(f"conflict.phase.{space.phase}")},
            ),
        )
    ctx.reply("conflict.moved_on_reply", space=space.number)
    return put(state, reveal(ctx, state, space))


def without(state: Intervention, user: UserId) -> tuple[ConflictSpace, ...]:
    """The spaces once `user` is erased: out of their party, their positions, restatements,
    answers and corrections gone (a loop keeps its count of rounds, not their words)."""

    def loop(lp: Loop) -> Loop:
        attempts = tuple(
            replace(
                a,
                author=UserId("") if a.author == user else a.author,
                text="" if a.author == user else a.text,
                answered_by=None if a.answered_by == user else a.answered_by,
                correction="" if a.answered_by == user else a.correction,
            )
            for a in lp.attempts
        )
        return replace(lp, attempts=attempts)

    return tuple(
        replace(
            s,
            parties=tuple(
                replace(p, members=tuple(m for m in p.members if m != user)) for p in s.parties
            ),
            statements=tuple(st for st in s.statements if st.author != user),
            loops=tuple(loop(lp) for lp in s.loops),
        )
        for s in state.conflicts
    )


def texts_of(state: Intervention, user: UserId) -> tuple[str, ...]:
    """Everything `user` wrote in a space, for the erasure to find in messages on their way."""
    out = [st.text for s in state.conflicts for st in s.statements if st.author == user]
    for s in state.conflicts:
        for lp in s.loops:
            out += [a.text for a in lp.attempts if a.author == user and a.text]
            out += [a.correction for a in lp.attempts if a.answered_by == user and a.correction]
    return tuple(out)


def view(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    """`/tst groupes espaces`: facilitators see every space with who has spoken, counted by
    party, and where each loop stands; a member sees only the spaces they belong to."""
    for message in space_view.messages(state, ctx.actor):
        ctx.add(Reply(message))
    return state
