"""The messages that ask a person something: the frame to accept, a round's prompts."""

from __future__ import annotations

from bot.core.effects import Button, Message, UserText
from bot.core.model import Intervention
from bot.flows.line import line_buttons


def prompt_message(key: str, round_key: str) -> Message:
    """The DM that carries a round's prompts, with skip and not-now always offered, and the
    safety levers: a private word to the facilitators, a time-out."""
    return Message(
        key,
        {"round": round_key},
        buttons=(
            Button("answer", "button.answer", round_key, "primary"),
            Button("skip", "button.skip", round_key),
            Button("notnow", "button.not_now", round_key),
            *line_buttons(),
        ),
        form_round=round_key,
    )


def frame_message(state: Intervention) -> Message:
    names = ", ".join(state.participants[f].display_name for f in state.facilitators())
    return Message(
        "frame.body",
        {
            "title": UserText(state.title),
            "facilitators": UserText(names),
            "k": state.k_anonymity_min,
        },
        buttons=(
            Button("consent", "button.accept_frame", "accept", "primary"),
            Button("consent", "button.decline_frame", "decline"),
        ),
    )
