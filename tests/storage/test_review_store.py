"""The review queue in the store (SQLite and PostgreSQL): flags stored, corrections leave the queue, counts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine, text

from stanceline.judge.review import mark_for_review
from stanceline.records import ProcessedDocument
from stanceline.services import analysis
from stanceline.storage import open_store
from stanceline.storage.queries import StatementQuery, count_statements, statement_page
from stanceline.storage.sql import SqlStore
from tests.storage.factories import make_processed
from tests.storage.test_migrations import _at_revision


def _with_confidences(i: int, *confidences: float) -> ProcessedDocument:
    """Document ``i`` whose statements' judgements have these confidences, marked by the default rule."""
    processed = make_processed(i, n_statements=len(confidences))
    statements = [s.with_judgements(tuple(replace(j, confidence=c) for j in s.judgements))
                  for s, c in zip(processed.statements, confidences, strict=True)]
    return replace(processed, statements=tuple(mark_for_review(statements, 0.6)))


def _queue(store: SqlStore) -> list[str]:
    rows, _ = statement_page(store, StatementQuery(needs_review=True, limit=100, newest_first=True))
    return [r["id"] for r in rows]


def test_store_keeps_the_review_flag_of_low_confidence_judgements(store: SqlStore) -> None:
    processed = _with_confidences(0, 0.3, 0.9, 0.5)  # the third statement of document 0 is on target too
    store.save(processed)
    low = {s.id for s in processed.statements if s.judgement and s.judgement.stance and s.judgement.confidence < 0.6}
    assert len(low) == 2
    rows = {r["id"]: r for r in store.statement_rows()}
    assert {sid for sid, r in rows.items() if r["needs_review"]} == low
    assert set(_queue(store)) == low
    assert count_statements(store, StatementQuery(needs_review=True)) == 2
    with store.engine.connect() as conn:
        flagged = conn.execute(text("SELECT statement_id FROM judgements WHERE needs_review")).scalars().all()
    assert set(flagged) == low


def test_a_corrected_statement_leaves_the_queue_and_reads_as_reviewed(store: SqlStore) -> None:
    store.save(_with_confidences(1, 0.3, 0.2))
    first, second = _queue(store)
    store.add_correction(first, "speaker", "Someone Else", "tester")
    assert _queue(store) == [second]
    assert count_statements(store, StatementQuery(needs_review=True)) == 1
    row = next(r for r in store.statement_rows() if r["id"] == first)
    assert row["corrected"] and row["needs_review"] is False


def test_the_review_queue_is_newest_first(store: SqlStore) -> None:
    for i in (0, 5, 3):
        store.save(_with_confidences(i, 0.1))
    dates = [r["date"] for r in statement_page(store, StatementQuery(needs_review=True, newest_first=True))[0]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3


def test_review_page_gives_each_statement_its_sentence(store: SqlStore, pack) -> None:  # type: ignore[no-untyped-def]
    processed = _with_confidences(2, 0.1)
    store.save(processed)
    page = analysis.review_page(store, pack)
    [row] = page.items
    assert page.total == 1 and analysis.review_count(store) == 1
    assert row["context"][row["evidence_start"]:row["evidence_end"]] == row["text"]
    assert any("statement" in seg.kinds and seg.text == row["text"] for seg in row["segments"])


def test_revision_0007_adds_the_flag_and_marks_stored_low_confidence_judgements(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_revision(url, "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        # Revision 0001 builds today's tables: take them back to what 0005 left.
        conn.exec_driver_sql("DROP INDEX ix_statements_review")
        conn.exec_driver_sql("ALTER TABLE statements DROP COLUMN needs_review")
        conn.exec_driver_sql("ALTER TABLE judgements DROP COLUMN needs_review")
        conn.execute(text("INSERT INTO raw_inputs (id, source, size, ingested_at) VALUES ('r', 's', 1, 'now')"))
        conn.execute(text("INSERT INTO documents (id, raw_id, source, text, ingested_at) VALUES ('d', 'r', 's', 'x', 'now')"))
        for sid, stance, confidence in (("s1", "oppose", 0.3), ("s2", None, 0.0), ("s3", "support", 0.9),
                                        ("s4", "oppose", 0.2)):
            conn.execute(text('INSERT INTO statements (id, document_id, start, "end", text, speaker, kind, produced_by, '
                              "stance) VALUES (:id, 'd', 0, 1, 'x', 'A', 'direct', 't', :stance)"), {"id": sid, "stance": stance})
            conn.execute(text("INSERT INTO judgements (statement_id, rank, target, stance, confidence, produced_by) "
                              "VALUES (:id, 0, 'JCPOA', :stance, :c, 't')"), {"id": sid, "stance": stance, "c": confidence})
        conn.execute(text("INSERT INTO corrections (statement_id, field, value, author, created_at) "
                          "VALUES ('s4', 'stance', 'support', 'reader', 'now')"))
    engine.dispose()
    store = open_store(url)
    try:
        assert {r["id"]: r["needs_review"] for r in store.statement_rows()} == {
            "s1": True, "s2": False, "s3": False, "s4": False}  # s4: a person corrected it
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, needs_review FROM statements ORDER BY id")).all()
        assert [(sid, bool(flag)) for sid, flag in rows] == [("s1", True), ("s2", False), ("s3", False), ("s4", False)]
        with store.engine.connect() as conn:
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(statements)")}
        assert "ix_statements_review" in indexes
    finally:
        store.close()
