"""Full-text search over statements: SQLite FTS5 when the index exists, PostgreSQL full text, else LIKE."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Connection, func, select, text

from stanceline.storage import tables as t

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(query: str, column: str | None = None) -> str | None:
    """A user's words → a safe FTS5 expression: every word required, the last one as a prefix.

    Quoting each word keeps FTS5 operators and punctuation in user input from being parsed. With
    ``column``, the words must all occur in that column.
    """
    words = _WORD.findall(query)
    if not words:
        return None
    expr = " ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])
    return f"{column} : ({expr})" if column else expr


def has_fts(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'statements_fts'").first() is not None


def search_condition(conn: Connection, query: str) -> ColumnElement[bool]:
    """A WHERE clause on ``statements`` matching ``query`` in the statement text or speaker."""
    s = t.statements
    if has_fts(conn):
        expr = fts_query(query)
        if expr is None:
            return s.c.id.is_(None)
        match = text("statements_fts MATCH :fts").bindparams(fts=expr)
        return s.c.id.in_(select(text("statement_id")).select_from(text("statements_fts")).where(match))
    if conn.dialect.name == "postgresql":
        return func.to_tsvector("simple", s.c.text).op("@@")(func.plainto_tsquery("simple", query))
    like = f"%{query.lower()}%"
    return func.lower(s.c.text).like(like) | func.lower(s.c.speaker).like(like)


def speaker_condition(conn: Connection, query: str) -> ColumnElement[bool]:
    """A WHERE clause on ``statements``: the speaker's name has all of ``query``'s words (the last as a prefix).

    With the SQLite full-text index this is an index lookup; elsewhere a case-insensitive substring
    match of the canonical name or the text as written.
    """
    s = t.statements
    if has_fts(conn):
        expr = fts_query(query, column="speaker")
        if expr is None:
            return s.c.id.is_(None)
        match = text("statements_fts MATCH :speaker_fts").bindparams(speaker_fts=expr)
        return s.c.id.in_(select(text("statement_id")).select_from(text("statements_fts")).where(match))
    like = f"%{query.lower()}%"
    return func.lower(s.c.speaker).like(like) | func.lower(s.c.speaker_text).like(like)
