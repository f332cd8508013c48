"""SQL of re-processing: which documents a model has not seen, and replacing one document's statements.

``replace_document`` swaps a document's statements and judgements for new ones in one transaction
(a killed run leaves every document either as it was or fully re-processed), archives what it
replaces in ``replaced_statements``, moves users' corrections onto the new statements that a
caller-supplied ``match`` picks, and records which extractor and judge produced the result.
Functions take the ``SqlStore`` so that callers never write SQL themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from stanceline.records import Document, PartialDate, ProcessedDocument, RemovedLine, Statement
from stanceline.storage import tables as t
from stanceline.storage.sql import SqlStore, now

PAGE = 500

# (corrected old statements, new statements) → old statement id → new statement id, or None (orphaned).
# Each old statement is a dict: the stored row (or its archived copy) plus ``corrections``, a
# mapping of corrected field → latest value.
Matcher = Callable[[list[dict[str, Any]], Sequence[Statement]], dict[str, str | None]]


@dataclass(frozen=True)
class Replaced:
    """What replacing one document's statements did."""

    outcome: str  # "replaced", or "current" when another run got there first
    removed: int = 0
    added: int = 0
    reattached: int = 0  # corrected statements whose corrections moved to a new statement
    orphaned: int = 0  # corrected statements without a successor (corrections kept, shown as orphaned)


def _pending(extractor: str, judge: str, force: bool) -> Any:
    """Documents that hold statements of their own (not near-duplicates), and — unless ``force`` —
    whose statements were not produced by this extractor and judge (or whose provenance is unknown)."""
    d, p = t.documents, t.document_processing
    sel = select(d.c.id).select_from(d.outerjoin(p, p.c.document_id == d.c.id)).where(d.c.near_duplicate_of.is_(None))
    if not force:
        sel = sel.where(or_(p.c.document_id.is_(None), p.c.extractor != extractor, p.c.judge != judge))
    return sel


def _since(sel: Any, since: PartialDate | None) -> Any:
    """Published on or after ``since``; a document without a publication date counts from when it was stored."""
    if since is None:
        return sel
    d = t.documents
    return sel.where(func.coalesce(d.c.published_sort, func.substr(d.c.ingested_at, 1, 10)) >= since.sort_key())


def count_documents(store: SqlStore, extractor: str, judge: str, since: PartialDate | None = None,
                    force: bool = False) -> tuple[int, int]:
    """(documents in scope, of which still to re-process)."""
    with store.engine.connect() as conn:
        scope = _since(_pending(extractor, judge, True), since).subquery()
        todo = _since(_pending(extractor, judge, force), since).subquery()
        return (int(conn.execute(select(func.count()).select_from(scope)).scalar_one()),
                int(conn.execute(select(func.count()).select_from(todo)).scalar_one()))


def pending_documents(store: SqlStore, extractor: str, judge: str, since: PartialDate | None = None,
                      force: bool = False) -> Iterator[Document]:
    """The documents to re-process, in id order, read a page at a time (no read held open between pages)."""
    d = t.documents
    last = ""
    while True:
        sel = _since(_pending(extractor, judge, force), since).where(d.c.id > last).order_by(d.c.id).limit(PAGE)
        with store.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(sel)]
        if not ids:
            return
        for doc_id in ids:
            document = load_document(store, doc_id)
            if document is not None:
                yield document
        last = ids[-1]


def load_document(store: SqlStore, doc_id: str) -> Document | None:
    """A stored document as the record the pipeline takes (its text, metadata and removed lines)."""
    d, rl = t.documents, t.removed_lines
    with store.engine.connect() as conn:
        row = conn.execute(select(d).where(d.c.id == doc_id)).first()
        if row is None:
            return None
        removed = tuple(RemovedLine(r.line_no, r.text, r.reason) for r in conn.execute(
            select(rl).where(rl.c.document_id == doc_id).order_by(rl.c.line_no)))
    return Document(id=row.id, source=row.source, text=row.text, title=row.title, outlet=row.outlet, author=row.author,
                    published=PartialDate.parse(row.published), language=row.language,
                    content_type=row.content_type or "text/plain", removed=removed)


def processed_by(store: SqlStore, doc_id: str) -> tuple[str, str] | None:
    """(extractor, judge) that produced a document's current statements; None when not recorded."""
    p = t.document_processing
    with store.engine.connect() as conn:
        row = conn.execute(select(p.c.extractor, p.c.judge).where(p.c.document_id == doc_id)).first()
    return (str(row[0]), str(row[1])) if row else None


def replace_document(store: SqlStore, processed: ProcessedDocument, match: Matcher, force: bool = False) -> Replaced:
    """Replace a stored document's statements with ``processed``'s, in one transaction."""
    holder: list[Replaced] = []

    def work() -> str:
        holder.clear()
        with store._tx() as conn:
            holder.append(_replace(store, conn, processed, match, force))
        return holder[0].outcome

    store._retrying(work)
    return holder[0]


