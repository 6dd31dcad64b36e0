"""each person in their language, each click confirmed once: the language a platform reports
for a participant, and who said "not now" to a round

Existing `participants.locale` values stay where they are, read as the person's own choice:
they may have come from the platform, but one of them may be a `/tst lang` the person typed,
and a choice someone made must not be lost.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("platform_locale", sa.String(length=8), nullable=True))
    op.add_column(
        "rounds",
        sa.Column("deferred", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("deferred")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("platform_locale")
