"""the safety line: private-line threads (counts and a pad, never a person or a word),
time-out requests and flags, where flaggable items were posted, and the pause's start

Revision ID: 0016
Revises: 0007
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interventions", sa.Column("paused_at", sa.DateTime(timezone=True)))
    op.add_column("interventions", sa.Column("help", sa.JSON()))
    op.create_table(
        "line_threads",
        sa.Column("intervention_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("pad", sa.String(length=128), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_line_threads_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("intervention_id", "number", name=op.f("pk_line_threads")),
    )
    op.create_table(
        "safety_requests",
        sa.Column("intervention_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_safety_requests_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("intervention_id", "id", name=op.f("pk_safety_requests")),
    )
    op.create_table(
        "published_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("intervention_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_published_messages_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_messages")),
    )
    op.create_index(
        op.f("ix_published_messages_intervention_id"),
        "published_messages",
        ["intervention_id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_published_messages_intervention_id"), table_name="published_messages")
    op.drop_table("published_messages")
    op.drop_table("safety_requests")
    op.drop_table("line_threads")
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("help")
        batch.drop_column("paused_at")
