"""Crash safety of ``stanceline reprocess``: killed with SIGKILL midway, every document is wholly old or
wholly new, no correction is lost, and a second run finishes the rest."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from stanceline.config import Settings
from stanceline.records import Document, Judgement, ProcessedDocument, RawInput, Speaker, Statement, content_hash
from stanceline.storage import open_store
from tests.reliability.cli_runner import CLI, clean_env
from tests.reliability.synthetic import SPEAKERS, article, integrity

pytestmark = pytest.mark.slow

N_DOCS = 300
KILL_AFTER = 50  # documents re-processed before the kill
WAIT_LIMIT_S = 600  # a bound on waiting, not a timing assertion
OLD = ("attribution.v0", "lexicon.v0")  # what "an earlier release" produced
NEW = (Settings().extractor, Settings().judge)  # the defaults the command runs with


def _old_result(i: int) -> ProcessedDocument:
    text = article(i)
    doc = Document(content_hash(text), f"doc{i:05d}.txt", text, language="en")
    start = text.index('"We are')
    end = text.index('"', start + 1) + 1
    name = SPEAKERS[i % len(SPEAKERS)]
    statement = Statement(doc.id, start, end, text[start:end], Speaker(name, name, "person", None), "tell", "direct",
                          OLD[0], judgements=(Judgement("direct talks", "neutral", 0.5, produced_by=OLD[1]),))
    return ProcessedDocument(RawInput(doc.source, text.encode(), "text/plain"), doc, (statement,),
                             extractor=OLD[0], judge=OLD[1])


def _progress(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute("SELECT count(*) FROM document_processing WHERE judge = ?", (NEW[1],)).fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def _start(url: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, "reprocess", "--db", url, "--workers", "1"], cwd=cwd, env=clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _check_whole_documents(db: Path) -> dict[str, tuple[str, str]]:
    """Every document's statements and judgements come from the models its provenance row names."""
    con = sqlite3.connect(str(db))
    try:
        provenance = {d: (e, j) for d, e, j in con.execute("SELECT document_id, extractor, judge FROM document_processing")}
        assert len(provenance) == N_DOCS
        made: dict[str, set[tuple[str, str]]] = {}
        for doc, extractor, judge in con.execute(
                "SELECT s.document_id, s.produced_by, j.produced_by FROM statements s "
                "JOIN judgements j ON j.statement_id = s.id"):
            made.setdefault(doc, set()).add((extractor, judge))
        mixed = {d: (made.get(d), p) for d, p in provenance.items() if made.get(d, {p}) != {p}}
        assert not mixed, f"{len(mixed)} document(s) half old, half new, e.g. {list(mixed.items())[:2]}"
        # No correction lost: each names a stored statement, or one kept in replaced_statements.
        lost = con.execute("SELECT count(*) FROM corrections c WHERE c.statement_id NOT IN (SELECT id FROM statements) "
                           "AND c.statement_id NOT IN (SELECT statement_id FROM replaced_statements)").fetchone()[0]
        assert lost == 0
        assert con.execute("SELECT count(*) FROM corrections").fetchone()[0] == N_DOCS // 10
        return provenance
    finally:
        con.close()


def test_reprocess_killed_midway_leaves_whole_documents_and_a_rerun_finishes(tmp_path: Path) -> None:
    db = tmp_path / "reprocess.db"
    url = f"sqlite:///{db}"
    store = open_store(url)
    try:
        for i in range(N_DOCS):
            result = _old_result(i)
            assert store.save(result) == "new"
            if i % 10 == 0:
                store.add_correction(result.statements[0].id, "stance", "oppose", "analyst")
    finally:
        store.close()

    started = time.monotonic()
    proc = _start(url, tmp_path)
    try:
        while _progress(db) < KILL_AFTER:
            assert proc.poll() is None, f"reprocess ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() - started < WAIT_LIMIT_S, "reprocess made no progress"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    at_kill = _check_whole_documents(db)
    done = sum(p == NEW for p in at_kill.values())
    assert KILL_AFTER <= done < N_DOCS

    again = _start(url, tmp_path)
    out, err = again.communicate(timeout=WAIT_LIMIT_S)
    assert again.returncode == 0, err
    assert "Traceback" not in out + err
    assert int(re.search(r"reprocessed (\d+) document", out).group(1)) == N_DOCS - done  # type: ignore[union-attr]
    assert f"({done} already up to date" in out
    assert integrity(db) == "ok"
    assert set(_check_whole_documents(db).values()) == {NEW}
