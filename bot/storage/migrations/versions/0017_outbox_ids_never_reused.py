"""outbox ids are never reused on SQLite (AUTOINCREMENT), so a delivery key derived from a
row's id cannot repeat the key of a deleted row's message

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 07:00:00
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # a PostgreSQL sequence never hands out an id twice
    # SQLite only gives AUTOINCREMENT at table creation: the batch copies the table into a
    # new one declared with it, keeping every row and index. sqlite_sequence starts from the
    # largest id copied, so no id already used is handed out again.
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("outbox", recreate="always"):
        pass
