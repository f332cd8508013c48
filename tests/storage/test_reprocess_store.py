"""Replacing a document's statements (``stanceline reprocess``): the same contract on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from stanceline.records import ProcessedDocument, Speaker
from stanceline.services.reprocess import match_statements
from stanceline.storage import tables as t
from stanceline.storage.reprocess import orphaned_corrections, processed_by, replace_document
from stanceline.storage.sql import SqlStore
from tests.storage.factories import make_processed


def _v1(i: int = 0) -> ProcessedDocument:
    return replace(make_processed(i), extractor="attribution.v1", judge="lexicon.v1")


def _v2(old: ProcessedDocument, shrink: int = 1, speakers: dict[str, Speaker] | None = None) -> ProcessedDocument:
    """What a newer model makes of the same document: spans one character shorter, another producer."""
    doc = old.document
    assert doc is not None
    statements = []
    for st in old.statements:
        speaker = (speakers or {}).get(st.speaker.name, st.speaker)
        statements.append(replace(st, end=st.end - shrink, text=doc.text[st.start : st.end - shrink], speaker=speaker,
                                  produced_by="attribution.v2",
                                  judgements=tuple(replace(j, stance="support", produced_by="learned.v1")
                                                   for j in st.judgements)))
    return replace(old, statements=tuple(statements), extractor="attribution.v2", judge="learned.v1")


def _count(store: SqlStore, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_ingest_records_which_extractor_and_judge_produced_a_document(store: SqlStore) -> None:
    old = _v1()
    assert store.save(old) == "new"
    assert processed_by(store, old.document.id) == ("attribution.v1", "lexicon.v1")  # type: ignore[union-attr]
    bare = make_processed(1)  # a result without names (an older caller) records nothing
    store.save(bare)
    assert processed_by(store, bare.document.id) is None  # type: ignore[union-attr]


def test_replace_swaps_statements_archives_the_old_ones_and_records_provenance(store: SqlStore) -> None:
    old = _v1()
    store.save(old)
    new = _v2(old)
    done = replace_document(store, new, match_statements)
    assert (done.outcome, done.removed, done.added) == ("replaced", 3, 3)
    rows = store.statement_rows()
    assert {r["id"] for r in rows} == {s.id for s in new.statements}
    assert {r["produced_by"] for r in rows} == {"attribution.v2"} and {r["judged_by"] for r in rows} == {"learned.v1"}
    assert processed_by(store, old.document.id) == ("attribution.v2", "learned.v1")  # type: ignore[union-attr]
    # Nothing stored is lost: the replaced statements are archived with their judgements.
    with store.engine.connect() as conn:
        archived = {r.statement_id: r.statement for r in conn.execute(select(t.replaced_statements))}
    assert set(archived) == {s.id for s in old.statements}
    first = old.statements[0]
    assert archived[first.id]["text"] == first.text and archived[first.id]["judgements"][0]["produced_by"] == "lexicon.v1"
    assert store.integrity_check() == "ok"


def test_replace_twice_with_the_same_model_changes_nothing(store: SqlStore) -> None:
    old = _v1()
    store.save(old)
    assert replace_document(store, _v2(old), match_statements).outcome == "replaced"
    before = (store.statement_rows(), _count(store, t.replaced_statements), _count(store, t.judgements))
    assert replace_document(store, _v2(old), match_statements).outcome == "current"
    assert (store.statement_rows(), _count(store, t.replaced_statements), _count(store, t.judgements)) == before


def test_a_correction_moves_to_the_overlapping_statement_of_the_same_speaker_and_wins(store: SqlStore) -> None:
    old = _v1()
    store.save(old)
    target = old.statements[0]
    store.add_correction(target.id, "stance", "oppose", "analyst")
    new = _v2(old)
    done = replace_document(store, new, match_statements)
    assert (done.reattached, done.orphaned) == (1, 0)
    successor = new.statements[0]
    row = next(r for r in store.statement_rows() if r["id"] == successor.id)
    assert row["stance"] == "oppose" and row["corrected"] is True  # the model now says support
    with store.engine.connect() as conn:
        assert [r.statement_id for r in conn.execute(select(t.corrections))] == [successor.id]
        moved = conn.execute(select(t.replaced_statements.c.replaced_by).where(
            t.replaced_statements.c.statement_id == target.id)).scalar_one()
    assert moved == successor.id
    assert orphaned_corrections(store) == []


def test_a_correction_without_successor_is_kept_shown_as_orphaned_and_found_again_later(store: SqlStore) -> None:
    old = _v1()
    store.save(old)
    target = old.statements[0]
    store.add_correction(target.id, "speaker", "Abbas Araghchi", "analyst")
    other = Speaker("a diplomat", "a diplomat", "person", None)
    # The newer model gives the quotation to someone else: no successor.
    done = replace_document(store, _v2(old, speakers={target.speaker.name: other}), match_statements)
    assert (done.reattached, done.orphaned) == (0, 1)
    orphans = orphaned_corrections(store)
    assert [(o["statement_id"], o["field"], o["value"]) for o in orphans] == [(target.id, "speaker", "Abbas Araghchi")]
    assert orphans[0]["statement"]["text"] == target.text and orphans[0]["statement"]["speaker"] == target.speaker.name
    # A later model that finds the statement again (same span and speaker) takes the correction back.
    again = replace(_v2(old, shrink=0), extractor="attribution.v3")
    done = replace_document(store, again, match_statements)
    assert (done.reattached, done.orphaned) == (1, 0)
    assert orphaned_corrections(store) == []
    row = next(r for r in store.statement_rows() if r["id"] == again.statements[0].id)
    assert row["speaker"] == "Abbas Araghchi" and row["corrected"] is True


def test_a_failure_inside_the_replacement_leaves_the_document_as_it_was(store: SqlStore,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    old = _v1()
    store.save(old)
    store.add_correction(old.statements[1].id, "stance", "neutral", "analyst")
    before = store.statement_rows()

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("killed after the old statements were deleted")

    monkeypatch.setattr(SqlStore, "_statements", boom)
    with pytest.raises(RuntimeError):
        replace_document(store, _v2(old), match_statements)
    monkeypatch.undo()
    assert store.statement_rows() == before
    assert processed_by(store, old.document.id) == ("attribution.v1", "lexicon.v1")  # type: ignore[union-attr]
    assert _count(store, t.replaced_statements) == 0
    assert orphaned_corrections(store) == []


def test_match_statements_prefers_the_same_span_then_the_largest_overlap() -> None:
    old = _v1()
    st = old.statements[0]
    row = {"id": "old", "start": st.start, "end": st.end, "speaker": st.speaker.name, "actor_id": st.speaker.actor_id,
           "corrections": {"stance": "oppose"}}
    exact = replace(st, produced_by="x.v2")
    partial = replace(st, start=st.start + 2, produced_by="x.v2")
    elsewhere = replace(st, start=st.end + 5, end=st.end + 9, produced_by="x.v2")
    stranger = replace(st, speaker=Speaker("someone", "someone", "person", None), produced_by="x.v3")
    assert match_statements([row], [partial, exact, elsewhere])["old"] == exact.id
    assert match_statements([row], [elsewhere, partial])["old"] == partial.id
    assert match_statements([row], [elsewhere, stranger])["old"] is None
    # The speaker a user corrected the statement to counts as the same speaker.
    corrected = {**row, "corrections": {"speaker": "someone"}}
    assert match_statements([corrected], [stranger])["old"] == stranger.id
