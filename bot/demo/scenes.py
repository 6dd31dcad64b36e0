"""Scenes of the demo told apart from its run: a sub-group's report-back agreed and posted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.model import InterventionId

if TYPE_CHECKING:
    from bot.demo.run import Demo


async def report_backs(demo: Demo, text: Any) -> None:
    """In the first sub-group a member drafts, another proposes other words, and all agree
    to version 2; in the others the first draft is agreed as it is. Each goes to the
    channel unsigned once its whole sub-group agreed."""
    async with demo.app.store.unit() as uow:
        state = await uow.load(InterventionId(demo.iid))
    assert state is not None
    for g in (g for g in state.subgroups if g.status == "open"):
        first, *others = g.members
        if g.index == state.subgroups[0].index and others:
            draft, amended = text["report_back"]
            await demo.cmd(f"groups report {draft}", first)
            await demo.note(others[0], "rbchange", f"{g.index}.1", amended)
            version, agreeing = 2, [first, *others[1:]]
        else:
            await demo.cmd(f"groups report {text['report_back_other']}", first)
            version, agreeing = 1, others
        for member in agreeing:
            await demo.choose(member, "rbagree", f"{g.index}.{version}")
