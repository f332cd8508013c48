"""Hostile inputs: every case is quarantined with a reason or processed cleanly, and nothing else changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stanceline import services
from stanceline.config import Settings
from tests.reliability.hostile import CASES
from tests.reliability.hostile import write_cases as write_hostile
from tests.reliability.synthetic import db_path, integrity, snapshot, write_articles

pytestmark = pytest.mark.slow


def _quarantine_reasons(path: str) -> dict[str, list[str]]:
    con = sqlite3.connect(path)
    try:
        out: dict[str, list[str]] = {}
        for source, reason in con.execute("SELECT source, reason FROM quarantine"):
            out.setdefault(source, []).append(reason)
        return out
    finally:
        con.close()


def _document_sources(path: str) -> dict[str, set[str]]:
    """source → the documents it is recorded for (a near-duplicate is recorded on its original too)."""
    con = sqlite3.connect(path)
    try:
        out: dict[str, set[str]] = {}
        for source, doc_id in con.execute("SELECT source, document_id FROM document_sources"):
            out.setdefault(source, set()).add(doc_id)
        return out
    finally:
        con.close()


def test_hostile_cases_are_at_least_thirty() -> None:
    assert len(CASES) >= 30
    assert {"quarantine", "processed"} == {c.expect for c in CASES}
    assert len({c.name for c in CASES}) == len(CASES)


def test_ingest_hostile_folder_quarantines_or_processes_each_case_and_keeps_the_rest(tmp_path: Path, settings: Settings) -> None:
    db = db_path(settings.db)
    write_articles(tmp_path / "good", range(3))
    first = services.ingest([str(tmp_path / "good")], settings, workers=1)
    assert (first.new, first.quarantined) == (3, 0)
    before = snapshot(db)

    cases = write_hostile(tmp_path / "hostile")
    report = services.ingest([str(tmp_path / "hostile")], settings, workers=1)  # must not raise

    reasons = _quarantine_reasons(db)
    sources = _document_sources(db)
    wrong = []
    for path, case in cases.items():
        if case.expect == "quarantine":
            if not reasons.get(path) or not all(r.strip() for r in reasons[path]) or path in sources:
                wrong.append(f"{case.name}: expected quarantine ({case.why}), got {reasons.get(path)} / {sources.get(path)}")
        elif path not in sources or path in reasons:
            wrong.append(f"{case.name}: expected processed ({case.why}), got quarantine {reasons.get(path)}")
    assert not wrong, "\n".join(wrong)
    n_quarantine = sum(c.expect == "quarantine" for c in CASES)
    assert report.quarantined == n_quarantine
    assert report.new + report.duplicate + report.near_duplicate == len(CASES) - n_quarantine

    after = snapshot(db)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), f"rows of {table} changed or vanished"
    # the only documents added are those of processed cases
    new_docs = {row[0] for row in after["documents"]} - {row[0] for row in before["documents"]}
    assert new_docs <= set().union(*(sources[p] for p, c in cases.items() if c.expect == "processed"))
    assert integrity(db) == "ok"

    # a second run over the same folder changes nothing (idempotent, quarantine not duplicated)
    again = services.ingest([str(tmp_path / "hostile")], settings, workers=1)
    assert again.new == 0
    assert snapshot(db) == after
    assert sum(len(v) for v in _quarantine_reasons(db).values()) == sum(len(v) for v in reasons.values())


def test_process_document_hostile_text_is_stored_without_invisible_or_bidi_controls(resources) -> None:  # type: ignore[no-untyped-def]
    from stanceline.pipeline import process_document
    from stanceline.records import RawInput

    by_name = {c.name: c for c in CASES}
    for name in ("rtl_marks.txt", "zero_width_flood.txt", "mixed_scripts.txt"):
        result = process_document(RawInput(name, by_name[name].make(), "text/plain"), resources)
        assert result.document is not None, result.quarantine
        text = result.document.text
        assert not set(text) & set("\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
        for s in result.statements:
            assert text[s.start : s.end] == s.text
