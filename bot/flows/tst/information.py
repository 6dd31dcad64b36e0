"""Step 5, circulating information: what each knows, the obstacle board, our part and our needs."""

from bot.core.model import Intervention
from bot.flows.spec import Open, Prompt, RoundSpec, StepSpec


def obstacles(state: Intervention) -> tuple[int, ...]:
    return tuple(b.id for b in state.board_of("obstacle"))


INFORMATION = StepSpec(
    kind="information",
    rounds=(
        RoundSpec(
            key="information.items",
            prompts=(Open("information.known"), Open("information.obstacle")),
            default_visibility="group_anonymous",
            allowed=("private", "facilitator", "group_anonymous", "group_attributed"),
        ),
        RoundSpec(
            key="information.our_part",
            # One pair of questions per obstacle on the board the facilitator published.
            prompts=(
                Prompt("information.our_part", "open", per_item=True),
                Prompt("information.need_from_others", "open", per_item=True),
            ),
            # Anonymous unless its author chooses to sign it: naming who holds which part
            # of a shared obstacle invites blame (TST.md step 5, "watch for" retaliation).
            default_visibility="group_anonymous",
            allowed=("facilitator", "group_anonymous", "group_attributed"),
            items=obstacles,
            needs_items=True,
        ),
    ),
)
