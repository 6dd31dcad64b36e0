"""pairs of people the facilitators keep apart in sub-groups

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interventions", sa.Column("apart", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("apart")
