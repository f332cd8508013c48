"""The pure per-document function and the resources it needs.

``process_document(raw, resources)`` takes bytes and returns records; it reads
no files, opens no database and keeps no state between calls, so the same
function runs in this process, in a ``ProcessPoolExecutor`` worker, or on a
Dask worker. ``Resources`` (spaCy pipeline, pack, linker, extractor, judge) are
built once per process by ``load_resources``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack, load_pack
from stanceline.clean import clean_input
from stanceline.errors import StancelineError
from stanceline.events import group_speech_events
from stanceline.judge.review import mark_for_review
from stanceline.llm.config import LLMConfig
from stanceline.records import Document, ProcessedDocument, Quarantine, RawInput
from stanceline.registry import build, extractors, judges


@dataclass(frozen=True)
class ResourceSpec:
    """What to load; picklable so workers can build their own ``Resources``."""

    pack: Path
    extractor: str
    judge: str
    spacy_model: str
    max_input_bytes: int = 20_000_000
    spacy_exclude: tuple[str, ...] = ("ner",)
    extractor_options: tuple[tuple[str, object], ...] = ()  # keyword arguments for extractors that take them
    review_threshold: float = 0.6
    review_judge: str | None = None
    llm: LLMConfig | None = None  # endpoint of a user's language model, for llm.v1


@dataclass
class Resources:
    spec: ResourceSpec
    pack: Pack
    linker: Linker
    extractor: Any
    judge: Any
    review_judge: Any = None


_CACHE: dict[ResourceSpec, Resources] = {}


def load_resources(spec: ResourceSpec) -> Resources:
    """Build (once per process) the models and indexes ``process_document`` needs."""
    if spec in _CACHE:
        return _CACHE[spec]
    import stanceline.extract  # noqa: F401 - registers built-in extractors
    import stanceline.judge  # noqa: F401 - registers built-in judges
    from stanceline.nlp import load_nlp
    from stanceline.nlp.memo import remember_attributes

    pack = load_pack(spec.pack)
    linker = Linker(pack)
    nlp = remember_attributes(load_nlp(spec.spacy_model, tuple(spec.spacy_exclude)))
    extractor = build(extractors.get(spec.extractor), nlp, linker, llm=spec.llm, **dict(spec.extractor_options))
    judge = build(judges.get(spec.judge), pack, linker, llm=spec.llm)
    review_judge = build(judges.get(spec.review_judge), pack, linker, llm=spec.llm) if spec.review_judge else None
    resources = Resources(spec, pack, linker, extractor, judge, review_judge)
    _CACHE[spec] = resources
    return resources


def process_document(raw: RawInput, resources: Resources) -> ProcessedDocument:
    """Clean, extract, judge one input. Bad input becomes a quarantine record, never an exception."""
    timings: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    try:
        document = clean_input(raw, resources.spec.max_input_bytes)
    except StancelineError as exc:
        return ProcessedDocument(raw, None, quarantine=Quarantine(raw.source, str(exc), len(raw.data)))
    timings.append(("clean", time.perf_counter() - t0))
    return _extract_and_judge(raw, document, resources, timings)


def reprocess_document(document: Document, resources: Resources) -> ProcessedDocument:
    """Extract and judge an already cleaned, stored document again (``stanceline reprocess``).

    The steps of ``process_document`` after cleaning, on the stored text, so the document id and
    every offset into it stay as they are. The raw input is not read again: the result carries a
    stand-in naming the document's source.
    """
    return _extract_and_judge(RawInput(document.source, b"", document.content_type), document, resources, [])


def _extract_and_judge(raw: RawInput, document: Document, resources: Resources,
                       timings: list[tuple[str, float]]) -> ProcessedDocument:
    extractor, judge = resources.spec.extractor, resources.spec.judge
    if document.language not in ("en", "und", None):
        # Stored and labelled; extraction for other languages is not built yet.
        return ProcessedDocument(raw, document, (), timings_s=tuple(timings), extractor=extractor, judge=judge)
    try:
        t1 = time.perf_counter()
        statements, notes = _with_notes(resources.extractor, "extract", document)
        timings.append(("extract", time.perf_counter() - t1))
        t2 = time.perf_counter()
        statements, judge_notes = _with_notes(resources.judge, "judge", document, statements)
        statements = group_speech_events(statements, document.text)
        second = resources.review_judge.judge(document, statements) if resources.review_judge is not None else None
        statements = mark_for_review(statements, resources.spec.review_threshold, second)
        timings.append(("judge", time.perf_counter() - t2))
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop a batch
        return ProcessedDocument(raw, None, quarantine=Quarantine(
            raw.source, f"processing failed: {type(exc).__name__}: {exc}"[:500], len(raw.data)))
    return ProcessedDocument(raw, document, tuple(statements), timings_s=tuple(timings), extractor=extractor, judge=judge,
                             notes=notes + judge_notes)


def _with_notes(component: Any, step: str, document: Document, *args: Any) -> tuple[list[Any], tuple[str, ...]]:
    """Run ``component.extract``/``judge``; a component that can fall back or drop answers
    (``llm.v1``) also says why, through ``extract_with_notes``/``judge_with_notes``."""
    with_notes = getattr(component, f"{step}_with_notes", None)
    if with_notes is not None:
        statements, notes = with_notes(document, *args)
        return list(statements), tuple(notes)
    return list(getattr(component, step)(document, *args)), ()


# --- running many documents -------------------------------------------------------------

_WORKER: Resources | None = None


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_S = 1.0


def _exit_with_parent() -> None:
    """End this worker when the process that started it dies, even by SIGKILL or the OOM killer.

    Otherwise an orphaned worker waits on its task queue for ever, holding its models in memory.
    On Linux the kernel sends SIGKILL on the parent's death (``PR_SET_PDEATHSIG``); everywhere, a
    daemon thread also watches for a change of parent (which also covers a parent that died
    before the ``prctl`` call).
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl in this C library: the thread below still works
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="stanceline-parent-watch", daemon=True).start()


def _init_worker(spec: ResourceSpec) -> None:
    global _WORKER
    _exit_with_parent()  # first: the models take seconds to load
    _WORKER = load_resources(spec)


def _work(raw: RawInput) -> ProcessedDocument:
    assert _WORKER is not None, "worker not initialised"
    return process_document(raw, _WORKER)


def _work_stored(document: Document) -> ProcessedDocument:
    assert _WORKER is not None, "worker not initialised"
    return reprocess_document(document, _WORKER)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_many(
    raws: Iterable[RawInput], spec: ResourceSpec, workers: int = 1, on_result: Callable[[ProcessedDocument], None] | None = None
) -> Iterator[ProcessedDocument]:
    """Process inputs in order of completion-by-submission; ``workers`` > 1 uses a process pool."""
    if workers <= 1:
        resources = load_resources(spec)
        for raw in raws:
            yield process_document(raw, resources)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(spec,)) as pool:
        yield from pool.map(_work, raws, chunksize=2)


def run_many_stored(
    documents: Iterable[Document], spec: ResourceSpec, workers: int = 1
) -> Iterator[ProcessedDocument]:
    """``run_many`` for stored documents (``reprocess_document``): the same pool, in input order."""
    if workers <= 1:
        resources = load_resources(spec)
        for document in documents:
            yield reprocess_document(document, resources)
        return
    # Documents are read from the store as the pool asks for them: at most a few per worker in flight.
    pending: deque[Future[ProcessedDocument]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(spec,)) as pool:
        for document in documents:
            pending.append(pool.submit(_work_stored, document))
            if len(pending) >= 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
