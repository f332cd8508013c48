"""Concurrency: two ingests of overlapping folders at once into one SQLite database stay correct."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.reliability.cli_runner import start_ingest
from tests.reliability.synthetic import SPEAKERS, integrity, table_counts, write_articles

pytestmark = pytest.mark.slow

SHARED, ONLY_A, ONLY_B = range(0, 40), range(40, 60), range(60, 80)
WAIT_LIMIT_S = 600


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """Two folders; the shared articles sort first in both, so both runs reach them at the same moment."""
    a, b = tmp_path / "a", tmp_path / "b"
    write_articles(a, ONLY_A)
    write_articles(b, ONLY_B)
    for i in SHARED:
        src = write_articles(tmp_path / "pool", [i])[0]
        shutil.copy(src, a / f"0shared{i:05d}.txt")
        shutil.copy(src, b / f"0shared{i:05d}.txt")
    return a, b


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(str(db))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("fresh_database", [True, False], ids=["fresh-db", "existing-db"])
def test_two_ingests_of_overlapping_folders_at_once_store_each_document_once(tmp_path: Path, fresh_database: bool) -> None:
    a, b = _folders(tmp_path)
    db = tmp_path / "shared.db"
    url = f"sqlite:///{db}"
    if not fresh_database:  # schema made first: only the document writes race
        warm = tmp_path / "warm"
        write_articles(warm, [999])
        proc = start_ingest(warm, url, tmp_path)
        assert proc.wait(WAIT_LIMIT_S) == 0, proc.communicate()

    first, second = start_ingest(a, url, tmp_path), start_ingest(b, url, tmp_path)
    results = [p.communicate(timeout=WAIT_LIMIT_S) for p in (first, second)]
    for proc, (out, err) in zip((first, second), results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in out + err
        assert "locked" not in out + err

    extra = 0 if fresh_database else 1
    n_docs = len(SHARED) + len(ONLY_A) + len(ONLY_B) + extra
    assert integrity(db) == "ok"
    counts = table_counts(db)
    assert counts["documents"] == counts["raw_inputs"] == n_docs
    assert counts["quarantine"] == 0
    # every path is recorded as a source: the shared articles have two
    sources = {str(r[0]) for r in _rows(db, "SELECT source FROM document_sources")}
    expected_sources = {str(p) for p in a.iterdir()} | {str(p) for p in b.iterdir()}
    assert expected_sources <= sources, f"sources lost: {sorted(expected_sources - sources)[:5]}"
    assert counts["document_sources"] == len(expected_sources) + extra
    # statements: none duplicated, and the same count for every article of one speaker template
    assert not _rows(db, 'SELECT document_id, start, "end", speaker FROM statements '
                         'GROUP BY document_id, start, "end", speaker HAVING count(*) > 1')
    per_doc = _rows(db, "SELECT d.source, count(s.id) FROM documents d LEFT JOIN statements s ON s.document_id = d.id "
                        "GROUP BY d.id")
    by_template: dict[int, set[int]] = {}
    for source, n in per_doc:
        index = int(Path(str(source)).stem[-5:])
        by_template.setdefault(index % len(SPEAKERS), set()).add(int(n))  # type: ignore[call-overload]
    assert all(len(v) == 1 for v in by_template.values()), by_template
