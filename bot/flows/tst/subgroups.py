"""Step 3, calm fears in heterogeneous sub-groups: exchanges that stay inside each sub-group."""

from bot.flows.spec import Open, RoundSpec, StepSpec
from bot.flows.tst.trust import BAROMETER

SUBGROUPS = StepSpec(
    kind="subgroups",
    rounds=(
        RoundSpec(
            key="subgroups.exchange",
            prompts=(Open("subgroups.ordinary_day"), Open("subgroups.imagined_view")),
            space="subgroup",
            # "Group" here is the sub-group: nothing leaves it unless it decides so.
            default_visibility="group_attributed",
            allowed=("private", "facilitator", "group_anonymous", "group_attributed"),
        ),
        RoundSpec(
            key="subgroups.discovery",
            prompts=(Open("subgroups.surprise"),),
            space="subgroup",
            default_visibility="group_attributed",
            allowed=("private", "facilitator", "group_anonymous", "group_attributed"),
        ),
        RoundSpec(
            key="subgroups.barometer",
            prompts=BAROMETER,
            default_visibility="group_anonymous",
            allowed=("private", "group_anonymous"),
        ),
    ),
)
