"""Step 4, constructive conflict: blind positions, restating the other side, checking it landed."""

from bot.core.model import VISIBILITIES
from bot.flows.spec import Choice, Open, Restate, RoundSpec, StepSpec

ALL = VISIBILITIES

CONFLICT = StepSpec(
    kind="conflict",
    rounds=(
        RoundSpec(
            key="conflict.positions",
            # Written before anyone sees the others': answers are revealed together at close.
            prompts=(Open("conflict.describe"), Open("conflict.reproach_and_fear")),
            default_visibility="group_anonymous",
            allowed=ALL,
        ),
        RoundSpec(
            key="conflict.restatement",
            prompts=(
                Restate("conflict.restate", source_round="conflict.positions"),
                Open("conflict.hard_to_hear"),
            ),
            default_visibility="group_anonymous",
            allowed=ALL,
        ),
        RoundSpec(
            key="conflict.recognition",
            prompts=(
                Choice("conflict.understood", "yes", "partly", "no"),
                Open("conflict.correction"),
            ),
            default_visibility="group_anonymous",
            allowed=ALL,
        ),
    ),
)
