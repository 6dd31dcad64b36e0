"""conflict spaces: parties, blind positions and restatement loops, per intervention

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interventions", sa.Column("conflicts", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("conflicts")
