"""Language models: the ``llm_cache`` table and a ``note`` on ``document_processing`` (why a
document's statements came from a fallback, how many model answers were dropped as ungrounded).

Revision ID: 0008_llm
Revises: 0007_review
"""

import sqlalchemy as sa
from alembic import op

from stanceline.storage.tables import llm_cache

revision = "0008_llm"
down_revision = "0007_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    present = {c["name"] for c in sa.inspect(bind).get_columns("document_processing")}
    if "note" not in present:  # revision 0001 builds it on a new database
        op.add_column("document_processing", sa.Column("note", sa.Text()))
    if not sa.inspect(bind).has_table(llm_cache.name):
        llm_cache.create(bind=bind)


def downgrade() -> None:
    bind = op.get_bind()
    if sa.inspect(bind).has_table(llm_cache.name):
        llm_cache.drop(bind=bind)
    with op.batch_alter_table("document_processing") as batch:
        batch.drop_column("note")
