"""how rounds reach people (a DM each, or one channel announcement) and who asked for DMs

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interventions", sa.Column("delivery", sa.String(8)))
    op.add_column(
        "participants",
        sa.Column("wants_dms", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("wants_dms")
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("delivery")
