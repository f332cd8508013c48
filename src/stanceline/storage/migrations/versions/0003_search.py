"""Search and read paths: full-text index of statements (SQLite FTS5) and indexes for the API's filters.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The FTS table keeps its own copy of the statement id rather than pointing at ``statements.rowid``:
# a table keyed by text may get new rowids from VACUUM, which would silently detach the index.
FTS_SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS statements_fts USING fts5("
    "statement_id UNINDEXED, text, speaker, tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS statements_fts_ai AFTER INSERT ON statements BEGIN "
    "INSERT INTO statements_fts(statement_id, text, speaker) VALUES (new.id, new.text, new.speaker); END",
    "CREATE TRIGGER IF NOT EXISTS statements_fts_ad AFTER DELETE ON statements BEGIN "
    "DELETE FROM statements_fts WHERE statement_id = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS statements_fts_au AFTER UPDATE OF text, speaker ON statements BEGIN "
    "DELETE FROM statements_fts WHERE statement_id = old.id; "
    "INSERT INTO statements_fts(statement_id, text, speaker) VALUES (new.id, new.text, new.speaker); END",
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_statements_actor_date ON statements (actor_id, date_sort)",
    "CREATE INDEX IF NOT EXISTS ix_statements_date_id ON statements (date_sort, id)",
    "CREATE INDEX IF NOT EXISTS ix_statements_carrier ON statements (carrier)",
    "CREATE INDEX IF NOT EXISTS ix_documents_outlet ON documents (outlet)",
]


def upgrade() -> None:
    bind = op.get_bind()
    for ddl in INDEXES:
        op.execute(ddl)
    if bind.dialect.name == "sqlite":
        fresh = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'statements_fts'").first() is None
        for ddl in FTS_SQLITE:
            op.execute(ddl)
        if fresh:  # index what was stored before this revision
            op.execute("INSERT INTO statements_fts(statement_id, text, speaker) SELECT id, text, speaker FROM statements")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("statements_fts_ai", "statements_fts_ad", "statements_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS statements_fts")
    for ddl in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {ddl.split()[5]}")
