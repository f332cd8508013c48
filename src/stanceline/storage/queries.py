"""Read queries of the API, dashboard and analyses: filtered pages, aggregates, light rows for analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select

from stanceline.storage import tables as t
from stanceline.storage.search import search_condition, speaker_condition
from stanceline.storage.sql import SqlStore


@dataclass(frozen=True)
class StatementQuery:
    """Filters of a statement list; every field optional. ``actor_ids`` is how a faction filter arrives."""

    speaker: str | None = None
    actor_id: str | None = None
    actor_ids: tuple[str, ...] | None = None
    outlet: str | None = None
    stance: str | None = None
    target: str | None = None
    since: str | None = None
    until: str | None = None
    text: str | None = None
    document_id: str | None = None
    argument_id: str | None = None
    on_target: bool | None = None
    needs_review: bool = False  # only the review queue: marked for review and never corrected
    limit: int = 50
    offset: int = 0
    newest_first: bool = False


LIGHT = ("id", "document_id", "actor_id", "speaker", "speaker_kind", "speaker_role", "date", "date_sort", "carrier", "kind")


def _conditions(conn: Connection, q: StatementQuery) -> list[ColumnElement[bool]]:
    s, d, j = t.statements, t.documents, t.judgements
    conds: list[ColumnElement[bool]] = []
    if q.speaker and q.speaker.strip():
        conds.append(speaker_condition(conn, q.speaker.strip()))
    if q.actor_id:
        conds.append(s.c.actor_id == q.actor_id)
    if q.actor_ids is not None:
        conds.append(s.c.actor_id.in_(list(q.actor_ids)))
    if q.outlet:
        conds.append(or_(d.c.outlet == q.outlet, s.c.carrier == q.outlet))
    if q.stance:
        conds.append(s.c.stance == q.stance)
    if q.target:
        conds.append(s.c.target == q.target)
    if q.since:
        conds.append(s.c.date_sort >= q.since)
    if q.until:
        conds.append(s.c.date_sort <= q.until + "-99")
    if q.document_id:
        conds.append(s.c.document_id == q.document_id)
    if q.argument_id:
        conds.append(j.c.argument_id == q.argument_id)
    if q.on_target is True:
        conds.append(s.c.target.is_not(None))
    elif q.on_target is False:
        conds.append(s.c.target.is_(None))
    if q.text and q.text.strip():
        conds.append(search_condition(conn, q.text.strip()))
    if q.needs_review:
        conds.append(s.c.needs_review.is_(True))
        conds.append(~select(t.corrections.c.id).where(t.corrections.c.statement_id == s.c.id).exists())
    return conds


def _joined(sel: Select[Any], q: StatementQuery | None = None, judgements: bool = False) -> Select[Any]:
    """``sel`` over statements with their document and primary judgement.

    Given ``q``, only the tables its filters need are joined: the primary judgement's target and stance
    are on the statement row, so counts and aggregates usually need neither; without ``q``, both are.
    """
    s, d, j = t.statements, t.documents, t.judgements
    docs = q is None or bool(q.outlet)
    judged = q is None or judgements or bool(q.argument_id)
    src: Any = s
    if docs:
        src = src.join(d, d.c.id == s.c.document_id)
    if judged:
        src = src.outerjoin(j, and_(j.c.statement_id == s.c.id, j.c.rank == 0))
    return sel.select_from(src)


def statement_page(store: SqlStore, q: StatementQuery, with_total: bool = True) -> tuple[list[dict[str, Any]], int | None]:
    """One page of statements (joined with document and primary judgement, corrections applied) and the total."""
    s, d, j = t.statements, t.documents, t.judgements
    # The statement row carries the primary judgement's target and stance.
    cols: list[Any] = [s, d.c.source, d.c.title, d.c.outlet, d.c.published, j.c.confidence,
                       j.c.conditions, j.c.argument, j.c.argument_id, j.c.produced_by.label("judged_by")]
    with store.engine.connect() as conn:
        conds = _conditions(conn, q)
        order = (s.c.date_sort.desc(), s.c.id.desc()) if q.newest_first else (s.c.date_sort, s.c.id)
        # The page's ids first, from an index in list order (no join, no sort, only the page's rows
        # touched), then those rows in full.
        ids = _joined(select(s.c.id), q)
        if conds:
            ids = ids.where(and_(*conds))
        ids = ids.order_by(*order).limit(q.limit).offset(q.offset)
        sel = _joined(select(*cols)).where(s.c.id.in_(ids.scalar_subquery())).order_by(*order)
        result = conn.execute(sel)
        keys = list(result.keys())
        rows = [dict(zip(keys, r, strict=True)) for r in result]
        store._apply_corrections(conn, rows)
        total = count_statements(store, q, conn) if with_total else None
    return rows, total


def count_statements(store: SqlStore, q: StatementQuery, conn: Connection | None = None) -> int:
    """How many statements match ``q`` (ignoring its page)."""
    if conn is None:
        with store.engine.connect() as own:
            return count_statements(store, q, own)
    conds = _conditions(conn, q)
    count = _joined(select(func.count()), q).where(and_(*conds)) if conds else select(func.count()).select_from(t.statements)
    return int(conn.execute(count).scalar_one())


def analysis_rows(store: SqlStore, q: StatementQuery | None = None) -> list[dict[str, Any]]:
    """Every matching statement without its text: what the analyses need, corrections applied."""
    s, d, j = t.statements, t.documents, t.judgements
    q = q or StatementQuery()
    # Target and stance from the statement row: the primary judgement's, or what a user corrected.
    cols = [*(s.c[c] for c in LIGHT), d.c.outlet, d.c.source, s.c.target, s.c.stance, j.c.argument, j.c.argument_id,
            j.c.conditions]
    with store.engine.connect() as conn:
        conds = _conditions(conn, q)
        sel = _joined(select(*cols))
        if conds:
            sel = sel.where(and_(*conds))
        rows = [dict(r._mapping) for r in conn.execute(sel.order_by(s.c.date_sort, s.c.id))]
        store._apply_corrections(conn, rows)
    return rows


def stance_counts(store: SqlStore, q: StatementQuery | None = None, prefix: int | None = None
                  ) -> list[tuple[str, str | None, int]]:
    """(period, stance, statements) of judged, dated statements matching ``q``; the period is the stored
    date, or its first ``prefix`` characters (4 = year, 7 = month).

    Grouping by the date as stored follows the read-path indexes (no sort, no per-row arithmetic): the
    fast way over a whole corpus; callers roll days up. With a selective filter (one actor) the rows
    are few and grouping by a prefix returns far fewer of them.
    """
    q = q or StatementQuery()
    s = t.statements
    period = s.c.date_sort if prefix is None else func.substr(s.c.date_sort, 1, prefix)
    with store.engine.connect() as conn:
        conds = [*_conditions(conn, q), s.c.target.is_not(None), s.c.date_sort.is_not(None)]
        sel = _joined(select(period, s.c.stance, func.count()), q).where(and_(*conds)).group_by(period, s.c.stance)
        return [(str(d), st, int(n)) for d, st, n in conn.execute(sel)]


def data_version(store: SqlStore) -> str:
    """Changes whenever the store is written (statements, corrections, actor merges): the key of cached reads."""
    return str(store.revision())


def statements_by_ids(store: SqlStore, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Full statement rows for ``ids``, in the order given (missing ids are skipped)."""
    rows: list[dict[str, Any]] = []
    for i in range(0, len(ids), 500):
        rows.extend(_by_ids(store, tuple(ids[i : i + 500])))
    return rows


