"""recurring check-ins: a weekly rule on a planned action

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scheduled_actions", sa.Column("every", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_actions") as batch:
        batch.drop_column("every")
