"""One contract for every store: the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from stanceline.errors import StoreError
from stanceline.records import Quarantine
from stanceline.storage import StatementFilter, open_store
from stanceline.storage.sql import SqlStore, raw_id
from tests.storage.factories import make_processed, make_quarantined


def fill(store: SqlStore, n: int = 6) -> list[Any]:
    docs = [make_processed(i) for i in range(n)]
    for d in docs:
        assert store.save(d) == "new"
    return docs


def test_store_save_new_then_duplicate(store: SqlStore) -> None:
    doc = make_processed(1)
    assert store.save(doc) == "new"
    assert store.save(doc) == "duplicate"
    counts = store.counts()
    assert counts["documents"] == 1
    assert counts["statements"] == 3


def test_store_save_same_text_from_other_bytes_is_a_duplicate_with_both_sources(store: SqlStore) -> None:
    first = make_processed(1)
    second = make_processed(1, source="mirror/doc-1.html", raw_bytes=b"<p>other bytes, same cleaned text</p>")
    assert store.save(first) == "new"
    assert store.save(second) == "duplicate"
    stored = store.document(first.document.id)  # type: ignore[union-attr]
    assert stored is not None
    assert sorted(stored["sources"]) == ["doc-1.txt", "mirror/doc-1.html"]
    assert store.counts()["statements"] == 3


def test_store_document_keeps_removed_lines_and_metadata(store: SqlStore) -> None:
    doc = make_processed(2)
    store.save(doc)
    stored = store.document(doc.document.id)  # type: ignore[union-attr]
    assert stored is not None
    assert stored["title"] == "Title 2"
    assert stored["published"] == "2015-05-01"
    assert [r["reason"] for r in stored["removed"]] == ["share-button"]
    assert store.document("no-such-id") is None


def test_store_known_raw_ids_and_has_raw(store: SqlStore) -> None:
    doc = make_processed(3)
    rid = raw_id(doc.raw)
    assert not store.has_raw(rid)
    store.save(doc)
    assert store.has_raw(rid)
    assert store.known_raw_ids([rid, "0" * 64]) == {rid}


def test_store_quarantine_is_recorded_once_and_resolved_by_a_later_success(store: SqlStore) -> None:
    bad = make_quarantined("doc-7.txt", "binary content")
    assert store.save(bad) == "quarantined"
    assert store.save(bad) == "quarantined"
    store.add_quarantine(Quarantine("doc-7.txt", "binary content", 9))
    assert [(q["source"], q["reason"]) for q in store.quarantine_rows()] == [("doc-7.txt", "binary content")]
    assert store.counts()["quarantined"] == 1
    assert store.save(make_processed(7)) == "new"
    assert store.quarantine_rows() == []
    assert len(store.quarantine_rows(include_resolved=True)) == 1


def test_store_add_source_remembers_each_source_once(store: SqlStore) -> None:
    doc = make_processed(4)
    store.save(doc)
    store.add_source(raw_id(doc.raw), "https://example.org/doc-4")
    store.add_source(raw_id(doc.raw), "https://example.org/doc-4")
    store.add_source("f" * 64, "unknown raw: nothing to attach to")
    stored = store.document(doc.document.id)  # type: ignore[union-attr]
    assert stored is not None
    assert sorted(stored["sources"]) == ["doc-4.txt", "https://example.org/doc-4"]


@pytest.mark.parametrize(
    "flt, expected",
    [
        (StatementFilter(), 18),
        (StatementFilter(speaker="araghchi"), 4),
        (StatementFilter(speaker="SENIOR"), 5),
        (StatementFilter(stance="oppose"), 5),
        (StatementFilter(target="Direct Talks"), 15),
        (StatementFilter(on_target=True), 15),
        (StatementFilter(on_target=False), 3),
        (StatementFilter(since="2016"), 9),
        (StatementFilter(until="2014"), 6),
        (StatementFilter(since="2015-05-02", until="2015-05-03"), 2),
        (StatementFilter(actor_id="steve-witkoff"), 5),
        (StatementFilter(actor_id="provisional:the-spokesman"), 4),
        (StatementFilter(query="NUMBER 2"), 6),
        (StatementFilter(limit=5), 5),
        (StatementFilter(limit=5, offset=15), 3),
        (StatementFilter(stance="oppose", since="2016"), 3),
        (StatementFilter(stance="support", speaker="witkoff"), 0),
    ],
)
def test_store_statement_rows_filters(store: SqlStore, flt: StatementFilter, expected: int) -> None:
    fill(store)
    assert len(store.statement_rows(flt)) == expected


def test_store_statement_rows_by_document_in_offset_order(store: SqlStore) -> None:
    docs = fill(store, 3)
    rows = store.statement_rows(StatementFilter(document_id=docs[1].document.id))
    assert [r["start"] for r in rows] == sorted(s.start for s in docs[1].statements)
    first = rows[0]
    assert first["title"] == "Title 1" and first["source"] == "doc-1.txt"
    assert first["judged_by"] == "lexicon.v1" and first["cues"] == ["should"]


def test_store_statement_rows_order_is_date_then_document_then_offset(store: SqlStore) -> None:
    fill(store)
    rows = store.statement_rows()
    keys = [(r["date_sort"] or "", r["document_id"], r["start"]) for r in rows]
    assert keys == sorted(keys)


def test_store_counts_documents_statements_actors_and_stances(store: SqlStore) -> None:
    fill(store)
    counts = store.counts()
    assert counts["documents"] == 6
    assert counts["statements"] == 18
    assert counts["on_target"] == 15
    assert counts["actors"] == 4
    assert counts["quarantined"] == 0
    assert sum(counts["stances"].values()) == 15
    assert set(counts["stances"]) <= {"support", "oppose", "conditional", "neutral"}


def test_store_sync_actors_is_idempotent(store: SqlStore) -> None:
    actors = [("abbas-araghchi", "Abbas Araghchi", "person", "IR", ["Araghchi"]),
              ("steve-witkoff", "Steve Witkoff", "person", "US", ["Witkoff"])]
    store.sync_actors(actors)
    store.sync_actors(actors)
    rows = store.actor_rows(provisional=False)
    assert [(r["id"], r["statements"]) for r in rows] == [("abbas-araghchi", 0), ("steve-witkoff", 0)]
    assert rows[0]["aliases"] == ["Araghchi"]


def test_store_merge_actor_moves_statements(store: SqlStore) -> None:
    store.sync_actors([("ali-khamenei", "Ali Khamenei", "person", "IR", [])])
    fill(store)
    moved = store.merge_actor("provisional:the-spokesman", "ali-khamenei")
    assert moved == 4
    rows = store.statement_rows(StatementFilter(actor_id="ali-khamenei"))
    assert len(rows) == 4 and {r["speaker"] for r in rows} == {"Ali Khamenei"}
    merged = {r["id"]: r for r in store.actor_rows(provisional=True)}
    assert merged["provisional:the-spokesman"]["merged_into"] == "ali-khamenei"
    with pytest.raises(StoreError, match="no actor with id"):
        store.merge_actor("provisional:nobody", "ali-khamenei")


def test_store_add_correction_overrides_the_latest_value(store: SqlStore) -> None:
    docs = fill(store, 1)
    sid = docs[0].statements[0].id
    store.add_correction(sid, "stance", "oppose", "analyst")
    store.add_correction(sid, "stance", "conditional", "editor")
    row = next(r for r in store.statement_rows() if r["id"] == sid)
    assert row["stance"] == "conditional" and row["corrected"] is True
    with pytest.raises(StoreError, match="no statement with id"):
        store.add_correction("nope", "stance", "support", "analyst")


def test_store_documents_lists_in_publication_order(store: SqlStore) -> None:
    fill(store)
    listed = store.documents()
    assert [d["published"] for d in listed] == sorted(d["published"] for d in listed)
    assert len(store.documents(limit=2)) == 2


def test_store_minhashes_round_trip_bytes(store: SqlStore) -> None:
    doc = make_processed(5)
    store.save(doc, minhash=b"\x00\xffsig")
    assert list(store.minhashes()) == [(doc.document.id, b"\x00\xffsig")]  # type: ignore[union-attr]


def test_store_integrity_check_is_ok_after_writes(store: SqlStore) -> None:
    fill(store)
    store.save(make_quarantined())
    assert store.integrity_check() == "ok"


def test_store_reopening_migrates_nothing_and_keeps_data(store_url: str) -> None:
    first = open_store(store_url)
    first.save(make_processed(1))
    first.close()
    again = open_store(store_url)
    try:
        assert again.counts()["documents"] == 1
    finally:
        again.close()


def test_store_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open database"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_store_revision_counts_write_transactions_and_primary_judgement_is_on_the_row(store: SqlStore) -> None:
    from stanceline.storage.queries import StatementQuery, count_statements, stance_counts

    start = store.revision()
    docs = fill(store, 3)
    assert store.revision() == start + 3
    assert store.save(docs[0]) == "duplicate"  # a transaction that adds nothing still counts: readers re-check
    after_saves = store.revision()
    store.statement_rows()
    assert store.revision() == after_saves
    rows = store.statement_rows()
    from sqlalchemy import select

    from stanceline.storage import tables as t

    with store.engine.connect() as conn:
        primary = {r.statement_id: (r.target, r.stance) for r in conn.execute(
            select(t.judgements.c.statement_id, t.judgements.c.target, t.judgements.c.stance)
            .where(t.judgements.c.rank == 0))}
    assert primary and all((row["target"], row["stance"]) == primary[row["id"]] for row in rows)
    judged = [r for r in rows if r["target"]]
    assert count_statements(store, StatementQuery(on_target=True)) == len(judged)
    by_day = stance_counts(store)
    assert sum(n for _, _, n in by_day) == len([r for r in judged if r["date_sort"]])


def test_store_a_correction_made_through_another_handle_is_applied_at_once(store: SqlStore) -> None:
    from stanceline.storage.queries import StatementQuery, statement_page

    fill(store, 2)
    rows, _ = statement_page(store, StatementQuery(), with_total=False)
    assert rows and not any(r.get("corrected") for r in rows)  # no corrections yet: remembered for this revision
    other = open_store(store.url)
    try:
        other.add_correction(rows[0]["id"], "stance", "oppose", "ana")
    finally:
        other.close()
    again, _ = statement_page(store, StatementQuery(), with_total=False)
    first = next(r for r in again if r["id"] == rows[0]["id"])
    assert first["stance"] == "oppose" and first["corrected"] is True


def test_store_a_correction_changes_every_read_filter_count_and_timeline(store: SqlStore) -> None:
    from stanceline.storage.queries import StatementQuery, analysis_rows, count_statements, stance_counts, statement_page

    fill(store, 4)

    def by_stance() -> dict[str | None, int]:
        out: dict[str | None, int] = {}
        for _, stance, n in stance_counts(store):
            out[stance] = out.get(stance, 0) + n
        return out

    before, timeline = store.counts(), by_stance()
    n = {st: count_statements(store, StatementQuery(stance=st)) for st in ("oppose", "support")}
    sid = store.statement_rows(StatementFilter(stance="oppose"))[0]["id"]
    store.add_correction(sid, "stance", "support", "ana")

    assert sid not in [r["id"] for r in store.statement_rows(StatementFilter(stance="oppose"))]
    assert sid in [r["id"] for r in store.statement_rows(StatementFilter(stance="support"))]
    assert count_statements(store, StatementQuery(stance="oppose")) == n["oppose"] - 1
    assert count_statements(store, StatementQuery(stance="support")) == n["support"] + 1
    page, _ = statement_page(store, StatementQuery(stance="support", limit=100))
    assert [r["corrected"] for r in page if r["id"] == sid] == [True]
    after = store.counts()
    assert after["stances"]["oppose"] == before["stances"]["oppose"] - 1
    assert after["stances"]["support"] == before["stances"]["support"] + 1
    assert by_stance()["oppose"] == timeline["oppose"] - 1 and by_stance()["support"] == timeline["support"] + 1
    assert {r["id"]: r["stance"] for r in analysis_rows(store)}[sid] == "support"

    store.add_correction(sid, "target", None, "ana")  # about no target after all
    assert store.counts()["on_target"] == before["on_target"] - 1
    assert count_statements(store, StatementQuery(on_target=True)) == before["on_target"] - 1
    assert sid not in [r["id"] for r in store.statement_rows(StatementFilter(on_target=True))]

    other = store.statement_rows(StatementFilter(stance="neutral"))[0]["id"]
    store.add_correction(other, "speaker", "Hossein Amir-Abdollahian", "ana")
    assert [r["id"] for r in store.statement_rows(StatementFilter(speaker="abdollahian"))] == [other]
    found, _ = statement_page(store, StatementQuery(speaker="Amir-Abdollahian"))
    assert [r["id"] for r in found] == [other]

    from sqlalchemy import func, select

    from stanceline.storage import tables as t

    with store.engine.connect() as conn:  # nothing stored is lost: the model's judgement and every correction stay
        judged = conn.execute(select(t.judgements.c.target, t.judgements.c.stance).where(
            t.judgements.c.statement_id == sid, t.judgements.c.rank == 0)).one()
        assert tuple(judged) == ("direct talks", "oppose")
        assert conn.execute(select(func.count()).select_from(t.corrections)).scalar_one() == 3


def test_store_statements_written_again_keep_their_corrections(store: SqlStore) -> None:
    from sqlalchemy import delete

    from stanceline.storage import tables as t

    doc = fill(store, 1)[0]
    first, second = doc.statements[0].id, doc.statements[1].id
    store.add_correction(first, "stance", "oppose", "ana")
    store.add_correction(first, "stance", "neutral", "ana")
    store.add_correction(first, "target", "nuclear deal", "ana")
    store.add_correction(second, "speaker", "Ali Shamkhani", "ana")
    assert store.save(doc) == "duplicate"  # re-ingest
    # Re-processing writes the model's statements again: the users' corrections are put back on them.
    with store._tx() as conn:
        ids = [s.id for s in doc.statements]
        conn.execute(delete(t.judgements).where(t.judgements.c.statement_id.in_(ids)))
        conn.execute(delete(t.statements).where(t.statements.c.id.in_(ids)))
        store._statements(conn, doc.statements)
    rows = {r["id"]: r for r in store.statement_rows(StatementFilter(document_id=doc.document.id))}  # type: ignore[union-attr]
    assert (rows[first]["target"], rows[first]["stance"]) == ("nuclear deal", "neutral")
    assert rows[second]["speaker"] == "Ali Shamkhani"
    assert [r["id"] for r in store.statement_rows(StatementFilter(stance="neutral", target="nuclear deal"))] == [first]


def test_store_merge_keeps_a_corrected_speaker(store: SqlStore) -> None:
    store.sync_actors([("ali-khamenei", "Ali Khamenei", "person", "IR", [])])
    fill(store)
    sid = store.statement_rows(StatementFilter(actor_id="provisional:the-spokesman"))[0]["id"]
    store.add_correction(sid, "speaker", "Nasser Kanaani", "ana")
    assert store.merge_actor("provisional:the-spokesman", "ali-khamenei") == 4
    speakers = {r["id"]: r["speaker"] for r in store.statement_rows(StatementFilter(actor_id="ali-khamenei"))}
    assert speakers.pop(sid) == "Nasser Kanaani" and set(speakers.values()) == {"Ali Khamenei"}
    assert [r["id"] for r in store.statement_rows(StatementFilter(speaker="kanaani"))] == [sid]
