"""Pull mode: a round announced once in the channel, each person opening their own prompts."""

# Above a size (or when a facilitator asks for it) a round costs one channel message, not one
# direct message per person: each person presses "My prompts" and sees, privately, what waits
# for them (bot/flows/reach.py answers it from queries.waiting_for). Direct messages still go
# to whoever asked for them. The counts the facilitators see do not change: a round's
# recipients are the same people in both modes; only the way the prompt reaches them differs.

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Button, Message, Params, Phrase, ToChannel, ToUser
from bot.core.model import Delivery, Intervention, UserId
from bot.core.overlay import put
from bot.flows.context import Ctx, Policy
from bot.flows.prompts import prompt_message
from bot.flows.queries import waiting_rounds

# What a facilitator may type after `round delivery` / `tour envoi`, in either language.
MODES: dict[str, Delivery | None] = {
    "channel": "pull",
    "pull": "pull",
    "salon": "pull",
    "canal": "pull",
    "direct": "dm",
    "dm": "dm",
    "dms": "dm",
    "mp": "dm",
    "privé": "dm",
    "prive": "dm",
    "auto": None,
    "automatic": None,
    "automatique": None,
}
# `answer dm` / `répondre mp` asks for direct messages; followed by one of these, stops them.
DM_WORDS = frozenset({"dm", "dms", "mp", "privé", "prive", "direct"})
OFF_WORDS = frozenset({"off", "no", "stop", "non", "arrêt", "arret"})
ON_WORDS = frozenset({"on", "yes", "oui"})


def pulls(state: Intervention, policy: Policy) -> bool:
    """Whether rounds are announced once in the channel: as a facilitator set it, otherwise
    when more people would be asked than the configured size."""
    if state.delivery is not None:
        return state.delivery == "pull"
    return len(state.askable()) > policy.pull_above


def direct(state: Intervention, policy: Policy, people: Iterable[UserId]) -> list[UserId]:
    """Who among `people` gets a round's prompt or reminder by direct message: everyone in
    DM mode; in pull mode only those who asked for it."""
    chosen = sorted(people)
    if not pulls(state, policy):
        return chosen
    return [u for u in chosen if (p := state.participants.get(u)) is not None and p.wants_dms]


def buttons() -> tuple[Button, ...]:
    return (
        Button("myprompts", "button.my_prompts", style="primary"),
        Button("dms", "pull.dms_on_button", "on"),
    )


def opened(state: Intervention, policy: Policy, key: str, count: int) -> Message:
    """The channel's word that a round opened: in pull mode it carries the buttons."""
    params: Params = {"round": key, "count": count}
    if pulls(state, policy):
        return Message("pull.opened", params, buttons())
    return Message("round.opened", params)


def remind_channel(ctx: Ctx, state: Intervention, key: str) -> None:
    """In pull mode a reminder is one channel message that names nobody."""
    if pulls(state, ctx.policy):
        ctx.send(ToChannel(), Message("pull.reminder", {"round": key}, buttons()))


def _mode_reply(ctx: Ctx, state: Intervention) -> None:
    dms = sum(1 for u in state.askable() if state.participants[u].wants_dms)
    mode = Phrase("pull.mode_pull" if pulls(state, ctx.policy) else "pull.mode_dm")
    limit = ctx.policy.pull_above
    if state.delivery is None:
        ctx.reply("pull.set_auto", mode=mode, limit=limit, dms=dms)
    elif state.delivery == "pull":
        ctx.reply("pull.set_pull", dms=dms)
    else:
        ctx.reply("pull.set_dm")


def set_delivery(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`round delivery channel|direct|auto`: a facilitator chooses how rounds reach people;
    without a word, says how they do now."""
    if not cmd.words:
        _mode_reply(ctx, state)
        return state
    word = cmd.words[0].lower()
    if word not in MODES or len(cmd.words) > 1:
        ctx.refuse("pull.error_choices", limit=ctx.policy.pull_above)
    state = replace(state, delivery=MODES[word])
    _mode_reply(ctx, state)
    ctx.audit_target = state.delivery or "auto"
    return state


def wants_dms(ctx: Ctx, state: Intervention, on: bool) -> Intervention:
    """A person asks for their prompts by direct message too (what waits is sent at once), or
    stops asking. Kept whatever the mode: it matters whenever rounds go to the channel."""
    user = ctx.actor
    member = state.participants.get(user) if user is not None else None
    if member is None or not member.active:
        ctx.refuse("error.not_a_participant")
    if on:
        waiting = waiting_rounds(state, member.user) if not member.wants_dms else ()
        for key in waiting:
            ctx.send(ToUser(member.user), prompt_message("round.prompt_again", key))
        ctx.reply("pull.dms_on", (Button("dms", "pull.dms_off_button", "off"),), count=len(waiting))
    else:
        ctx.reply("pull.dms_off")
    member = replace(member, wants_dms=on)
    return replace(state, participants=put(state.participants, member.user, member))


def dms_choice(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """The announcement's button (and the confirmation's): "on" or "off"."""
    if value not in ("on", "off"):
        ctx.refuse("pull.error_button")
    return wants_dms(ctx, state, value == "on")


def dm_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`answer dm` turns direct messages on, `answer dm off` off (`répondre mp [non]`)."""
    words = [w.lower() for w in cmd.words]
    if not words or words[0] not in DM_WORDS or len(words) > 2:
        ctx.refuse("pull.error_answer_words")
    if not set(words[1:]) <= OFF_WORDS | ON_WORDS:
        ctx.refuse("pull.error_answer_words")
    return wants_dms(ctx, state, not set(words[1:]) & OFF_WORDS)
