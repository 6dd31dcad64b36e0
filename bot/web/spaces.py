"""The conflict spaces on the facilitator's live page: the same view as `/tst groupes
espaces` (bot/flows/space_view.py), in words: counts by party and each loop, never words."""

from __future__ import annotations

from bot.core.effects import UserText
from bot.core.model import Intervention
from bot.flows.space_view import of_space
from bot.i18n.render import Reader, Renderer


def space_lines(
    state: Intervention, renderer: Renderer, reader: Reader
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    t = renderer.text
    out: list[tuple[str, tuple[str, ...]]] = []
    for space in state.conflicts:
        view = of_space(space, counts=True)
        heading = t(
            reader,
            "conflict.view_space",
            space=view.number,
            subject=UserText(view.subject),
            phase=t(reader, f"conflict.phase.{view.phase}"),
            parties=UserText(", ".join(view.party_names)),
        )
        lines = [
            t(
                reader,
                "conflict.view_party",
                party=UserText(p.name),
                spoken=p.spoken,
                members=p.members,
            )
            for p in view.parties
        ]
        lines += [
            t(
                reader,
                f"conflict.view_loop_{lp.stand}",
                restater=UserText(lp.restater),
                owner=UserText(lp.owner),
                rounds=lp.rounds,
            )
            for lp in view.loops
        ]
        out.append((heading, tuple(lines)))
    return tuple(out)
