"""The seven TST steps assembled into the default flow."""

from bot.flows.spec import Flow
from bot.flows.tst.collective_intelligence import COLLECTIVE_INTELLIGENCE
from bot.flows.tst.conflict import CONFLICT
from bot.flows.tst.contract import CONTRACT
from bot.flows.tst.information import INFORMATION
from bot.flows.tst.solutions import SOLUTIONS
from bot.flows.tst.subgroups import SUBGROUPS
from bot.flows.tst.trust import TRUST


def tst_flow() -> Flow:
    """The default TST flow, in the method's order."""
    return Flow(
        steps=(
            TRUST,
            CONTRACT,
            SUBGROUPS,
            CONFLICT,
            INFORMATION,
            COLLECTIVE_INTELLIGENCE,
            SOLUTIONS,
        )
    )
