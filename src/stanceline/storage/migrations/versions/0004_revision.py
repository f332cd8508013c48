"""Read paths: a revision counter (the key of every read cache: API responses, aggregates, ETags), and the
primary judgement's target and stance copied onto statements, with covering indexes for filters,
counts and timelines.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from stanceline.storage.tables import statements, store_meta

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("target", "stance")
INDEXES = [index for index in statements.indexes if index.name in {
    "ix_statements_by_date", "ix_statements_by_stance", "ix_statements_by_target", "ix_statements_by_actor"}]

# Prefixes of the indexes above: the planner could pick them and miss the covering ones.
SUPERSEDED = {"ix_statements_actor": "(actor_id)", "ix_statements_actor_date": "(actor_id, date_sort)",
              "ix_statements_date": "(date_sort)", "ix_statements_date_id": "(date_sort, id)"}


def upgrade() -> None:
    bind = op.get_bind()
    if not sa.inspect(bind).has_table(store_meta.name):
        store_meta.create(bind=bind)
    if bind.execute(sa.select(store_meta.c.key).where(store_meta.c.key == "revision")).first() is None:
        bind.execute(store_meta.insert().values(key="revision", value=0))
    present = {c["name"] for c in sa.inspect(bind).get_columns("statements")}
    if not set(COLUMNS) <= present:  # revision 0001 builds them on a new database
        with op.batch_alter_table("statements") as batch:
            for name in COLUMNS:
                if name not in present:
                    batch.add_column(sa.Column(name, statements.c[name].type))
        for name in COLUMNS:  # names from the constant above, not from input
            op.execute(f"UPDATE statements SET {name} = (SELECT j.{name} FROM judgements j "  # noqa: S608
                       f"WHERE j.statement_id = statements.id AND j.rank = 0)")
    for index in INDEXES:
        index.create(bind=bind, checkfirst=True)
    for name in SUPERSEDED:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    bind = op.get_bind()
    for index in INDEXES:
        index.drop(bind=bind, checkfirst=True)
    for name, columns in SUPERSEDED.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON statements {columns}")
    with op.batch_alter_table("statements") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
    if sa.inspect(bind).has_table(store_meta.name):
        store_meta.drop(bind=bind)
