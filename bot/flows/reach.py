"""When the platform will not take a message where it was meant to go: tell the facilitators."""

from __future__ import annotations

from bot.core.effects import ChannelLink, Message
from bot.core.events import DeliveryFailed
from bot.core.model import Intervention
from bot.flows.context import Ctx

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