def _replace(store: SqlStore, conn: Connection, processed: ProcessedDocument, match: Matcher, force: bool) -> Replaced:
    doc = processed.document
    assert doc is not None and processed.extractor and processed.judge
    s, j, c, p, rs = t.statements, t.judgements, t.corrections, t.document_processing, t.replaced_statements
    # Lock the document's row first (FOR UPDATE on PostgreSQL; SQLite already holds the write lock),
    # so that two runs re-processing the same document queue here and the second sees the first's result.
    conn.execute(select(t.documents.c.id).where(t.documents.c.id == doc.id).with_for_update())
    current = conn.execute(select(p.c.extractor, p.c.judge).where(p.c.document_id == doc.id)).first()
    if not force and current is not None and tuple(current) == (processed.extractor, processed.judge):
        return Replaced("current")
    stamp = now()

    old_rows = [dict(r._mapping) for r in conn.execute(select(s).where(s.c.document_id == doc.id).order_by(s.c.start, s.c.id))]
    old_ids = [r["id"] for r in old_rows]
    judgements: dict[str, list[dict[str, Any]]] = {}
    for i in range(0, len(old_ids), PAGE):
        for r in conn.execute(select(j).where(j.c.statement_id.in_(old_ids[i : i + PAGE])).order_by(j.c.statement_id, j.c.rank)):
            judgements.setdefault(r.statement_id, []).append(dict(r._mapping))

    # Corrected statements: those stored now, and those an earlier run replaced without finding a
    # successor (their corrections still name them), so that a later model can pick them up again.
    archived = {r.statement_id: r.statement for r in conn.execute(
        select(rs.c.statement_id, rs.c.statement).where(and_(rs.c.document_id == doc.id, ~_stored(rs.c.statement_id)))
        .order_by(rs.c.id))}
    corrected_ids = old_ids + [sid for sid in archived if sid not in set(old_ids)]
    fields: dict[str, dict[str, Any]] = {}
    correction_ids: dict[str, list[int]] = {}
    for i in range(0, len(corrected_ids), PAGE):
        for r in conn.execute(select(c).where(c.c.statement_id.in_(corrected_ids[i : i + PAGE])).order_by(c.c.id)):
            fields.setdefault(r.statement_id, {})[r.field] = r.value
            correction_ids.setdefault(r.statement_id, []).append(r.id)
    candidates = [{**row, "corrections": fields[row["id"]]} for row in old_rows if row["id"] in fields]
    candidates += [{**archived[sid], "id": sid, "corrections": fields[sid]}
                   for sid in archived if sid in fields and sid not in set(old_ids)]
    mapping = match(candidates, processed.statements) if candidates else {}
    new_ids = {st.id for st in processed.statements}
    mapping = {old: new if new in new_ids else None for old, new in mapping.items()}

    # Archive what is replaced, then swap the statements.
    if old_rows:
        conn.execute(rs.insert(), [{
            "statement_id": row["id"], "document_id": doc.id, "statement": {**row, "judgements": judgements.get(row["id"], [])},
            "replaced_by": mapping.get(row["id"]), "extractor": processed.extractor, "judge": processed.judge,
            "replaced_at": stamp} for row in old_rows])
        for i in range(0, len(old_ids), PAGE):
            conn.execute(j.delete().where(j.c.statement_id.in_(old_ids[i : i + PAGE])))
        conn.execute(s.delete().where(s.c.document_id == doc.id))
    store._statements(conn, processed.statements)
    reattached = 0
    for old, new in sorted(mapping.items()):
        if new is not None and new != old:  # by correction id: an old id may also be a new one
            conn.execute(c.update().where(c.c.id.in_(correction_ids[old])).values(statement_id=new))
        if new is not None:
            reattached += 1
            if old in archived and old not in set(old_ids):  # an orphan found again: say where it went
                conn.execute(rs.update().where(and_(rs.c.statement_id == old, rs.c.document_id == doc.id))
                             .values(replaced_by=new))
    store._refresh_corrected(conn, sorted({new for new in mapping.values() if new is not None}))  # corrections win on the rows
    orphaned = sum(1 for cand in candidates if mapping.get(cand["id"]) is None)

    values = {"extractor": processed.extractor, "judge": processed.judge, "processed_at": stamp,
              "note": "; ".join(processed.notes) or None}
    if current is None:
        conn.execute(p.insert().values(document_id=doc.id, **values))
    else:
        conn.execute(p.update().where(p.c.document_id == doc.id).values(**values))
    return Replaced("replaced", len(old_rows), len(new_ids), reattached, orphaned)


def _stored(statement_id: Any) -> Any:
    """Whether a statement with this id is stored (a correlated EXISTS: one index probe per row)."""
    return exists().where(t.statements.c.id == statement_id)


def orphaned_corrections(store: SqlStore) -> list[dict[str, Any]]:
    """Corrections whose statement is no longer stored, each with the statement it was made on
    (from ``replaced_statements``), oldest first."""
    c, rs = t.corrections, t.replaced_statements
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(c).where(~_stored(c.c.statement_id)).order_by(c.c.id))]
        snapshots: dict[str, dict[str, Any]] = {}
        ids = sorted({r["statement_id"] for r in rows})
        for i in range(0, len(ids), PAGE):
            for r in conn.execute(select(rs.c.statement_id, rs.c.statement).where(
                    rs.c.statement_id.in_(ids[i : i + PAGE])).order_by(rs.c.id)):
                snapshots[r.statement_id] = r.statement  # the latest copy wins
    for row in rows:
        row["statement"] = snapshots.get(row["statement_id"])
    return rows
