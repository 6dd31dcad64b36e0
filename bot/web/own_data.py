"""What a person's own page shows: everything one intervention holds about them."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale as BabelLocale
from sqlalchemy import select

from bot.core.model import Intervention, UserId
from bot.i18n.render import Reader, Renderer
from bot.reports.personal import my_data_rows
from bot.storage import orm
from bot.storage.store import SqlStore


async def joined(store: SqlStore, platform: str, workspace: str, user: str) -> list[str]:
    """Ids of every intervention that holds this person in one workspace, newest first."""
    row, member = orm.InterventionRow, orm.ParticipantRow
    async with store.unit() as uow:
        found = await uow.session.scalars(
            select(row.id)
            .join(member, member.intervention_id == row.id)
            .where(row.platform == platform, row.workspace == workspace, member.user == user)
            .order_by(row.created_at.desc())
        )
        return list(found)


@dataclass(frozen=True, slots=True)
class MyData:
    """Everything one intervention holds about one person, as their page shows it."""

    id: str
    title: str
    facts: tuple[tuple[str, str], ...]  # label, value
    answers: tuple[tuple[str, str, str, str], ...]  # round, question, visibility, answer
    full_anonymity: bool


async def my_data(
    store: SqlStore, renderer: Renderer, state: Intervention, user: UserId, reader: Reader
) -> MyData:
    t = renderer.text
    member = state.participants[user]
    unknown = t(reader, "web.me.unknown")
    facts = (
        (t(reader, "web.me.name"), member.display_name or unknown),
        (t(reader, "web.me.role"), t(reader, f"web.me.role_{member.role}")),
        (t(reader, "web.me.consent"), t(reader, f"web.me.consent_{member.consent}")),
        (t(reader, "web.me.language"), _language(member.locale, reader) or unknown),
        (
            t(reader, "web.me.platform_language"),
            _language(member.platform_locale, reader) or unknown,
        ),
        (t(reader, "web.me.timezone"), member.timezone or unknown),
        (
            t(reader, "web.me.attributes"),
            ", ".join(f"{k} = {v}" for k, v in sorted(member.attributes.items())) or unknown,
        ),
    )
    answers = tuple(
        (
            renderer.round_title(reader, round_key),
            renderer.prompt_label(state, reader, prompt_key.split("#")[0], round_key),
            t(reader, f"visibility.{visibility}.label"),
            t(reader, "web.me.skipped") if value == "—" else value,
        )
        for round_key, prompt_key, visibility, value in await my_data_rows(store, state.id, user)
    )
    return MyData(state.id, state.title, facts, answers, state.anonymity == "full")


def _language(code: str | None, reader: Reader) -> str:
    """A language code as its name in the reader's language ("fr" → "français")."""
    return str(BabelLocale.parse(code).get_display_name(reader.locale) or code) if code else ""
