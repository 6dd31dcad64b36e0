"""private answers: the anonymity choice, and answers re-keyed with random ids

Answers written before this revision have ids derived from their platform event (uuid5), which
joins them to `processed_events`, and are stored in the order they came. Each one gets a
random id and every answer is written again in a random order (author links kept, in an order
of their own), as `bot/storage/anonymity.py` does for each round from now on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 20:00:00
"""

import secrets
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

responses = sa.table(
    "responses",
    sa.column("id", sa.String),
    sa.column("intervention_id", sa.String),
    sa.column("round_key", sa.String),
    sa.column("prompt_key", sa.String),
    sa.column("value", sa.JSON),
    sa.column("visibility", sa.String),
    sa.column("skipped", sa.Boolean),
    sa.column("subgroup", sa.Integer),
    sa.column("attributed_to", sa.String),
)
authors = sa.table(
    "response_authors",
    sa.column("response_id", sa.String),
    sa.column("intervention_id", sa.String),
    sa.column("author", sa.String),
)


def upgrade() -> None:
    op.add_column(
        "interventions",
        sa.Column("anonymity", sa.String(length=8), server_default="group", nullable=False),
    )
    bind = op.get_bind()
    rows = [dict(r._mapping) for r in bind.execute(sa.select(responses))]
    if not rows:
        return
    links = {r.response_id: r for r in bind.execute(sa.select(authors))}
    rng = secrets.SystemRandom()
    rng.shuffle(rows)
    new_links = []
    for row in rows:
        old = row["id"]
        row["id"] = str(uuid.uuid4())
        link = links.get(old)
        if link is not None:
            new_links.append(
                {"response_id": row["id"], "intervention_id": link.intervention_id, "author": link.author}
            )
    rng.shuffle(new_links)
    bind.execute(sa.delete(authors))
    bind.execute(sa.delete(responses))
    bind.execute(sa.insert(responses), rows)
    if new_links:
        bind.execute(sa.insert(authors), new_links)


def downgrade() -> None:
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("anonymity")
