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
from bot.flows.parties import MAX_POSITION
from bot.flows.refusals import MAX_LINE
from bot.flows.reportback import MAX_REPORT
from bot.flows.templates import MAX_NAME
from bot.flows.wording import MAX_WORDS
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
    "wordsform": "words",
    "noteform": "fnote",
    "tform": "tsave",
    # Conflict spaces: a position (or what each side needs), a restatement, a "not quite".
    "cposition": "cposition",
    "crestate": "crestate",
    "notquite": "notquite",
    "rbchange": "rbchange",  # other words for a sub-group's report-back draft
}
# The forms only a facilitator may fill: a question's words, a private note.
FACILITATOR_FORMS = frozenset({"lreply", "wordsform", "noteform", "tform"})
ANONYMOUS, NAMED = "anonymous", "named"
SPACE_FORMS = frozenset({"cposition", "crestate", "notquite"})


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

    if action in ("words", "fnote", "tsave"):
        return _facilitator_form(renderer, state, action, value, reader, form)
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
    if action in SPACE_FORMS:
        space = next((s for s in state.conflicts if f"{s.number}" == value.split(".")[0]), None)
        if space is None or (action == "cposition") != (space.phase in ("positions", "needs")):
            return None
        name = f"space.{space.phase}" if action == "cposition" else f"space.{action}"
        title = t(reader, f"note.{name}_title", space=space.number)
        return asked(name, title, True, MAX_POSITION)
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


def _facilitator_form(
    renderer: Renderer,
    state: Intervention,
    action: str,
    value: str,
    reader: Reader,
    form: partial[NoteForm],
) -> NoteForm | None:
    """A question's words in one language (`value` "<round>|<n or new>|<language>"), or a
    private note: long text, written in a form rather than on the command line."""
    t = renderer.text
    longest = {"tsave": MAX_NAME, "fnote": MAX_NOTE}  # a template's name, a private note
    if action in longest:
        return form(
            title=t(reader, f"note.{action}.title"),
            explanation=t(reader, f"note.{action}.explain"),
            text_label=t(reader, f"note.{action}.text"),
            text_required=True,
            max_length=longest[action],
        )
    round_key, _, tail = value.partition("|")
    which, _, lang = tail.partition("|")
    if renderer.flow.round(round_key) is None or lang not in ("fr", "en"):
        return None
    new = which == "new"
    return form(
        title=t(reader, "note.words.new_title" if new else "note.words.title"),
        explanation=t(
            reader,
            "note.words.new_explain" if new else "note.words.explain",
            round=round_key,
            number=which,
            language=t(reader, f"wording.language.{lang}"),
        ),
        text_label=t(reader, "note.words.text", language=t(reader, f"wording.language.{lang}")),
        text_required=True,
        max_length=MAX_WORDS,
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
