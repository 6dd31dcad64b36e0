"""App Home tab: what waits for me, where the intervention stands, what I said and who reads it."""

from __future__ import annotations

from typing import Any

from bot.core.edge import Home, Offer
from bot.core.ports import OutMessage

from .render import MAX_ACTIONS, MAX_VIEW_BLOCKS, button, chunks, escape, mrkdwn, section


def home_view(home: Home | str) -> dict[str, Any]:
    """The person's home (`EdgePort.home`) in blocks: nothing here decides what is in it."""
    if isinstance(home, str):  # in no intervention: one line
        return {"type": "home", "blocks": [section(escape(home))]}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": home.title[:150] or " "}}
    ]
    for out in home.waiting:
        blocks += _message_blocks(out)
    blocks.append({"type": "divider"})
    for out in home.standing:
        blocks += _message_blocks(out)
    for offer in home.reopen:
        blocks += _offer_blocks(offer)
    if home.levers is not None:
        blocks.append({"type": "divider"})
        blocks += _offer_blocks(home.levers)
    blocks.append({"type": "divider"})
    blocks += [section(c) for c in chunks(mrkdwn(home.mine.segments))]
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], section("…")]
    return {"type": "home", "blocks": blocks}


def _offer_blocks(offer: Offer) -> list[dict[str, Any]]:
    elements = [button(b) for b in offer.buttons]
    return [section(escape(offer.text)), {"type": "actions", "elements": elements}]


def _message_blocks(out: OutMessage) -> list[dict[str, Any]]:
    blocks = [section(c) for c in chunks(mrkdwn(out.segments))]
    elements = [button(b) for b in out.buttons]
    for start in range(0, len(elements), MAX_ACTIONS):
        blocks.append({"type": "actions", "elements": elements[start : start + MAX_ACTIONS]})
    return blocks
