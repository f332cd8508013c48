"""Several processes ingesting into one database at once: nothing is lost, nothing is doubled."""

from __future__ import annotations

import multiprocessing as mp
import random
from typing import Any

from stanceline.storage import open_store
from tests.storage.factories import make_processed

N_DOCS = 24
N_PROCS = 4


def _ingest_all(url: str, seed: int, barrier: Any, results: Any) -> None:
    """One process: open the (maybe new) database and save every document, in its own order."""
    barrier.wait(timeout=60)
    store = open_store(url)
    try:
        store.sync_actors([("abbas-araghchi", "Abbas Araghchi", "person", "IR", ["Araghchi"])])
        order = list(range(N_DOCS))
        random.Random(seed).shuffle(order)
        outcomes = [store.save(make_processed(i, n_statements=4)) for i in order]
        # The same text arriving from another source, by another process, is a duplicate.
        outcomes.append(store.save(make_processed(0, n_statements=4, source=f"mirror-{seed}.txt", raw_bytes=b"x%d" % seed)))
        results.put(outcomes)
    finally:
        store.close()


def test_store_concurrent_ingests_store_each_document_and_statement_once(store_url: str) -> None:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(N_PROCS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_ingest_all, args=(store_url, seed, barrier, results)) for seed in range(N_PROCS)]
    for p in procs:
        p.start()
    outcomes = [o for _ in procs for o in results.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert outcomes.count("new") == N_DOCS
    assert outcomes.count("duplicate") == N_DOCS * N_PROCS - N_DOCS + N_PROCS
    store = open_store(store_url)
    try:
        counts = store.counts()
        assert counts["documents"] == N_DOCS
        assert counts["statements"] == N_DOCS * 4
        assert len(store.statement_rows()) == N_DOCS * 4
        assert store.integrity_check() == "ok"
        first = store.document(make_processed(0, n_statements=4).document.id)  # type: ignore[union-attr]
        assert first is not None
        assert sorted(first["sources"]) == ["doc-0.txt", *(f"mirror-{s}.txt" for s in range(N_PROCS))]
        assert len([a for a in store.actor_rows() if a["id"] == "abbas-araghchi"]) == 1
    finally:
        store.close()
