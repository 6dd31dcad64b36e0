"""Step 1, inspire trust: frame and consent (on joining), a private intake, a barometer."""

from bot.flows.spec import Open, RoundSpec, Scale, StepSpec

BAROMETER = (Scale("barometer.level", 1, 5), Open("barometer.word", max_length=80))

TRUST = StepSpec(
    kind="trust",
    rounds=(
        RoundSpec(
            key="trust.intake",
            prompts=(Open("trust.hope"), Open("trust.worry"), Open("trust.need")),
            # Intake answers go to the facilitator, named, unless the person chooses otherwise.
            default_visibility="facilitator",
            allowed=("private", "facilitator", "group_anonymous"),
        ),
        RoundSpec(
            key="trust.barometer",
            prompts=BAROMETER,
            default_visibility="group_anonymous",
            allowed=("private", "group_anonymous"),
            repeatable=True,
        ),
    ),
)
