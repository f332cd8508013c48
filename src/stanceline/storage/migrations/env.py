"""Alembic environment: runs on the connection ``Store`` hands over (no ini file needed)."""

from __future__ import annotations

from alembic import context

from stanceline.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via the alembic CLI
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
