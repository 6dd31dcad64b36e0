"""Messages built from the store on request: a person's own data, a facilitator's report."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.effects import UserText
from bot.core.model import Intervention, UserId
from bot.core.ports import Attachment, DeliveryError, OutMessage, Segment
from bot.i18n.render import Reader, Renderer, reader_for
from bot.reports.data import load_report
from bot.reports.exports import Format, report_files
from bot.storage import orm
from bot.storage.codec import decode
from bot.storage.store import SqlStore


async def my_data_rows(store: SqlStore, iid: str, user: UserId) -> list[tuple[str, str, str, str]]:
    """Every answer of one person (round, prompt, visibility, value): their own right to see."""
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
        (r.round_key, r.prompt_key, r.visibility, "—" if r.skipped else str(decode(r.value)))
        for r in rows
    ]


async def my_data_message(
    store: SqlStore, renderer: Renderer, state: Intervention, user: UserId
) -> OutMessage:
    reader = reader_for(state, user)
    t = renderer.text
    member = state.participants.get(user)
    lines = [t(reader, "mydata.heading", title=UserText(state.title))]
    if member is not None:
        lines.append(
            t(reader, "mydata.line", label="display_name", value=UserText(member.display_name))
        )
        lines.append(t(reader, "mydata.line", label="consent", value=member.consent))
        # The languages held: the one chosen (`/tst lang`) and the one the platform reports.
        for label, held in (("locale", member.locale), ("platform_locale", member.platform_locale)):
            lines.append(t(reader, "mydata.line", label=label, value=held or "-"))
        lines.append(
            t(
                reader,
                "mydata.line",
                label="attributes",
                value=UserText(
                    ", ".join(f"{k}={v}" for k, v in sorted(member.attributes.items())) or "-"
                ),
            )
        )
    answers = await my_data_rows(store, state.id, user)
    segments = [Segment("\n".join(lines))]
    for round_key, prompt_key, visibility, value in answers:
        segments += [
            Segment("\n"),
            *renderer.catalog.render(
                reader.locale,
                "mydata.answer",
                {
                    "round": round_key,
                    "prompt": prompt_key.split("#")[0],
                    "visibility": visibility,
                    "text": UserText(value),
                },
                reader.address,
                reader.timezone,
            ),
        ]
    if not answers:
        segments.append(Segment("\n" + t(reader, "mydata.none")))
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
