"""Messages built from the store on request: a person's own data, a facilitator's report."""

from __future__ import annotations

from babel import Locale as BabelLocale
from sqlalchemy import select

from bot.core.effects import Phrase, UserText
from bot.core.model import AnswerValue, Intervention, UserId
from bot.core.ports import Attachment, DeliveryError, OutMessage, Segment
from bot.flows.space_view import written_by
from bot.i18n.render import Reader, Renderer, reader_for
from bot.reports.data import load_report
from bot.reports.exports import Format, report_files
from bot.reports.words import plain
from bot.storage import orm
from bot.storage.codec import decode
from bot.storage.store import SqlStore


async def my_answers(
    store: SqlStore, iid: str, user: UserId
) -> list[tuple[str, str, str, AnswerValue | None]]:
    """Every answer of one person (round, prompt, visibility, value or None when skipped):
    their own right to see."""
    async with store.unit() as uow:
        rows = (
            (
                await uow.session.execute(
                    select(orm.ResponseRow)
                    .join(
                        orm.ResponseAuthorRow,
                        orm.ResponseAuthorRow.response_id == orm.ResponseRow.id,
                    )
                    .where(
                        orm.ResponseAuthorRow.intervention_id == iid,
                        orm.ResponseAuthorRow.author == user,
                    )
                    .order_by(orm.ResponseRow.round_key, orm.ResponseRow.prompt_key)
                )
            )
            .scalars()
            .all()
        )
    return [
        (r.round_key, r.prompt_key, r.visibility, None if r.skipped else decode(r.value))
        for r in rows
    ]


async def my_data_rows(store: SqlStore, iid: str, user: UserId) -> list[tuple[str, str, str, str]]:
    """`my_answers` with each value as plain text ("—" when skipped)."""
    return [
        (round_key, prompt_key, visibility, "—" if value is None else str(value))
        for round_key, prompt_key, visibility, value in await my_answers(store, iid, user)
    ]


def answer_text(
    renderer: Renderer, state: Intervention, reader: Reader, prompt_key: str, value: object
) -> str:
    """An answer as its author gave it, in words: a chosen option by its label, points and
    rankings by the items they went to; never an option's internal value."""
    if value is None:
        return "—"
    spec = renderer.flow.prompts().get(prompt_key.partition("#")[0])
    kind = spec.kind if spec is not None else "open"

    def label(option: object) -> str:
        return plain(renderer.option_label(state, reader, kind, str(option), None))

    if isinstance(value, dict):
        return ", ".join(f"{label(k)} — {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(label(v) for v in value)
    if kind in ("choice", "consent", "multi") or (kind == "dots" and str(value).isdigit()):
        return label(value)
    return str(value)


def _language(code: str | None, reader: Reader) -> str:
    return str(BabelLocale.parse(code).get_display_name(reader.locale)) if code else "-"


async def my_data_message(
    store: SqlStore, renderer: Renderer, state: Intervention, user: UserId
) -> OutMessage:
    reader = reader_for(state, user)
    t = renderer.text
    member = state.participants.get(user)
    lines = [t(reader, "mydata.heading", title=UserText(state.title))]
    if member is not None:
        lines.append(
            t(
                reader,
                "mydata.line",
                label=t(reader, "mydata.label.display_name"),
                value=UserText(member.display_name),
            )
        )
        consent = t(reader, f"mydata.consent.{member.consent}")
        lines.append(
            t(reader, "mydata.line", label=t(reader, "mydata.label.consent"), value=consent)
        )
        # The languages held: the one chosen (`/tst lang`) and the one the platform reports.
        for label, held in (
            (t(reader, "mydata.label.locale"), member.locale),
            (t(reader, "mydata.label.platform_locale"), member.platform_locale),
        ):
            lines.append(t(reader, "mydata.line", label=label, value=_language(held, reader)))
        lines.append(
            t(
                reader,
                "mydata.line",
                label=t(reader, "mydata.label.attributes"),
                value=UserText(
                    ", ".join(f"{k}={v}" for k, v in sorted(member.attributes.items())) or "-"
                ),
            )
        )
    answers = await my_answers(store, state.id, user)
    segments = [Segment("\n".join(lines))]
    for round_key, prompt_key, visibility, value in answers:
        segments += [
            Segment("\n"),
            *renderer.catalog.render(
                reader.locale,
                "mydata.answer",
                {
                    "round": round_key,
                    "prompt": UserText(renderer.prompt_label(state, reader, prompt_key, round_key)),
                    "visibility": visibility,
                    "text": UserText(answer_text(renderer, state, reader, prompt_key, value)),
                },
                reader.address,
                reader.timezone,
            ),
        ]
    if not answers:
        segments.append(Segment("\n" + t(reader, "mydata.none")))
    for space, kind, text in written_by(state, user):  # what they wrote in conflict spaces
        segments += [
            Segment("\n"),
            *renderer.catalog.render(
                reader.locale,
                "conflict.mydata",
                {
                    "space": space.number,
                    "subject": UserText(space.subject),
                    "kind": Phrase(f"conflict.mydata_kind.{kind}"),
                    "text": UserText(text),
                },
                reader.address,
                reader.timezone,
            ),
        ]
    if state.anonymity == "full":
        # Their group-anonymous answers of closed rounds are no longer theirs to be shown.
        segments.append(Segment("\n\n" + t(reader, "privacy.mydata_full")))
    return OutMessage(tuple(segments))


async def report_message(
    store: SqlStore,
    renderer: Renderer,
    state: Intervention,
    reader: Reader,
    markdown: bool = False,
) -> OutMessage:
    """The facilitator's DM: one line, and the files. The group's report (HTML and CSV, to
    share as it is) and the facilitator's own (HTML); both in Markdown when asked."""
    data = await load_report(store, state.id)
    if data is None:  # erased between the request and its delivery: nothing to send
        raise DeliveryError("intervention gone", permanent=True, cause="gone")
    group: tuple[Format, ...] = ("md",) if markdown else ("html", "csv")
    own: tuple[Format, ...] = ("md",) if markdown else ("html",)
    files = report_files(data, renderer, reader, "group", group) + report_files(
        data, renderer, reader, "facilitator", own
    )
    summary = renderer.catalog.render(
        reader.locale,
        "report.sent",
        {"title": UserText(state.title), "files": ", ".join(f.name for f in files)},
        reader.address,
        reader.timezone,
    )
    return OutMessage(
        summary, files=tuple(Attachment(f.name, f.data, f.title, f.mime) for f in files)
    )
