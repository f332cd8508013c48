"""Re-processing: speaker mention offsets on statements, which extractor and judge produced each
document's statements, and the statements a re-processing replaced.

Revision ID: 0006
Revises: 0005_corrections
"""

import sqlalchemy as sa
from alembic import op

from stanceline.storage.tables import document_processing, replaced_statements, statements

revision = "0006"
down_revision = "0005_corrections"
branch_labels = None
depends_on = None

COLUMNS = ("speaker_start", "speaker_end")


def upgrade() -> None:
    bind = op.get_bind()
    present = {c["name"] for c in sa.inspect(bind).get_columns("statements")}
    missing = [name for name in COLUMNS if name not in present]
    if missing:  # revision 0001 builds them on a new database; older rows keep NULL (offsets unknown)
        with op.batch_alter_table("statements") as batch:
            for name in missing:
                batch.add_column(sa.Column(name, statements.c[name].type))
    for table in (document_processing, replaced_statements):
        if not sa.inspect(bind).has_table(table.name):
            table.create(bind=bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (replaced_statements, document_processing):
        if sa.inspect(bind).has_table(table.name):
            table.drop(bind=bind)
    with op.batch_alter_table("statements") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
