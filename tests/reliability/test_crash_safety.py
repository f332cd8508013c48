"""Crash safety: an ingest killed with SIGKILL midway and restarted loses and duplicates nothing."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from stanceline.pipeline import process_document
from stanceline.records import RawInput
from tests.reliability.cli_runner import start_ingest
from tests.reliability.synthetic import SPEAKERS, integrity, table_counts, write_articles

pytestmark = pytest.mark.slow

N_DOCS = 1_000
KILL_AFTER = 250  # documents stored before the kill
WAIT_LIMIT_S = 600  # a bound on waiting, not a timing assertion


def _stored_documents(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


def _statements_by_source(db: Path) -> dict[str, set[str]]:
    con = sqlite3.connect(str(db))
    try:
        out: dict[str, set[str]] = {}
        for source, sid in con.execute(
                "SELECT d.source, s.id FROM documents d LEFT JOIN statements s ON s.document_id = d.id"):
            out.setdefault(source, set())
            if sid is not None:
                out[source].add(sid)
        return out
    finally:
        con.close()


def _duplicates(db: Path) -> dict[str, int]:
    con = sqlite3.connect(str(db))
    try:
        return {
            "sources": con.execute("SELECT count(*) FROM (SELECT source FROM documents GROUP BY source HAVING count(*) > 1)")
            .fetchone()[0],
            "statements": con.execute('SELECT count(*) FROM (SELECT document_id, start, "end", speaker FROM statements '
                                      'GROUP BY document_id, start, "end", speaker HAVING count(*) > 1)').fetchone()[0],
            "judgements": con.execute("SELECT count(*) FROM (SELECT statement_id, rank FROM judgements "
                                      "GROUP BY statement_id, rank HAVING count(*) > 1)").fetchone()[0],
        }
    finally:
        con.close()


def test_ingest_killed_midway_and_restarted_loses_and_duplicates_nothing(tmp_path: Path, resources) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "docs"
    paths = write_articles(folder, range(N_DOCS))
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"

    started = time.monotonic()
    proc = start_ingest(folder, url, tmp_path)
    try:
        while _stored_documents(db) < KILL_AFTER:
            assert proc.poll() is None, f"ingest ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() - started < WAIT_LIMIT_S, "ingest made no progress"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    at_kill = table_counts(db)
    assert KILL_AFTER <= at_kill["documents"] < N_DOCS, at_kill

    again = start_ingest(folder, url, tmp_path)
    out, err = again.communicate(timeout=WAIT_LIMIT_S)
    assert again.returncode == 0, err
    assert "Traceback" not in out + err
    new = int(re.search(r"ingested (\d+) new", out).group(1))  # type: ignore[union-attr]
    assert new == N_DOCS - at_kill["documents"]

    # 0 lost, 0 duplicated, database intact
    assert integrity(db) == "ok"
    counts = table_counts(db)
    assert counts["documents"] == counts["raw_inputs"] == counts["document_sources"] == N_DOCS
    assert counts["quarantine"] == 0
    assert _duplicates(db) == {"sources": 0, "statements": 0, "judgements": 0}

    # every document carries exactly the statements a clean run gives it
    stored = _statements_by_source(db)
    assert set(stored) == {str(p) for p in paths}

    def expected(path: Path) -> set[str]:
        result = process_document(RawInput(str(path), path.read_bytes(), "text/plain"), resources)
        assert result.quarantine is None
        return {s.id for s in result.statements}

    # per speaker template the statement count is fixed; check it for every document
    per_template = {k: len(expected(paths[k])) for k in range(len(SPEAKERS))}
    assert any(per_template.values())
    wrong = [str(p) for i, p in enumerate(paths) if len(stored[str(p)]) != per_template[i % len(SPEAKERS)]]
    assert not wrong, f"{len(wrong)} document(s) with missing or extra statements, e.g. {wrong[:3]}"
    # and the exact statements around the kill point and at random elsewhere
    boundary = range(max(0, at_kill["documents"] - 10), min(N_DOCS, at_kill["documents"] + 10))
    sample = sorted(set(boundary) | set(random.Random(0).sample(range(N_DOCS), 20)))  # noqa: S311
    for i in sample:
        assert stored[str(paths[i])] == expected(paths[i]), paths[i].name
    assert counts["statements"] == sum(len(v) for v in stored.values())
