"""Pipeline speed and memory: per stage, against spaCy alone, and from 1 to 2 processes / Dask workers.

Every measurement runs in a fresh child process, so that its peak RSS belongs to that stage alone
and no model loaded for one figure inflates another.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from corpus import corpus

from stanceline.config import load_settings
from stanceline.pipeline import ResourceSpec, load_resources, process_document
from stanceline.records import RawInput

FULL_DOCS, QUICK_DOCS = 500, 60


def _spec() -> ResourceSpec:
    s = load_settings()
    return ResourceSpec(s.pack, s.extractor, s.judge, s.spacy_model, s.max_input_bytes)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class _TimedNlp:
    """Wraps the extractor's spaCy pipeline to count the seconds spent inside it."""

    def __init__(self, nlp: Any) -> None:
        self._nlp = nlp
        self.seconds = 0.0
        self.texts = 0

    def pipe(self, texts: Any, **kwargs: Any) -> Iterator[Any]:
        it = iter(self._nlp.pipe(texts, **kwargs))
        while True:
            t0 = time.perf_counter()
            try:
                doc = next(it)
            except StopIteration:
                self.seconds += time.perf_counter() - t0
                return
            self.seconds += time.perf_counter() - t0
            self.texts += 1
            yield doc

    def __call__(self, text: str) -> Any:
        t0 = time.perf_counter()
        doc = self._nlp(text)
        self.seconds += time.perf_counter() - t0
        self.texts += 1
        return doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nlp, name)


# --- children: one figure each -------------------------------------------------------------

def child_clean(raws: list[RawInput]) -> dict[str, Any]:
    from stanceline.clean import clean_input

    t0 = time.perf_counter()
    words = 0
    for raw in raws:
        try:
            words += len(clean_input(raw, 20_000_000).text.split())
        except Exception:  # noqa: BLE001, S112 - a refused input costs what it costs
            continue
    return {"seconds": time.perf_counter() - t0, "words": words, "peak_rss_mb": _peak_rss_mb()}


def child_spacy_alone(raws: list[RawInput]) -> dict[str, Any]:
    """spaCy ``en_core_web_sm`` over the whole cleaned text of each article, as a baseline."""
    from stanceline.clean import clean_input
    from stanceline.nlp import load_nlp

    texts = [clean_input(r, 20_000_000).text for r in raws]
    nlp = load_nlp(_spec().spacy_model)
    list(nlp.pipe(texts[:3]))  # warm-up
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    return {"seconds": time.perf_counter() - t0, "words": sum(len(t.split()) for t in texts),
            "model": f"{nlp.meta.get('name')}-{nlp.meta.get('version')}", "peak_rss_mb": _peak_rss_mb()}


def child_full(raws: list[RawInput]) -> dict[str, Any]:
    """The full pipeline in one process, with per-stage seconds, then spaCy alone on the same texts."""
    resources = load_resources(_spec())
    timed = _TimedNlp(resources.extractor.nlp)
    resources.extractor.nlp = timed
    for raw in raws[:3]:
        process_document(raw, resources)  # warm-up
    timed.seconds, timed.texts = 0.0, 0
    stages: dict[str, float] = {}
    words = 0
    results = []
    t0 = time.perf_counter()
    for raw in raws:
        result = process_document(raw, resources)
        results.append(result)
        for name, seconds in result.timings_s:
            stages[name] = stages.get(name, 0.0) + seconds
        if result.document is not None:
            words += len(result.document.text.split())
    total = time.perf_counter() - t0
    pipeline_rss = _peak_rss_mb()
    store_s = _store_seconds(results)
    store_rss = _peak_rss_mb()
    # The ratio's baseline is the stock en_core_web_sm (all its components) on the very same
    # texts in this process; the pipeline itself loads it without NER (Settings.spacy_exclude),
    # so the same-model figure is reported too. Last, because parsing whole articles in
    # spaCy's default batches raises the peak RSS.
    from stanceline.nlp import load_nlp

    texts = [r.document.text for r in results if r.document is not None]
    stock = load_nlp(load_settings().spacy_model)
    list(stock.pipe(texts[:3]))  # warm-up
    t1 = time.perf_counter()
    for _ in stock.pipe(texts):
        pass
    spacy_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    for _ in timed._nlp.pipe(texts):
        pass
    same_model_s = time.perf_counter() - t2
    return {"seconds": total, "words": words, "stages_s": stages, "nlp_in_extract_s": timed.seconds,
            "nlp_texts": timed.texts, "spacy_alone_s": spacy_s, "same_model_alone_s": same_model_s, "store_s": store_s,
            "statements": sum(len(r.statements) for r in results), "peak_rss_mb": pipeline_rss,
            "peak_rss_after_store_mb": store_rss, "peak_rss_after_spacy_alone_mb": _peak_rss_mb()}


