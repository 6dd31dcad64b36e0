"""a sub-group's report-back draft, and each person's choice of weekly check-ins

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 10:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subgroups", sa.Column("report", sa.JSON()))
    # NULL in the rows already there: nobody asked for check-ins yet, which is the default.
    op.add_column("participants", sa.Column("checkins", sa.Boolean()))


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("checkins")
    with op.batch_alter_table("subgroups") as batch:
        batch.drop_column("report")
