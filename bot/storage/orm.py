"""SQLAlchemy 2.0 typed tables. The author of an answer lives only in `response_authors`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which stores naive values) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


CASCADE = "CASCADE"


class InterventionRow(Base):
    __tablename__ = "interventions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    address_form: Mapped[str] = mapped_column(String(8))
    k_anonymity_min: Mapped[int] = mapped_column(Integer)
    anonymity: Mapped[str] = mapped_column(String(8), server_default="group")
    step: Mapped[str | None] = mapped_column(String(32))
    group_quality: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Whom to contact and which outside help to point to, per language (the contract's).
    help: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # Pairs of people kept apart in sub-groups ([[a, b], ...]): facilitators only.
    apart: Mapped[list[list[str]] | None] = mapped_column(JSON)
    # The facilitators' words (reworded prompts, own questions, previews) and private notes.
    wording: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[list[Any] | None] = mapped_column(JSON)
    # Conflict spaces (parties, positions, restatement loops), encoded: facilitators and members.
    conflicts: Mapped[list[Any] | None] = mapped_column(JSON)
    # "dm" or "pull" as a facilitator set it; NULL: decided by the intervention's size.
    delivery: Mapped[str | None] = mapped_column(String(8))
    # Optimistic concurrency: two processes never both apply an event to the same version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_interventions_channel", "platform", "workspace", "channel"),)


class ParticipantRow(Base):
    __tablename__ = "participants"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    consent: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    platform_locale: Mapped[str | None] = mapped_column(String(8))
    wants_dms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Asked for the weekly check-ins (NULL in rows older than the column: no).
    checkins: Mapped[bool | None] = mapped_column(Boolean)
    __table_args__ = (Index("ix_participants_user", "user"),)


class RoundRow(Base):
    __tablename__ = "rounds"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminded: Mapped[bool] = mapped_column(Boolean)
    published: Mapped[bool] = mapped_column(Boolean)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    items: Mapped[list[int]] = mapped_column(JSON)
    context: Mapped[str] = mapped_column(Text)
    deferred: Mapped[list[str]] = mapped_column(JSON)
    words: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the words it was opened with


class ResponseRow(Base):
    """An answer. `attributed_to` is set only for visibilities that carry a name."""

    __tablename__ = "responses"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), index=True
    )
    round_key: Mapped[str] = mapped_column(String(64))
    prompt_key: Mapped[str] = mapped_column(String(96))
    value: Mapped[Any] = mapped_column(JSON)
    visibility: Mapped[str] = mapped_column(String(24))
    skipped: Mapped[bool] = mapped_column(Boolean)
    subgroup: Mapped[int | None] = mapped_column(Integer)
    attributed_to: Mapped[str | None] = mapped_column(String(64))


class ResponseAuthorRow(Base):
    """The only link from an anonymous answer to its author: for edits, erasure and counting.
    No synthesis, report or export query reads this table."""

    __tablename__ = "response_authors"
    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete=CASCADE), primary_key=True
    )
    intervention_id: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_response_authors_author", "intervention_id", "author"),)


class SynthesisRow(Base):
    __tablename__ = "syntheses"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    round_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class ContractRow(Base):
    __tablename__ = "contract_versions"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    adopted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class BoardRow(Base):
    __tablename__ = "board_items"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    links: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))


class SubGroupRow(Base):
    __tablename__ = "subgroups"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    members: Mapped[list[str]] = mapped_column(JSON)
    space: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    # The report-back draft: {"version", "text", "agreed": [user, ...], "sent"}; no author.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ActionRow(Base):
    __tablename__ = "actions"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    proposal: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))


class ScheduledRow(Base):
    __tablename__ = "scheduled_actions"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command: Mapped[str] = mapped_column(Text)
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    every: Mapped[str | None] = mapped_column(String(16))


class LineThreadRow(Base):
    """A private-line thread: counts and the pad that seals its way back, never a person or
    a word (bot/flows/seal.py). No timestamp, so it cannot be lined up with other rows."""

    __tablename__ = "line_threads"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    pad: Mapped[str] = mapped_column(String(128))
    waiting: Mapped[bool] = mapped_column(Boolean)
    received: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)


class SafetyRequestRow(Base):
    """A time-out request or a flag: what it is about and where it stands, never who."""

    __tablename__ = "safety_requests"
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(24))


class PublishedRow(Base):
    """Where a flaggable item was posted (channel and platform message id), so that a
    facilitator's withdrawal can edit the bot's own messages."""

    __tablename__ = "published_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), index=True
    )
    item: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(200))


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    intervention_id: Mapped[str] = mapped_column(
        ForeignKey("interventions.id", ondelete=CASCADE), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(200))


class TemplateRow(Base):
    """An intervention's words and settings kept for others to start from, per workspace:
    never an answer, a note or a person (bot/flows/templates.py)."""

    __tablename__ = "templates"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # folded
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessedEventRow(Base):
    """Platform event ids already handled: a retried delivery never has a second effect."""

    __tablename__ = "processed_events"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class OutboxRow(Base):
    """Effects and timers waiting for delivery, written in the same transaction as the state."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    intervention_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    external_ref: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    # AUTOINCREMENT on SQLite: a row's id is never given again after a deletion (erasure,
    # re-planned timers), because a row's delivery key, a Discord nonce, derives from it and
    # Discord drops a message whose nonce it saw in the last minutes. PostgreSQL's sequence
    # never reuses an id anyway.
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"), {"sqlite_autoincrement": True})