_STOCK: Any = None


def _init_stock(model: str) -> None:
    global _STOCK
    from stanceline.nlp import load_nlp

    _STOCK = load_nlp(model)
    list(_STOCK.pipe(["A warm-up sentence, the minister said."] * 8))


def _stock_block(texts: list[str]) -> float:
    t0 = time.perf_counter()
    for _ in _STOCK.pipe(texts):
        pass
    return time.perf_counter() - t0


def _pipeline_block(raws: list[RawInput]) -> tuple[float, list[str]]:
    resources = load_resources(_spec())
    t0 = time.perf_counter()
    results = [process_document(raw, resources) for raw in raws]
    seconds = time.perf_counter() - t0
    return seconds, [r.document.text for r in results if r.document is not None]


def paired_ratio(raws: list[RawInput], block: int = 25) -> dict[str, Any]:
    """The pipeline against stock spaCy alone on the same texts, block by block in turn.

    Each runs in its own long-lived process (its models, caches and memory its own, as in use),
    and the two take turns on blocks of articles, so that a machine that speeds up or slows down
    during the run (shared hosts do) weighs on both sides alike: measured one after the other, the
    ratio moved by a third between runs here.
    """
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init, initargs=(_spec(),)) as pipe_pool, \
            ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init_stock,
                                initargs=(load_settings().spacy_model,)) as stock_pool:
        pipe_pool.submit(_pipeline_block, raws[:3]).result()  # warm-up
        pipeline_s = spacy_s = 0.0
        for start in range(0, len(raws), block):
            seconds, texts = pipe_pool.submit(_pipeline_block, raws[start : start + block]).result()
            pipeline_s += seconds
            spacy_s += stock_pool.submit(_stock_block, texts).result()
    return {"pipeline_s": pipeline_s, "spacy_alone_s": spacy_s, "block": block}


def _store_seconds(results: list[Any]) -> float:
    import tempfile
    from pathlib import Path

    from stanceline.storage import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        t0 = time.perf_counter()
        for r in results:
            store.save(r)
        seconds = time.perf_counter() - t0
        store.close()
    return seconds


def _init(spec: ResourceSpec) -> None:
    load_resources(spec)


def _one(raw: RawInput) -> int:
    return len(process_document(raw, load_resources(_spec())).statements)


def child_pool(raws: list[RawInput], workers: int) -> dict[str, Any]:
    """Steady-state throughput of a process pool (models loaded and warmed before the clock)."""
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init, initargs=(_spec(),)) as pool:
        list(pool.map(_one, raws[: 2 * workers]))  # warm-up: every worker has loaded spaCy
        t0 = time.perf_counter()
        list(pool.map(_one, raws, chunksize=2))
        return {"seconds": time.perf_counter() - t0, "workers": workers}


def child_dask(raws: list[RawInput], workers: int) -> dict[str, Any]:
    import logging

    from distributed import Client, LocalCluster
    from stanceline.distributed.engine import _plugin, plan_batches, process_batch

    spec = _spec()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.register_plugin(_plugin(spec))
        client.gather([client.submit(process_batch, [r], spec, pure=False) for r in raws[: 2 * workers]])
        t0 = time.perf_counter()
        futures = [client.submit(process_batch, b, spec, pure=False) for b in plan_batches(raws, workers)]
        client.gather(futures)
        seconds = time.perf_counter() - t0
        rss = [w.get("metrics", {}).get("memory", 0) / 2**20 for w in client.scheduler_info()["workers"].values()]
    return {"seconds": seconds, "workers": workers, "worker_rss_mb": max(rss) if rss else None}


