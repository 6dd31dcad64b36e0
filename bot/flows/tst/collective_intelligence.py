"""Step 6, collective intelligence: each one's reality, role reversal, recognising the causes."""

from bot.core.model import Intervention
from bot.flows.spec import Choice, Open, RoundSpec, StepSpec


def causes(state: Intervention) -> tuple[int, ...]:
    return tuple(b.id for b in state.board_of("cause"))


COLLECTIVE_INTELLIGENCE = StepSpec(
    kind="collective_intelligence",
    rounds=(
        RoundSpec(
            key="collective_intelligence.situation",
            # The facilitator gives the scenario as the round's context when opening it.
            prompts=(
                Open("collective_intelligence.what_i_do"),
                Open("collective_intelligence.fear"),
            ),
            default_visibility="group_anonymous",
            allowed=("private", "facilitator", "group_anonymous", "group_attributed"),
        ),
        RoundSpec(
            key="collective_intelligence.reversal",
            prompts=(Open("collective_intelligence.other_view"),),
            default_visibility="group_anonymous",
            allowed=("private", "facilitator", "group_anonymous", "group_attributed"),
        ),
        RoundSpec(
            key="collective_intelligence.recognition",
            prompts=(
                Choice("collective_intelligence.recognise", "yes", "partly", "no"),
                Open("collective_intelligence.missing"),
            ),
            default_visibility="group_anonymous",
            allowed=("facilitator", "group_anonymous", "group_attributed"),
            items=causes,
            needs_items=True,
        ),
    ),
)
