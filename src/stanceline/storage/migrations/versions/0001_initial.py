"""Initial schema: raw inputs, documents, statements, judgements, actors, corrections, quarantine.

Revision ID: 0001
Revises:
"""

from alembic import op

from stanceline.storage.tables import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The baseline is the metadata as of this revision; later revisions alter it step by step.
    metadata.create_all(bind=op.get_bind())


def downgrade() -> None:
    metadata.drop_all(bind=op.get_bind())
