"""When the platform will not take a message where it was meant to go, or to whom: tell someone."""

from __future__ import annotations

from bot.core.effects import Button, ChannelLink, Message, Reply, ToChannel, Withdraw
from bot.core.events import DeliveryFailed, PersonUnreachable
from bot.core.model import Intervention
from bot.flows.context import Ctx
from bot.flows.queries import waiting_for

# Causes a facilitator can fix from the chat itself (add the bot, grant it a permission).
FIXABLE = frozenset({"not_in_channel", "missing_permission"})
# Platforms whose way of adding a bot the catalog explains; others get the general words.
EXPLAINED = frozenset({"slack", "discord"})


def delivery_failed(ctx: Ctx, state: Intervention, ev: DeliveryFailed) -> Intervention:
    """The facilitators learn at once, privately, that the bot cannot post in the channel (or
    a sub-group's space) and how to let it in; the message waits meanwhile, and leaves once
    they have. Told once per cause while messages wait for it, never for each message."""
    if ev.cause not in FIXABLE or ev.already_told:
        return state
    where = state.channel
    if ev.place == "space":
        group = next((g for g in state.subgroups if g.index == ev.subgroup), None)
        if group is None or group.space is None:
            return state
        where = group.space
    notice = f"{ev.cause}.{state.platform if state.platform in EXPLAINED else 'other'}"
    ctx.to_facilitators(state, Message(f"reach.{notice}", {"channel": ChannelLink(where)}))
    return state


# Where the channel's "direct messages closed" notice is recorded, so a later count edits it.
CLOSED_DMS_NOTICE = "reach:dm_closed"
NOTICES = (CLOSED_DMS_NOTICE,)


def person_unreachable(ctx: Ctx, state: Intervention, ev: PersonUnreachable) -> Intervention:
    """A direct message could not reach someone, for good. DMs closed: the channel learns how
    many people are reached through it instead (a count, never names) and gets the button
    that gives each of them, privately, what waits for them; a later person edits the count.
    A deactivated account: the facilitators learn how many people the bot can no longer
    reach. Once per person and cause: the same person bouncing again changes nothing."""
    if ev.already_counted or state.status == "closed":
        return state
    people = max(ctx.facts.unreachable, 1)
    if ev.cause == "dm_closed":
        notice = Message(
            "reach.dm_closed",
            {"count": people},
            (Button("myprompts", "button.my_prompts"),),
            item=CLOSED_DMS_NOTICE,
        )
        if CLOSED_DMS_NOTICE in ctx.facts.queued:
            ctx.add(Withdraw(CLOSED_DMS_NOTICE, notice))
        else:
            ctx.send(ToChannel(), notice)
    elif ev.cause == "account_inactive":
        ctx.to_facilitators(state, Message("reach.account_inactive", {"count": people}))
    return state


def my_prompts(ctx: Ctx, state: Intervention) -> Intervention:
    """The channel notice's button: what waits for this person, shown to them alone, where
    they clicked (their direct messages do not reach them)."""
    waiting = waiting_for(state, ctx.actor)
    for message in waiting:
        ctx.add(Reply(message))
    if not waiting:
        ctx.reply("reach.nothing_waiting")
    return state
