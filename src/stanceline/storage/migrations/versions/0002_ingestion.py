"""Ingestion: feed items already seen, short lines per source (site chrome repeated across pages).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from stanceline.storage.tables import feed_items, source_lines

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    # Revision 0001 builds the whole current metadata on a new database, so create only what is missing.
    for table in (feed_items, source_lines):
        if not sa.inspect(bind).has_table(table.name):
            table.create(bind=bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (source_lines, feed_items):
        if sa.inspect(bind).has_table(table.name):
            table.drop(bind=bind)
