"""Alembic environment: runs on the connection ``Store`` hands over (no ini file needed).

The same revisions build SQLite and PostgreSQL. Several processes may open a new database at the
same moment; on PostgreSQL a transaction-scoped advisory lock makes them migrate one after the
other (on SQLite the store's write transaction already does).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from stanceline.storage.tables import metadata

# Any fixed number: the key of the advisory lock held while migrating.
MIGRATION_LOCK = 7_245_531_008

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via the alembic CLI
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite:///stanceline.db").connect()

is_sqlite = connection.dialect.name == "sqlite"
# Batch mode (copy-and-move tables) is how SQLite alters columns; PostgreSQL alters in place.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=is_sqlite)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.run_migrations()
