"""Step 2, the common contract: a needs round, a draft, a consent round on a versioned contract."""

from bot.core.model import Intervention
from bot.flows.spec import Consent, Open, RoundSpec, StepSpec


def current_version(state: Intervention) -> tuple[int, ...]:
    """A consent round is about the latest draft; there must be one."""
    current = state.current_contract()
    return (current.version,) if current is not None else ()


CONTRACT = StepSpec(
    kind="contract",
    rounds=(
        RoundSpec(
            key="contract.needs",
            prompts=(Open("contract.must_come_out"), Open("contract.conditions")),
            default_visibility="facilitator",
            allowed=("private", "facilitator", "group_anonymous"),
        ),
        RoundSpec(
            key="contract.consent",
            prompts=(Consent("contract.position"), Open("contract.reason")),
            default_visibility="group_anonymous",
            allowed=("facilitator", "group_anonymous", "group_attributed"),
            items=current_version,
            needs_items=True,
            # Each version of the draft gets its own run: `contract.consent@2`...
            repeatable=True,
        ),
    ),
)
