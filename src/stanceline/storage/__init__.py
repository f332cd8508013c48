"""Storage behind one interface; ``open_store(url)`` picks the implementation by URL scheme."""

from __future__ import annotations

from stanceline.storage.sql import SqlStore, StatementFilter

__all__ = ["SqlStore", "StatementFilter", "open_store"]


def open_store(url: str) -> SqlStore:
    """SQLite (``sqlite:///path``) or PostgreSQL (``postgresql+psycopg://…``), schema migrated to head."""
    return SqlStore(url)
