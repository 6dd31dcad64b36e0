"""Weekly check-ins reach only those who asked for them: one invitation, then their own choice."""

# The default is "no": TST.md §3.2 gives everyone the right not to answer and forbids coaxing,
# and a prompt that comes back every week to someone who never asked for it is coaxing. So when
# a facilitator plans a weekly check-in, each participant gets one invitation with two buttons
# (and `/tst checkins on|off` at any time); nobody is asked again if they say nothing.

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import Command, fold
from bot.core.effects import Button, Message, ToUser
from bot.core.model import Intervention, Participant, UserId
from bot.core.overlay import put
from bot.flows.context import Ctx

ON_WORDS = frozenset({"on", "oui", "yes", "activer", "recevoir"})
OFF_WORDS = frozenset({"off", "non", "no", "stop", "arreter", "desactiver"})


def opted_in(state: Intervention) -> tuple[UserId, ...]:
    """Who gets the weekly check-ins: participants in the frame who asked for them."""
    return tuple(u for u in state.askable() if state.participants[u].checkins)


def _invitation(round_key: str) -> Message:
    buttons = (
        Button("checkins", "checkins.button_on", "on", "primary"),
        Button("checkins", "checkins.button_off", "off"),
    )
    return Message("checkins.invitation", {"round": round_key}, buttons)


def invite(ctx: Ctx, state: Intervention, round_key: str) -> None:
    """A weekly check-in was planned: ask each participant once whether they want it."""
    asked = state.askable()
    for user in asked:
        if not state.participants[user].checkins:
            ctx.send(ToUser(user), _invitation(round_key))
    ctx.reply("checkins.invited_reply", invited=len(asked), count=len(opted_in(state)))


def welcome(ctx: Ctx, state: Intervention, user: UserId) -> None:
    """Someone joins while a weekly check-in is planned: the one invitation the others had."""
    weekly = [action for action in state.scheduled if action.every]
    member = state.participants.get(user)
    if weekly and member is not None and member.askable and not member.checkins:
        ctx.send(ToUser(user), _invitation(weekly[0].command.split()[-1]))


def command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst checkins on|off`; without a word, says what the person chose."""
    word = fold(cmd.words[0]) if cmd.words else ""
    if not word:
        member = _member(ctx, state)
        ctx.reply("checkins.now_on" if member.checkins else "checkins.now_off")
        return state
    if word not in ON_WORDS | OFF_WORDS:
        ctx.refuse("checkins.error_syntax")
    return choose(ctx, state, "on" if word in ON_WORDS else "off")


def choose(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """The invitation's buttons and the command: yes or no to the weekly check-ins."""
    if value not in ("on", "off"):
        ctx.refuse("error.unknown_action")
    member = _member(ctx, state)
    wanted = value == "on"
    ctx.reply("checkins.on_reply" if wanted else "checkins.off_reply")
    if member.checkins == wanted:
        return state  # a second press changes nothing
    participants = put(state.participants, member.user, replace(member, checkins=wanted))
    return replace(state, participants=participants)


def _member(ctx: Ctx, state: Intervention) -> Participant:
    member = state.participants.get(ctx.actor) if ctx.actor is not None else None
    if member is None or not member.reachable or member.is_facilitator:
        ctx.refuse("checkins.error_not_participant")
    return member
