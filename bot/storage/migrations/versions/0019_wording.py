"""the facilitators' words (reworded prompts, own questions), private notes and templates

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interventions", sa.Column("wording", sa.JSON()))
    op.add_column("interventions", sa.Column("notes", sa.JSON()))
    op.add_column("rounds", sa.Column("words", sa.JSON()))
    op.create_table(
        "templates",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", "name", name=op.f("pk_templates")),
    )


def downgrade() -> None:
    op.drop_table("templates")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("words")
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("notes")
        batch.drop_column("wording")
