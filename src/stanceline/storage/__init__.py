"""Storage behind one interface; ``open_store(url)`` picks the implementation by URL scheme."""

from __future__ import annotations

from stanceline.storage.sql import SqlStore, StatementFilter, masked_url, require_persistent

__all__ = ["SqlStore", "StatementFilter", "masked_url", "open_store", "require_persistent"]


def open_store(url: str) -> SqlStore:
    """SQLite (``sqlite:///path``) or PostgreSQL (``postgresql+psycopg://…``), schema migrated to head."""
    return SqlStore(url)