def _by_ids(store: SqlStore, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    s, d, j = t.statements, t.documents, t.judgements
    cols: list[Any] = [s, d.c.source, d.c.title, d.c.outlet, d.c.published, j.c.confidence,
                       j.c.conditions, j.c.condition_ids, j.c.argument, j.c.argument_id, j.c.cues]
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(_joined(select(*cols)).where(s.c.id.in_(list(ids))))]
        store._apply_corrections(conn, rows)
    order = {sid: i for i, sid in enumerate(ids)}
    return sorted(rows, key=lambda r: order.get(r["id"], 0))


def corrected_ids(store: SqlStore, field: str) -> list[str]:
    """Ids of the statements with a correction of ``field``."""
    c = t.corrections
    with store.engine.connect() as conn:
        return [str(r[0]) for r in conn.execute(
            select(c.c.statement_id).where(c.c.field == field).group_by(c.c.statement_id).order_by(c.c.statement_id))]


def document_texts(store: SqlStore, ids: Sequence[str]) -> dict[str, str]:
    """The cleaned text of each document in ``ids``."""
    d = t.documents
    with store.engine.connect() as conn:
        return {str(i): str(x) for i, x in conn.execute(select(d.c.id, d.c.text).where(d.c.id.in_(list(set(ids)))))}


def outlets(store: SqlStore) -> list[tuple[str, int]]:
    """Publishing outlets with their statement counts."""
    s, d = t.statements, t.documents
    with store.engine.connect() as conn:
        sel = (select(d.c.outlet, func.count()).select_from(s.join(d, d.c.id == s.c.document_id))
               .where(d.c.outlet.is_not(None)).group_by(d.c.outlet).order_by(func.count().desc()))
        return [(str(o), int(n)) for o, n in conn.execute(sel)]


def actor(store: SqlStore, actor_id: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.actors).where(t.actors.c.id == actor_id)).first()
        return dict(row._mapping) if row else None
