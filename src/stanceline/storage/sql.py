"""The SQL store (SQLite by default, PostgreSQL by URL). All SQL of stanceline lives here."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, and_, create_engine, event, func, make_url, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from stanceline.errors import StoreError
from stanceline.records import ProcessedDocument, Quarantine, RawInput, Statement
from stanceline.storage import tables as t

MIGRATIONS = Path(__file__).parent / "migrations"
CORRECTABLE = ("stance", "speaker", "target")  # fields of a statement row a user may correct


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def raw_id(raw: RawInput) -> str:
    return hashlib.sha256(raw.data).hexdigest()


_URL_PASSWORD = re.compile(r"(://[^/\s:@]*:)[^@\s/]*@")


def masked_url(url: str) -> str:
    """A database URL as it may be shown or logged: the password replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\1***@", url)


def masked(message: str, url: str) -> str:
    """``message`` with the password of ``url`` (and of any URL in it) replaced by ``***``."""
    message = _URL_PASSWORD.sub(r"\1***@", message)
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - an unparsable URL: the pattern above already masked it
        password = None
    if password and len(str(password)) >= 4:  # a driver may quote it without the URL around it
        message = message.replace(str(password), "***")
    return message


def is_in_memory(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database (``sqlite://``, ``:memory:``, ``mode=memory``)."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL: opening it reports the problem
        return False
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or database.startswith("file::memory:") or parsed.query.get("mode") == "memory"


def require_persistent(url: str) -> None:
    """Refuse to write into a database that is gone when the command ends."""
    if is_in_memory(url):
        raise StoreError(f"--db {masked_url(url)} is an in-memory database: nothing written to it would be kept; "
                         "give a file, e.g. --db sqlite:///stanceline.db")


@dataclass(frozen=True)
class StatementFilter:
    speaker: str | None = None
    stance: str | None = None
    target: str | None = None
    since: str | None = None
    until: str | None = None
    document_id: str | None = None
    actor_id: str | None = None
    on_target: bool | None = None
    query: str | None = None
    limit: int | None = None
    offset: int = 0


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, starts transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_WRITE = "stanceline_write"


def _sqlite_begin(conn: Connection) -> None:
    # A write transaction takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction
    # that reads and then writes fails at once with "database is locked" when another process
    # committed in between, whatever the busy timeout. Reads stay deferred and never block.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


_BUMP = t.store_meta.update().where(t.store_meta.c.key == "revision").values(value=t.store_meta.c.value + 1)
_REVISION_SQL = "SELECT value FROM store_meta WHERE key = 'revision'"

# PostgreSQL errors after which the whole transaction can simply be tried again.
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _retryable(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


class SqlStore:
    """A database of documents, statements and judgements behind one interface."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._ignore_stmts: dict[str, tuple[Any, Any]] = {}
        self._corrections_at: tuple[int, bool] | None = None
        try:
            self.engine: Engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _sqlite_begin)
            self._migrate()
        except (SQLAlchemyError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else ""
            raise StoreError(masked(f"cannot open database {url!r}: {exc.__class__.__name__}: {first}", url)) from None
        except ImportError as exc:  # the dialect is known but its driver is not installed (mysql://, …)
            raise StoreError(masked(f"cannot open database {url!r}: its driver is not installed ({exc})", url)) from None

    # -- schema -------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config
        from alembic.util.exc import CommandError

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        # A write transaction, so that several processes opening a new database at once migrate
        # it one after the other (PostgreSQL: an advisory lock taken in migrations/env.py).
        with self.engine.connect() as conn, conn.execution_options(**{_WRITE: True}).begin():
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
            except CommandError as exc:  # e.g. a revision this version does not know: a newer stanceline wrote it
                raise StoreError(masked(f"cannot open database {self.url!r}: its schema is not one this version "
                                        f"of stanceline knows ({str(exc).splitlines()[0]})", self.url)) from None

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One write transaction (on SQLite it holds the write lock from its first statement)."""
        try:
            with self.engine.connect() as conn, conn.execution_options(**{_WRITE: True}).begin():
                yield conn
                # Last, so that on PostgreSQL the counter's row lock is held only until the commit.
                conn.execute(_BUMP)
        except OperationalError as exc:
            raise StoreError(masked(f"database error: {str(exc).splitlines()[0]}", self.url)) from None

    def _insert_ignore(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
        """Insert rows, skipping those whose key is already stored (by this or another process).

        Rows are sorted by primary key so that concurrent transactions wait on each other's keys in
        the same order and cannot deadlock. Returns the number of rows inserted.
        """
        if not rows:
            return 0
        keys = [c.name for c in table.primary_key.columns]
        rows = sorted(rows, key=lambda r: tuple(str(r.get(k)) for k in keys))
        # One statement object per table, parameters passed apart: SQLAlchemy compiles it once.
        cached = self._ignore_stmts.get(table.name)
        if cached is None:
            dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite_dialect.insert
            plain = dialect_insert(table).on_conflict_do_nothing()
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT.
            cached = self._ignore_stmts[table.name] = (plain, plain.returning(table.primary_key.columns[keys[0]]))
        plain, returning = cached
        if len(rows) == 1:
            return len(conn.execute(returning, rows[0]).all())
        conn.execute(plain, rows)
        return len(rows)  # an upper bound: callers of the many-row form only need "inserted or skipped"

    def _retrying(self, work: Callable[[], str], attempts: int = 5) -> str:
        """Run one transaction, again after a deadlock or serialization failure (PostgreSQL)."""
        for attempt in range(attempts):
            try:
                return work()
            except StoreError as exc:
                cause = exc.__cause__
                if not (isinstance(cause, DBAPIError) and _retryable(cause)) or attempt == attempts - 1:
                    raise
            except DBAPIError as exc:
                if not _retryable(exc) or attempt == attempts - 1:
                    raise
            time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _has_corrections(self, conn: Connection) -> bool:
        """Whether any correction is stored, asked once per revision (most stores have none, and every
        page of statements would otherwise look them up)."""
        # The revision as this transaction sees it, so that the answer and its key come from one snapshot.
        revision = int(conn.exec_driver_sql(_REVISION_SQL).scalar() or 0)
        known = self._corrections_at
        if known is not None and known[0] == revision:
            return known[1]
        found = conn.execute(select(t.corrections.c.id).limit(1)).first() is not None
        self._corrections_at = (revision, found)
        return found

    def revision(self) -> int:
        """A number that goes up with every write transaction: the key of read caches.

        Asked on every API request, so it goes straight to the driver (a pooled connection, one
        primary-key read, no statement compilation or transaction events).
        """
        driver_error = self.engine.dialect.loaded_dbapi.Error
        try:
            raw = self.engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute(_REVISION_SQL)
                row = cur.fetchone()
                cur.close()
            finally:
                raw.close()
        except (driver_error, DBAPIError) as exc:
            raise StoreError(masked(f"database error: {str(exc).splitlines()[0]}", self.url)) from None
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.engine.dispose()

    # -- writes -------------------------------------------------------------------------
    def has_raw(self, rid: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.raw_inputs.c.id).where(t.raw_inputs.c.id == rid)).first() is not None

    def known_raw_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                chunk = list(ids[i : i + 500])
                found.update(r[0] for r in conn.execute(select(t.raw_inputs.c.id).where(t.raw_inputs.c.id.in_(chunk))))
        return found

    def add_source(self, rid: str, source: str) -> None:
        """The same bytes arrived from another source: remember it, add nothing else."""
        with self._tx() as conn:
            doc = conn.execute(select(t.documents.c.id).where(t.documents.c.raw_id == rid)).first()
            if doc is not None:
                self._source(conn, doc[0], source)

    def save(self, processed: ProcessedDocument, minhash: bytes | None = None, near_duplicate_of: str | None = None) -> str:
        """Store one processed input in one transaction. Returns 'new', 'duplicate' or 'quarantined'.

        Safe when several processes save the same input at once: every insert skips keys already
        stored, and exactly one of them gets 'new'.
        """
        try:
            return self._retrying(lambda: self._save(processed, minhash, near_duplicate_of))
        except IntegrityError:
            # Unique keys make a concurrent copy an error rather than a second row: a duplicate.
            return "duplicate"

    def _save(self, processed: ProcessedDocument, minhash: bytes | None, near_duplicate_of: str | None) -> str:
        raw = processed.raw
        rid = raw_id(raw)
        stamp = now()
        with self._tx() as conn:
            keep_bytes = processed.quarantine is None or len(raw.data) <= 5_000_000
            self._insert_ignore(conn, t.raw_inputs, [{
                "id": rid, "source": raw.source, "content_type": raw.content_type, "size": len(raw.data),
                "data": raw.data if keep_bytes else None, "fetched_at": raw.fetched_at, "ingested_at": stamp}])
            if processed.quarantine is not None:
                self._quarantine(conn, processed.quarantine, stamp)
                return "quarantined"
            doc = processed.document
            assert doc is not None
            inserted = self._insert_ignore(conn, t.documents, [{
                "id": doc.id, "raw_id": rid, "source": doc.source, "title": doc.title, "outlet": doc.outlet,
                "author": doc.author, "published": doc.published.iso() if doc.published else None,
                "published_sort": doc.published.sort_key() if doc.published else None,
                "language": doc.language, "content_type": doc.content_type, "text": doc.text, "minhash": minhash,
                "near_duplicate_of": near_duplicate_of, "ingested_at": stamp}])
            if not inserted:
                self._source(conn, doc.id, raw.source)
                return "duplicate"
            self._source(conn, doc.id, raw.source)
            if doc.removed:
                self._insert_ignore(conn, t.removed_lines, [
                    {"document_id": doc.id, "line_no": r.line_no, "text": r.text, "reason": r.reason} for r in doc.removed])
            self._statements(conn, processed.statements)
            if processed.extractor and processed.judge:
                self._insert_ignore(conn, t.document_processing, [{
                    "document_id": doc.id, "extractor": processed.extractor, "judge": processed.judge,
                    "processed_at": stamp, "note": "; ".join(processed.notes) or None}])
            conn.execute(t.quarantine.update().where(and_(
                t.quarantine.c.source == raw.source, t.quarantine.c.resolved.is_(False))).values(resolved=True))
            return "new"

    def _source(self, conn: Connection, doc_id: str, source: str) -> None:
        self._insert_ignore(conn, t.document_sources, [{"document_id": doc_id, "source": source}])

    def _statements(self, conn: Connection, statements: Sequence[Statement]) -> None:
        seen: set[str] = set()
        rows, jrows = [], []
        provisional: dict[str, dict[str, Any]] = {}
        for s in statements:
            if s.id in seen:
                continue
            seen.add(s.id)
            rows.append({
                "id": s.id, "document_id": s.document_id, "start": s.start, "end": s.end, "text": s.text,
                "speaker": s.speaker.name, "speaker_text": s.speaker.text, "speaker_kind": s.speaker.kind,
                "speaker_role": s.speaker.role, "actor_id": s.speaker.actor_id or _provisional_id(s.speaker.name),
                "speaker_start": s.speaker.start, "speaker_end": s.speaker.end,
                "cue": s.cue, "kind": s.kind, "date": s.date.iso() if s.date else None,
                "date_sort": s.date.sort_key() if s.date else None, "date_source": s.date_source, "carrier": s.carrier,
                "stated_argument": s.stated_argument, "sentence_start": s.sentence_start,
                "sentence_end": s.sentence_end, "produced_by": s.produced_by,
                "target": s.judgements[0].target if s.judgements else None,
                "stance": s.judgements[0].stance if s.judgements else None,
                "needs_review": s.judgements[0].needs_review if s.judgements else False,
            })
            for rank, j in enumerate(s.judgements):
                jrows.append({
                    "statement_id": s.id, "rank": rank, "target": j.target, "stance": j.stance,
                    "confidence": j.confidence, "conditions": list(j.conditions), "condition_ids": list(j.condition_ids),
                    "argument": j.argument, "argument_id": j.argument_id, "cues": list(j.cues), "produced_by": j.produced_by,
                    "needs_review": j.needs_review,
                })
            if s.speaker.actor_id is None:
                pid = _provisional_id(s.speaker.name)
                provisional.setdefault(pid, {"id": pid, "name": s.speaker.name, "kind": s.speaker.kind,
                                             "provisional": True, "aliases": [s.speaker.text]})
        # Actors first: two processes adding the same provisional actor must not collide.
        self._insert_ignore(conn, t.actors, list(provisional.values()))
        self._insert_ignore(conn, t.statements, rows)
        self._insert_ignore(conn, t.judgements, jrows)
        # A statement stored again (same id) keeps what users corrected: a model never overwrites a correction.
        self._refresh_corrected(conn, sorted(seen))

    def _quarantine(self, conn: Connection, q: Quarantine, stamp: str) -> None:
        existing = conn.execute(select(t.quarantine.c.id).where(and_(
            t.quarantine.c.source == q.source, t.quarantine.c.reason == q.reason))).first()
        if existing is None:
            # The (source, reason) unique key, not the check above, is what holds under concurrency.
            dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite_dialect.insert
            conn.execute(dialect_insert(t.quarantine).values(
                source=q.source, reason=q.reason, size=q.size, detail=q.detail, created_at=stamp,
                resolved=False).on_conflict_do_nothing())

    def add_quarantine(self, q: Quarantine) -> None:
        with self._tx() as conn:
            self._quarantine(conn, q, now())

    def sync_actors(self, actors: Sequence[tuple[str, str, str, str | None, list[str]]]) -> None:
        """Upsert the pack's actors (id, name, kind, country, aliases)."""
        def work() -> str:
            with self._tx() as conn:
                have = {r[0] for r in conn.execute(select(t.actors.c.id).where(t.actors.c.provisional.is_(False)))}
                new = [{"id": a[0], "name": a[1], "kind": a[2], "country": a[3], "aliases": a[4], "provisional": False}
                       for a in actors if a[0] not in have]
                self._insert_ignore(conn, t.actors, new)
            return "ok"

        self._retrying(work)

    # -- reads --------------------------------------------------------------------------
    def statement_rows(self, f: StatementFilter | None = None) -> list[dict[str, Any]]:
        """Statements joined with their document and primary judgement, in date order."""
        f = f or StatementFilter()
        s, d, j = t.statements, t.documents, t.judgements
        query = (
            select(
                s, d.c.source, d.c.title, d.c.outlet, d.c.published, d.c.language,
                j.c.confidence, j.c.conditions, j.c.condition_ids, j.c.argument,
                j.c.argument_id, j.c.cues, j.c.produced_by.label("judged_by"),
            )
            .join(d, d.c.id == s.c.document_id)
            .outerjoin(j, and_(j.c.statement_id == s.c.id, j.c.rank == 0))
        )
        conds: list[ColumnElement[bool]] = []
        if f.speaker:
            like = f"%{f.speaker.lower()}%"
            conds.append(func.lower(s.c.speaker).like(like) | func.lower(s.c.speaker_text).like(like))
        if f.stance:
            conds.append(s.c.stance == f.stance)
        if f.target:
            conds.append(func.lower(s.c.target) == f.target.lower())
        if f.since:
            conds.append(s.c.date_sort >= f.since)
        if f.until:
            conds.append(s.c.date_sort <= f.until + "-99")
        if f.document_id:
            conds.append(s.c.document_id == f.document_id)
        if f.actor_id:
            conds.append(s.c.actor_id == f.actor_id)
        if f.on_target is True:
            conds.append(s.c.target.is_not(None))
        elif f.on_target is False:
            conds.append(s.c.target.is_(None))
        if f.query:
            conds.append(func.lower(s.c.text).like(f"%{f.query.lower()}%"))
        if conds:
            query = query.where(and_(*conds))
        # NULLS FIRST spelt out: SQLite's default, not PostgreSQL's; the order must not depend on the store.
        query = query.order_by(s.c.date_sort.asc().nulls_first(), s.c.document_id, s.c.start, s.c.end, s.c.id)
        if f.limit is not None:
            query = query.limit(f.limit).offset(f.offset)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            self._apply_corrections(conn, rows)
        return rows

    def _apply_corrections(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if not rows or not self._has_corrections(conn):
            return
        ids = [r["id"] for r in rows]
        latest: dict[tuple[str, str], str | None] = {}
        for i in range(0, len(ids), 500):
            q = select(t.corrections).where(t.corrections.c.statement_id.in_(ids[i : i + 500])).order_by(t.corrections.c.id)
            for c in conn.execute(q):
                if c.field != "speaker" or c.value:  # a statement always has a speaker
                    latest[(c.statement_id, c.field)] = c.value
        if not latest:
            return
        for row in rows:
            for fld in ("stance", "speaker", "target"):
                key = (row["id"], fld)
                if key in latest:
                    row[fld] = latest[key]
                    row["corrected"] = True
                    if "needs_review" in row:  # a person has looked: never in the review queue
                        row["needs_review"] = False

    def documents(self, limit: int | None = None) -> list[dict[str, Any]]:
        d = t.documents
        q = select(d.c.id, d.c.source, d.c.title, d.c.outlet, d.c.author, d.c.published, d.c.language,
                   d.c.content_type, d.c.near_duplicate_of).order_by(d.c.published_sort.asc().nulls_first(), d.c.id)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.documents).where(t.documents.c.id == doc_id)).first()
            if row is None:
                return None
            out = dict(row._mapping)
            ds, rl = t.document_sources, t.removed_lines
            out["sources"] = [r[0] for r in conn.execute(select(ds.c.source).where(ds.c.document_id == doc_id))]
            out["removed"] = [dict(r._mapping) for r in conn.execute(
                select(rl).where(rl.c.document_id == doc_id).order_by(rl.c.line_no))]
            return out

    def quarantine_rows(self, include_resolved: bool = False) -> list[dict[str, Any]]:
        q = select(t.quarantine).order_by(t.quarantine.c.id)
        if not include_resolved:
            q = q.where(t.quarantine.c.resolved.is_(False))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def actor_rows(self, provisional: bool | None = None) -> list[dict[str, Any]]:
        a = t.actors
        counts = select(t.statements.c.actor_id, func.count().label("statements")).group_by(t.statements.c.actor_id).subquery()
        q = select(a, func.coalesce(counts.c.statements, 0).label("statements")).outerjoin(counts, counts.c.actor_id == a.c.id)
        if provisional is not None:
            q = q.where(a.c.provisional.is_(provisional))
        q = q.order_by(a.c.name)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def merge_actor(self, source_id: str, target_id: str) -> int:
        """Point every statement of ``source_id`` at ``target_id``; returns statements moved."""
        with self._tx() as conn:
            target = conn.execute(select(t.actors).where(t.actors.c.id == target_id)).first()
            source = conn.execute(select(t.actors).where(t.actors.c.id == source_id)).first()
            if target is None or source is None:
                missing = target_id if target is None else source_id
                raise StoreError(f"no actor with id {missing!r} (see 'stanceline actors')")
            s, c = t.statements, t.corrections
            # A speaker a user corrected keeps that name; every other statement takes the target's.
            renamed = s.c.id.in_(select(c.c.statement_id).where(c.c.field == "speaker"))
            conn.execute(s.update().where(and_(s.c.actor_id == source_id, ~renamed)).values(speaker=target.name))
            moved = conn.execute(s.update().where(s.c.actor_id == source_id).values(actor_id=target_id)).rowcount
            conn.execute(t.actors.update().where(t.actors.c.id == source_id).values(merged_into=target_id))
            return int(moved or 0)

    def add_correction(self, statement_id: str, field: str, value: str | None, author: str) -> None:
        """Record a user's correction and apply it to the statement row, in one transaction.

        The row's speaker, target and stance are what every filter, count, timeline and export reads; the
        model's judgement stays in ``judgements`` (the model's speaker is the linked actor's name, and the
        name as written stays in ``speaker_text``), and every correction is kept with who made it and when.
        """
        if field not in CORRECTABLE:
            raise ValueError(f"cannot correct {field!r}; one of {', '.join(CORRECTABLE)}")
        if field == "speaker" and not value:
            raise ValueError("a corrected speaker needs a name")
        with self._tx() as conn:
            if conn.execute(select(t.statements.c.id).where(t.statements.c.id == statement_id)).first() is None:
                raise StoreError(f"no statement with id {statement_id!r}")
            conn.execute(t.corrections.insert().values(statement_id=statement_id, field=field, value=value,
                                                       author=author, created_at=now()))
            # A person has looked: the statement leaves the review queue.
            conn.execute(t.statements.update().where(t.statements.c.id == statement_id)
                         .values({field: value, "needs_review": False}))

    def _refresh_corrected(self, conn: Connection, statement_ids: Sequence[str]) -> None:
        """Put the latest correction of each field back on these statement rows (after they were written anew)."""
        if not statement_ids or not self._has_corrections(conn):
            return
        latest: dict[str, dict[str, str | None]] = {}
        for i in range(0, len(statement_ids), 500):
            q = (select(t.corrections).where(t.corrections.c.statement_id.in_(list(statement_ids[i : i + 500])))
                 .order_by(t.corrections.c.id))
            for c in conn.execute(q):
                if c.field in CORRECTABLE and (c.field != "speaker" or c.value):
                    latest.setdefault(c.statement_id, {})[c.field] = c.value
        for sid, values in sorted(latest.items()):
            conn.execute(t.statements.update().where(t.statements.c.id == sid).values({**values, "needs_review": False}))

    def counts(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            n_docs = conn.execute(select(func.count()).select_from(t.documents)).scalar_one()
            n_st = conn.execute(select(func.count()).select_from(t.statements)).scalar_one()
            # Target and stance as the statement rows carry them: the primary judgement, or a user's correction.
            n_on = conn.execute(select(func.count()).select_from(t.statements)
                                .where(t.statements.c.target.is_not(None))).scalar_one()
            n_actors = conn.execute(select(func.count(func.distinct(t.statements.c.actor_id)))).scalar_one()
            n_q = conn.execute(select(func.count()).select_from(t.quarantine)
                               .where(t.quarantine.c.resolved.is_(False))).scalar_one()
            stances: dict[Any, Any] = dict(conn.execute(select(t.statements.c.stance, func.count()).where(
                t.statements.c.target.is_not(None)).group_by(t.statements.c.stance)).all())
        return {"documents": n_docs, "statements": n_st, "on_target": n_on, "actors": n_actors,
                "quarantined": n_q, "stances": {str(k): int(v) for k, v in stances.items()}}

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        with self.engine.connect() as conn:
            for row in conn.execute(select(t.documents.c.id, t.documents.c.minhash).where(t.documents.c.minhash.is_not(None))):
                yield row[0], row[1]

    def integrity_check(self) -> str:
        """'ok', or what is wrong: the engine's own check (SQLite) and rows that lost their parent."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                verdict = str(conn.execute(text("PRAGMA integrity_check")).scalar_one())
                if verdict != "ok":
                    return verdict
            orphans = {
                "statements without document": select(func.count()).select_from(t.statements).where(
                    t.statements.c.document_id.not_in(select(t.documents.c.id))),
                "judgements without statement": select(func.count()).select_from(t.judgements).where(
                    t.judgements.c.statement_id.not_in(select(t.statements.c.id))),
                "documents without raw input": select(func.count()).select_from(t.documents).where(
                    t.documents.c.raw_id.not_in(select(t.raw_inputs.c.id))),
            }
            problems = [f"{n} {what}" for what, q in orphans.items() if (n := int(conn.execute(q).scalar_one()))]
        return "; ".join(problems) or "ok"


def _provisional_id(name: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"provisional:{slug[:100] or 'unknown'}"
