"""Store growth: the time to ingest 1k documents when 1k, 10k and 100k are already stored.

The store is filled with synthetic records through ``SqlStore.save`` (fast, no NLP); each timed
batch is real pipeline output (the benchmark corpus through ``process_document``), made unique
per copy so every save is a new document. The per-document function does not depend on the
store, so store writes are the whole of what could grow. SQLite always; PostgreSQL too when
``STANCELINE_BENCH_PG`` (or ``STANCELINE_TEST_PG``) names a server the benchmark may create a
scratch database on.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus import base_inputs

from stanceline.config import load_settings
from stanceline.pipeline import ResourceSpec, load_resources, process_document
from stanceline.records import (
    Document,
    Judgement,
    PartialDate,
    ProcessedDocument,
    RawInput,
    Speaker,
    Statement,
    content_hash,
)
from stanceline.storage import StatementFilter, open_store
from stanceline.storage.sql import SqlStore, raw_id

FULL = {"levels": [1_000, 10_000, 100_000], "batch": 1_000}
QUICK = {"levels": [200, 1_000, 3_000], "batch": 200}
FILLER = ("Officials in Tehran and Washington traded statements on the prospects of renewed talks, "
          "with each side setting conditions the other called unacceptable. ") * 12


def synthetic(i: int) -> ProcessedDocument:
    """A filler document with three statements: realistic row sizes, no NLP."""
    text = f"Report {i}. {FILLER}" + " ".join(f'Official {k} said "we remain ready to talk, case {i}-{k}".' for k in range(3))
    doc_id = content_hash(text)
    raw = RawInput(f"fill/{i}.txt", text.encode("utf-8"), "text/plain")
    date = PartialDate(2013 + i % 13, 1 + i % 12, 1 + i % 28)
    statements = []
    pos = 0
    for k in range(3):
        start = text.index('"', pos)
        end = text.index('"', start + 1) + 1
        pos = end
        speaker = Speaker(f"Official {k}", f"Official {i % 500}-{k}", "person", None)
        statements.append(Statement(doc_id, start, end, text[start:end], speaker, "say", "direct", "attribution.v1",
                                    date=date, date_source="publication",
                                    judgements=(Judgement("direct talks", "support", 0.7, produced_by="lexicon.v1"),)))
    document = Document(doc_id, raw.source, text, title=f"Report {i}", outlet="Wire", published=date, language="en")
    return ProcessedDocument(raw, document, tuple(statements))


def variant(p: ProcessedDocument, k: int) -> ProcessedDocument:
    """Pipeline output ``p`` as if copy ``k`` had other bytes and text: a new document, same rows."""
    assert p.document is not None
    text = p.document.text + f"\n[copy {k}]"
    doc_id = content_hash(text)
    raw = RawInput(f"{p.raw.source}#{k}", p.raw.data + f"\n[copy {k}]".encode(), p.raw.content_type)
    return ProcessedDocument(raw, replace(p.document, id=doc_id, text=text, source=raw.source),
                             tuple(replace(s, document_id=doc_id) for s in p.statements), timings_s=p.timings_s)


def _processed_corpus() -> list[ProcessedDocument]:
    s = load_settings()
    resources = load_resources(ResourceSpec(s.pack, s.extractor, s.judge, s.spacy_model, s.max_input_bytes))
    results = [process_document(raw, resources) for raw in base_inputs()]
    return [r for r in results if r.document is not None]


@contextmanager
def _databases() -> Iterator[list[tuple[str, str]]]:
    """(dialect, URL) pairs of empty databases: a SQLite file, and PostgreSQL when configured."""
    with tempfile.TemporaryDirectory(prefix="stanceline-bench-") as tmp:
        dbs = [("sqlite", f"sqlite:///{Path(tmp) / 'growth.db'}")]
        admin_url = os.environ.get("STANCELINE_BENCH_PG") or os.environ.get("STANCELINE_TEST_PG")
        if not admin_url:
            yield dbs
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"stanceline_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield [*dbs, ("postgresql", make_url(admin_url).set(database=name).render_as_string(hide_password=False))]
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _timed_batch(store: SqlStore, batch: list[ProcessedDocument]) -> float:
    """What ingest does per input once the pipeline has run: the known-bytes check, then save."""
    t0 = time.perf_counter()
    known = store.known_raw_ids([raw_id(p.raw) for p in batch])
    for p in batch:
        if raw_id(p.raw) not in known:
            outcome = store.save(p)
            assert outcome == "new", outcome
    return time.perf_counter() - t0


def grow(url: str, levels: list[int], batch_size: int, real: list[ProcessedDocument]) -> list[dict[str, Any]]:
    store = open_store(url)
    rows = []
    filled = 0
    copy = 0
    try:
        for level in levels:
            t0 = time.perf_counter()
            n_fill = max(0, level - store.counts()["documents"])
            for _ in range(n_fill):
                store.save(synthetic(filled))
                filled += 1
            fill_s = time.perf_counter() - t0
            batch = []
            for _ in range(batch_size):
                batch.append(variant(real[copy % len(real)], copy))
                copy += 1
            seconds = _timed_batch(store, batch)
            t1 = time.perf_counter()
            store.statement_rows(StatementFilter(speaker="araghchi", limit=100))
            query_s = time.perf_counter() - t1
            rows.append({"stored": level, "ingest_s_per_1k": seconds * 1000 / batch_size,
                         "fill_docs_per_s": n_fill / fill_s if n_fill else None, "query_s": query_s})
    finally:
        store.close()
    return rows


def run(quick: bool) -> dict[str, Any]:
    cfg = QUICK if quick else FULL
    real = _processed_corpus()
    results: dict[str, Any] = {"levels": cfg["levels"], "batch": cfg["batch"], "dialects": {}}
    metrics = []
    with _databases() as dbs:
        for dialect, url in dbs:
            rows = grow(url, cfg["levels"], cfg["batch"], real)
            results["dialects"][dialect] = rows
            for row in rows:
                metrics.append({"name": f"{dialect}: ingest time per 1k docs at {row['stored']:,} stored",
                                "value": row["ingest_s_per_1k"], "unit": "s", "target": "", "met": None,
                                "note": f"statement query {row['query_s'] * 1000:.0f} ms"})
            growth = rows[-1]["ingest_s_per_1k"] / rows[0]["ingest_s_per_1k"]
            metrics.append({"name": f"{dialect}: growth {rows[0]['stored']:,} → {rows[-1]['stored']:,}",
                            "value": growth, "unit": "×", "target": "flat (≤ 1.5)", "met": growth <= 1.5, "note": ""})
    results["metrics"] = metrics
    return results
