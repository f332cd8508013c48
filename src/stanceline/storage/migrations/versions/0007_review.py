"""Review queue: ``needs_review`` on judgements and on the statement row (copied from the primary
judgement, like its target and stance), with an index that reads the queue in list order.

Stored judgements are marked by the default rule (on target, confidence below 0.6), and their
statements unless a person corrected them; a second judge's opinion is only known for statements
judged after this revision.

Revision ID: 0007_review
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from stanceline.storage.tables import corrections, judgements, statements

revision = "0007_review"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = (judgements, statements)
INDEX = next(index for index in statements.indexes if index.name == "ix_statements_review")
DEFAULT_THRESHOLD = 0.6  # Settings.review_threshold's default


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        present = {c["name"] for c in sa.inspect(bind).get_columns(table.name)}
        if "needs_review" in present:  # revision 0001 builds it on a new database
            continue
        # A plain ADD COLUMN on both engines (SQLite adds a NOT NULL column with a default in place; a
        # batch copy of the table would trip the foreign keys that point at it).
        op.add_column(table.name, sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false()))
        if table is judgements:
            bind.execute(judgements.update().where(sa.and_(
                judgements.c.stance.is_not(None), judgements.c.confidence < DEFAULT_THRESHOLD)).values(needs_review=True))
        else:
            primary = (sa.select(judgements.c.needs_review)
                       .where(judgements.c.statement_id == statements.c.id, judgements.c.rank == 0).scalar_subquery())
            corrected = sa.select(corrections.c.id).where(corrections.c.statement_id == statements.c.id).exists()
            bind.execute(statements.update().values(
                needs_review=sa.and_(sa.func.coalesce(primary, sa.false()), ~corrected)))
    INDEX.create(bind=bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    INDEX.drop(bind=bind, checkfirst=True)
    for table in TABLES:
        with op.batch_alter_table(table.name) as batch:
            batch.drop_column("needs_review")
