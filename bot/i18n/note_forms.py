"""The one-line forms a platform shows as modals (private line, an answer to it, a flag, what
would make an answer possible, a declined action's reason), localized for their reader, and
what a submitted one means, the same on every platform."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from bot.core.effects import UserText
from bot.core.events import EventMeta, NoteSubmitted
from bot.core.model import FLAG_REASONS, Intervention, InterventionId
from bot.core.ports import NoteForm
from bot.flows.board import MAX_ITEM
from bot.flows.line import MAX_NOTE, MAX_WORD, split
from bot.flows.refusals import MAX_LINE
from bot.flows.reportback import MAX_REPORT
from bot.i18n.render import Reader, Renderer

# The buttons that open a form, and the form each opens: "talk" a new thread, "lwrite" the
# writer's own thread continued, "lreply" a facilitator's answer, "flag" a flag, "possible"
# what would make an answer possible after passing, "decline" an action declined with a reason,
# "blocked" what stands in the way of an action, told by its owner.
FORM_OF = {
    "talk": "line",
    "lwrite": "line",
    "lreply": "lreply",
    "flag": "flag",
    "possible": "possible",
    "decline": "decline",
    "blocked": "blocked",
    "rbchange": "rbchange",  # other words for a sub-group's report-back draft
}
ANONYMOUS, NAMED = "anonymous", "named"


def note_form(
    renderer: Renderer, state: Intervention, button: str, value: str, reader: Reader
) -> NoteForm | None:
    """The form behind a button, or None when there is nothing to fill any more (the item
    is gone, the thread closed, the person is not in the intervention)."""
    action = FORM_OF.get(button)
    if action is None or state.status == "closed":
        return None
    t = renderer.text
    who = (
        (ANONYMOUS, t(reader, "button.without_my_name")),
        (NAMED, t(reader, "button.with_my_name")),
    )
    form = partial(
        NoteForm,
        intervention=state.id,
        action=action,
        value=value,
        submit_label=t(reader, "note.submit"),
        locale=reader.locale,
        close_label=t(reader, "form.close"),
    )

    def asked(
        name: str,
        title: str,
        required: bool,
        max_length: int,
        who_label: str = "",
        named: tuple[tuple[str, str], ...] = (),
    ) -> NoteForm:
        """A form of one text: `note.<name>_explain` above it, `note.<name>_text` its label."""
        return form(
            title=title,
            explanation=t(reader, f"note.{name}_explain"),
            text_label=t(reader, f"note.{name}_text"),
            text_required=required,
            max_length=max_length,
            who_label=who_label,
            who=named,
        )

    if action == "possible":
        rnd = state.rounds.get(value)
        if rnd is None or rnd.status != "open":
            return None
        return asked("possible", t(reader, "note.possible_title"), True, MAX_LINE)
    if action == "decline":
        if not any(str(a.id) == value and a.status == "proposed" for a in state.actions):
            return None
        return asked("decline", t(reader, "note.decline_title", action=value), False, MAX_ITEM)
    if action == "blocked":
        if not any(str(a.id) == value and a.status in ("todo", "blocked") for a in state.actions):
            return None
        return asked("blocked", t(reader, "note.blocked_title"), False, MAX_ITEM)
    if action == "rbchange":
        return _report_change(form, state, value, reader, t)
    if action == "line":
        title = t(reader, "note.line_title")
        return asked("line", title, True, MAX_NOTE, t(reader, "note.line_who"), who)
    if action == "lreply":
        number, _ = split(value)
        if state.line(number) is None:
            return None
        return asked("reply", t(reader, "note.reply_title", thread=number), True, MAX_NOTE)
    items: tuple[tuple[str, str], ...] = ()
    if value == "board":
        items = tuple(
            (str(b.id), f"#{b.id} {b.text}"[:75])
            for b in state.board
            if b.status != "withdrawn" and b.text
        )
        if not items:
            return None
    return form(
        title=t(reader, "note.flag_title"),
        explanation=t(reader, "note.flag_explain"),
        text_label=t(reader, "note.flag_word"),
        text_required=False,
        max_length=MAX_WORD,
        who_label=t(reader, "note.flag_who"),
        who=who,
        reason_label=t(reader, "note.flag_reason"),
        reasons=tuple((r, t(reader, f"flag.reason.{r}")) for r in FLAG_REASONS),
        item_label=t(reader, "note.flag_item") if items else "",
        items=items,
    )


def note_submitted(
    meta: EventMeta,
    intervention: str,
    action: str,
    value: str,
    text: str,
    who: str = "",
    reason: str = "",
    item: str = "",
) -> NoteSubmitted:
    """A filled safety form as the core's event. A flag on the board names its item."""
    if action == "flag" and value == "board" and item:
        value = f"board:{item}"
    return NoteSubmitted(
        meta, InterventionId(intervention), action, value, text, who == NAMED, reason
    )


def _report_change(
    form: Callable[..., NoteForm],
    state: Intervention,
    value: str,
    reader: Reader,
    t: Callable[..., str],
) -> NoteForm | None:
    """Other words for a sub-group's draft, shown with the draft they replace; None once the
    draft is no longer the current one or was sent."""
    group, _, version = value.partition(".")
    g = next((g for g in state.subgroups if str(g.index) == group), None)
    report = g.report if g is not None and g.status == "open" else None
    if report is None or report.sent or str(report.version) != version:
        return None
    return form(
        title=t(reader, "reportback.form_title", group=g.index if g else 0),
        explanation=t(reader, "reportback.form_explain", text=UserText(report.text)),
        text_label=t(reader, "reportback.form_text"),
        text_required=True,
        max_length=MAX_REPORT,
    )
