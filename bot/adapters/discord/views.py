"""The discord.py objects an interaction is answered with, and the payload read back from it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.adapters.discord import render
from bot.core.ports import OutButton

Inter = discord.Interaction[Any]


class RawModal(discord.ui.Modal):
    """A modal whose body `render` built; stopped at once so discord.py never keeps it in
    memory (the submission is routed by custom_id, after a restart too)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(title=body["title"], custom_id=body["custom_id"])
        self.body = body
        self.stop()

    def to_dict(self) -> dict[str, Any]:
        return self.body


def buttons_view(buttons: Sequence[OutButton]) -> discord.ui.View:
    """Plain buttons whose clicks the DynamicItem routes; the view itself is never stored."""
    view = discord.ui.View(timeout=None)
    for b in buttons[:25]:
        style = discord.ButtonStyle(render.STYLES.get(b.style, 2))
        view.add_item(discord.ui.Button(label=b.label[:80], custom_id=b.action_id, style=style))
    view.stop()
    return view


def interaction_payload(i: Inter) -> dict[str, Any]:
    """The fields of the INTERACTION_CREATE that `parse.meta_from` reads."""
    person = {"id": str(i.user.id), "username": i.user.name, "global_name": i.user.global_name}
    out: dict[str, Any] = {
        "id": str(i.id),
        "channel_id": str(i.channel_id) if i.channel_id else None,
        "locale": str(i.locale.value) if i.locale else None,
        "guild_id": str(i.guild_id) if i.guild_id else None,
        "authorizing_integration_owners": {
            str(k): str(v) for k, v in i._integration_owners.items()
        },
    }
    out["member" if i.guild_id else "user"] = {"user": person} if i.guild_id else person
    return out