def in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh process and return its result."""
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


# --- the benchmark -------------------------------------------------------------------------

def run(quick: bool) -> dict[str, Any]:
    raws = corpus(QUICK_DOCS if quick else FULL_DOCS)
    n = len(raws)
    full = in_child(child_full, raws)
    paired = paired_ratio(raws)
    clean = in_child(child_clean, raws)
    spacy_only = in_child(child_spacy_alone, raws)
    # These start their own worker processes; this process only hands out work.
    pool1, pool2 = child_pool(raws, 1), child_pool(raws, 2)
    dask1, dask2 = child_dask(raws, 1), child_dask(raws, 2)

    words = full["words"]
    stages = full["stages_s"]
    nlp_s = full["nlp_in_extract_s"]
    per_stage = {
        "clean": (stages.get("clean", 0.0), clean["peak_rss_mb"]),
        "nlp": (nlp_s, full["peak_rss_mb"]),
        "extract": (stages.get("extract", 0.0) - nlp_s, full["peak_rss_mb"]),
        "judge": (stages.get("judge", 0.0), full["peak_rss_mb"]),
        "store": (full["store_s"], full["peak_rss_after_store_mb"]),
    }
    ratio = paired["spacy_alone_s"] / paired["pipeline_s"]
    metrics = []
    for stage, (seconds, rss) in per_stage.items():
        note = {"nlp": "spaCy inside extract (candidate lines only)", "extract": "extract minus its spaCy time",
                "store": "SqlStore.save into SQLite", "judge": "judge + speech events"}.get(stage, "")
        metrics.append(_metric(f"{stage}: articles/s", n / seconds if seconds else None, "art/s", note=note))
        metrics.append(_metric(f"{stage}: words/s", words / seconds if seconds else None, "words/s"))
        metrics.append(_metric(f"{stage}: peak RSS", rss, "MB", "≤ 700", rss <= 700))
    metrics += [
        _metric("full pipeline, 1 process", n / full["seconds"], "art/s"),
        _metric("full pipeline, 1 process: words/s", words / full["seconds"], "words/s"),
        _metric("spaCy alone, same texts, same process", n / full["spacy_alone_s"], "art/s",
                note=spacy_only.get("model", "")),
        _metric("full pipeline, 1 process, interleaved with spaCy alone", n / paired["pipeline_s"], "art/s",
                note=f"turns of {paired['block']} articles, each in its own process"),
        _metric("spaCy alone, interleaved with the pipeline", n / paired["spacy_alone_s"], "art/s"),
        _metric("spaCy alone: peak RSS (own process)", spacy_only["peak_rss_mb"], "MB",
                note="whole articles, default batch size"),
        _metric("full pipeline ÷ spaCy alone", ratio, "×", "≥ 1.0 (aim 1.5)", ratio >= 1.0,
                note="stock en_core_web_sm, all components; the interleaved runs"),
        _metric("judging share of pipeline time", 100 * stages.get("judge", 0.0) / full["seconds"], "%", "≤ 30",
                100 * stages.get("judge", 0.0) / full["seconds"] <= 30, note=f"judge {load_settings().judge}"),
        _metric("full pipeline ÷ same model (no NER) alone", full["same_model_alone_s"] / full["seconds"], "×",
                note="the pipeline's own spaCy, whole articles"),
        _metric("local pool, 1 process", n / pool1["seconds"], "art/s"),
        _metric("local pool, 2 processes", n / pool2["seconds"], "art/s", "≥ 12", n / pool2["seconds"] >= 12),
        _metric("local scaling 1 → 2", pool1["seconds"] / pool2["seconds"], "×", "≥ 1.8",
                pool1["seconds"] / pool2["seconds"] >= 1.8),
        _metric("Dask, 1 worker", n / dask1["seconds"], "art/s"),
        _metric("Dask, 2 workers", n / dask2["seconds"], "art/s", "≥ 12", n / dask2["seconds"] >= 12),
        _metric("Dask scaling 1 → 2", dask1["seconds"] / dask2["seconds"], "×", "≥ 1.8",
                dask1["seconds"] / dask2["seconds"] >= 1.8),
        _metric("Dask worker RSS (after run)", dask2.get("worker_rss_mb"), "MB", "≤ 700",
                (dask2.get("worker_rss_mb") or 0) <= 700),
    ]
    return {"articles": n, "words": words, "statements": full["statements"], "metrics": metrics,
            "raw": {"full": full, "paired": paired, "clean": clean, "spacy_alone": spacy_only, "pool1": pool1, "pool2": pool2,
                    "dask1": dask1, "dask2": dask2}}


def _metric(name: str, value: float | None, unit: str, target: str = "", met: bool | None = None,
            note: str = "") -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "target": target, "met": met if target else None, "note": note}
