"""SQL of the ingestion area: feed items already seen, lines repeated per source, quarantine upkeep.

Functions take the ``SqlStore`` so that callers never write SQL themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import and_, func, select

from stanceline.storage import tables as t
from stanceline.storage.sql import SqlStore, now


def seen_feed_items(store: SqlStore, feed: str) -> set[str]:
    """Keys (entry ids or links) of the items of ``feed`` fetched by an earlier run."""
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(t.feed_items.c.item_key).where(t.feed_items.c.feed == feed))}


def mark_feed_item(store: SqlStore, feed: str, key: str, link: str | None, published: str | None) -> None:
    """Remember one feed item so the next run of the same feed skips it."""
    with store._tx() as conn:
        exists = conn.execute(select(t.feed_items.c.item_key).where(and_(
            t.feed_items.c.feed == feed, t.feed_items.c.item_key == key))).first()
        if exists is None:
            conn.execute(t.feed_items.insert().values(feed=feed, item_key=key, link=link, published=published, seen_at=now()))


def record_source_lines(store: SqlStore, source_key: str, document_id: str, line_hashes: Iterable[str]) -> None:
    """Remember the short lines of one document, to find chrome repeated across a source's pages."""
    rows = [{"source_key": source_key[:300], "line_hash": h, "document_id": document_id} for h in sorted(set(line_hashes))]
    if not rows:
        return
    with store._tx() as conn:
        have = {r[0] for r in conn.execute(select(t.source_lines.c.line_hash).where(and_(
            t.source_lines.c.source_key == source_key[:300], t.source_lines.c.document_id == document_id)))}
        rows = [r for r in rows if r["line_hash"] not in have]
        if rows:
            conn.execute(t.source_lines.insert(), rows)


def repeated_lines(store: SqlStore, source_key: str, min_documents: int = 2) -> frozenset[str]:
    """Hashes of lines found in at least ``min_documents`` stored documents of ``source_key``."""
    sl = t.source_lines
    query = (select(sl.c.line_hash).where(sl.c.source_key == source_key[:300]).group_by(sl.c.line_hash)
             .having(func.count(func.distinct(sl.c.document_id)) >= min_documents))
    with store.engine.connect() as conn:
        return frozenset(r[0] for r in conn.execute(query))


def source_stored(store: SqlStore, source: str) -> bool:
    """Whether some stored document came from ``source`` (used to resolve quarantine rows)."""
    with store.engine.connect() as conn:
        query = select(t.document_sources.c.document_id).where(t.document_sources.c.source == source)
        return conn.execute(query).first() is not None


def resolve_quarantine(store: SqlStore, ids: Sequence[int]) -> None:
    """Mark quarantine rows as resolved (their input has since been stored)."""
    if not ids:
        return
    with store._tx() as conn:
        conn.execute(t.quarantine.update().where(t.quarantine.c.id.in_(list(ids))).values(resolved=True))


def add_document_source(store: SqlStore, document_id: str, source: str) -> None:
    """Record ``source`` as one more source of an already stored document (near-duplicates)."""
    with store._tx() as conn:
        store._source(conn, document_id, source)


def line_counts(store: SqlStore, source_key: str) -> Counter[str]:
    """For each short line of ``source_key``'s stored documents, in how many documents it appears."""
    sl = t.source_lines
    query = (select(sl.c.line_hash, func.count(func.distinct(sl.c.document_id)))
             .where(sl.c.source_key == source_key[:300]).group_by(sl.c.line_hash))
    with store.engine.connect() as conn:
        return Counter({r[0]: int(r[1]) for r in conn.execute(query)})


def minhash_rows(store: SqlStore) -> Iterator[tuple[str, bytes, str | None]]:
    """(document id, MinHash bytes, near_duplicate_of) of every document that has a signature."""
    d = t.documents
    with store.engine.connect() as conn:
        for row in conn.execute(select(d.c.id, d.c.minhash, d.c.near_duplicate_of).where(d.c.minhash.is_not(None))):
            yield row[0], row[1], row[2]
