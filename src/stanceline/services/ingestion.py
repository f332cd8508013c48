"""Ingestion services: per-run state (near-duplicate index, repeated lines), feeds, quarantine.

``IngestRun`` holds what one ``ingest`` call loads once — the MinHash LSH index of stored
documents and the repeated-line counts of each source — so the cost per document stays flat as
the store grows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from stanceline.clean import REPEATED_LINES_META
from stanceline.clean.boilerplate import short_line_hashes
from stanceline.config import Settings
from stanceline.errors import IngestError
from stanceline.records import Document, PartialDate, ProcessedDocument, Quarantine, RawInput
from stanceline.storage import SqlStore, open_store, require_persistent
from stanceline.storage import ingestion as store_ingestion

NUM_PERM = 128
MINHASH_SCHEME = "affine32"  # stored signatures must be read back with the scheme that made them
SHINGLE_WORDS = 3
MIN_SHINGLES = 20  # shorter texts are too small to call near-duplicates
REPEATED_MIN_DOCUMENTS = 3  # a line in this many documents of one source is that source's chrome
_WORD = re.compile(r"\w+", re.UNICODE)


# -- identity of a source -----------------------------------------------------------------------

def source_key(source: str) -> str:
    """Which site or folder a source belongs to: the host of a URL, the folder of a file."""
    if source.startswith(("http://", "https://")):
        return (urlsplit(source).hostname or source).lower()
    base = re.sub(r"[#@]\d+$", "", source)  # records of a JSON file or a web archive
    if base in ("stdin", "-"):
        return "stdin"
    return str(Path(base).parent)


def parse_since(value: str | None) -> PartialDate | None:
    """``--since`` as a date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    if value is None:
        return None
    parsed = PartialDate.parse(value)
    if parsed is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value.strip()):
        raise IngestError(f"invalid --since date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    return parsed


# -- near-duplicates --------------------------------------------------------------------------------

def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of a text, case-folded (what MinHash compares)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    return {" ".join(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def minhash_of(text: str) -> Any | None:
    """MinHash signature of a text, or None when it is too short to compare."""
    from datasketch import MinHash

    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    mh = MinHash(num_perm=NUM_PERM, scheme=MINHASH_SCHEME)
    mh.update_batch([g.encode("utf-8") for g in grams])
    return mh


def minhash_bytes(mh: Any) -> bytes:
    return bytes(mh.hashvalues.astype("<u8").tobytes())


def minhash_from_bytes(data: bytes) -> Any:
    import numpy as np
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype="<u8"), scheme=MINHASH_SCHEME)


class NearDuplicateIndex:
    """MinHash LSH over stored originals, loaded once per run and kept up to date as documents arrive."""

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, Any] = {}

    def add(self, doc_id: str, mh: Any) -> None:
        if doc_id not in self.signatures:
            self.lsh.insert(doc_id, mh)
            self.signatures[doc_id] = mh

    def original_of(self, mh: Any) -> str | None:
        """The stored original this signature duplicates (best estimated Jaccard ≥ threshold), if any."""
        best, best_score = None, 0.0
        for candidate in self.lsh.query(mh):
            score = float(mh.jaccard(self.signatures[candidate]))
            if score >= self.threshold and (score > best_score or (score == best_score and str(candidate) < str(best))):
                best, best_score = str(candidate), score
        return best

    @classmethod
    def load(cls, store: SqlStore, threshold: float) -> NearDuplicateIndex:
        index = cls(threshold)
        for doc_id, data, dup_of in store_ingestion.minhash_rows(store):
            if dup_of is None:
                index.add(doc_id, minhash_from_bytes(data))
        return index


# -- one ingest run ---------------------------------------------------------------------------------

@dataclass
class IngestRun:
    """State one ``ingest`` call loads once and updates as it stores documents."""

    store: SqlStore
    settings: Settings
    index: NearDuplicateIndex
    line_counts: dict[str, Counter[str]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, store: SqlStore, settings: Settings) -> IngestRun:
        return cls(store, settings, NearDuplicateIndex.load(store, settings.near_duplicate_threshold))

    def _counts(self, key: str) -> Counter[str]:
        if key not in self.line_counts:
            self.line_counts[key] = store_ingestion.line_counts(self.store, key)
        return self.line_counts[key]

    def with_repeated_lines(self, items: list[RawInput | Quarantine]) -> list[RawInput | Quarantine]:
        """Attach to each text input the hashes of its lines repeated across its source's documents.

        Counts combine the store and this batch, so chrome is recognised on a first ingest of a site too.
        """
        batch: dict[str, Counter[str]] = {}
        hashes: dict[int, set[str]] = {}
        for n, item in enumerate(items):
            if isinstance(item, RawInput) and "html" not in (item.content_type or ""):
                hashes[n] = short_line_hashes(item.data[:2_000_000].decode("utf-8", errors="replace"))
                batch.setdefault(source_key(item.source), Counter()).update(hashes[n])
        out: list[RawInput | Quarantine] = []
        for n, item in enumerate(items):
            if n not in hashes or not isinstance(item, RawInput):
                out.append(item)
                continue
            key = source_key(item.source)
            stored, here = self._counts(key), batch[key]
            repeated = sorted(h for h in hashes[n] if stored.get(h, 0) + here.get(h, 0) >= REPEATED_MIN_DOCUMENTS)
            if repeated:
                meta = dict(item.meta)
                meta[REPEATED_LINES_META] = " ".join(repeated)
                item = replace(item, meta=tuple(sorted(meta.items())))
            out.append(item)
        return out

    def store_result(self, result: ProcessedDocument) -> str:
        """Store one result: near-duplicates become another source of their original, without statements."""
        doc = result.document
        if result.quarantine is not None or doc is None:
            return self.store.save(result)
        mh = minhash_of(doc.text)
        original = self.index.original_of(mh) if mh is not None else None
        if original is not None and original != doc.id:
            outcome = self.store.save(replace(result, statements=()), minhash=minhash_bytes(mh), near_duplicate_of=original)
            store_ingestion.add_document_source(self.store, original, result.raw.source)
            if outcome == "new":
                self.messages.append(f"near-duplicate {result.raw.source}: recorded as another source of {original[:12]}")
                outcome = "near-duplicate"
        else:
            outcome = self.store.save(result, minhash=minhash_bytes(mh) if mh is not None else None)
            if outcome == "new" and mh is not None:
                self.index.add(doc.id, mh)
        if outcome in ("new", "near-duplicate"):
            self._after_new(result.raw, doc)
        return outcome

    def _after_new(self, raw: RawInput, doc: Document) -> None:
        key = source_key(raw.source)
        lines = "\n".join([doc.text, *(r.text for r in doc.removed)])
        hashes = short_line_hashes(lines)
        store_ingestion.record_source_lines(self.store, key, doc.id, hashes)
        self._counts(key).update(hashes)
        meta = raw.meta_dict()
        if "feed" in meta and "feed_item" in meta:
            store_ingestion.mark_feed_item(self.store, meta["feed"], meta["feed_item"], raw.source, meta.get("published"))


# -- feeds ---------------------------------------------------------------------------------------------

def feed_items(feed_url: str, settings: Settings, store: SqlStore, since: PartialDate | None = None,
               transport: httpx.BaseTransport | None = None) -> Iterator[RawInput | Quarantine]:
    """The new entries of a feed (those no earlier run stored), fetched with the polite fetcher."""
    from stanceline.ingest.feeds import feed_inputs
    from stanceline.ingest.web import Fetcher

    seen = store_ingestion.seen_feed_items(store, feed_url)
    with Fetcher(settings, transport) as fetcher:
        yield from feed_inputs(feed_url, fetcher, seen, since)


# -- quarantine ---------------------------------------------------------------------------------------

def quarantine_list(settings: Settings, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Quarantined inputs (unresolved only unless asked), oldest first."""
    store = open_store(settings.db)
    try:
        return store.quarantine_rows(include_resolved)
    finally:
        store.close()


def retry_source(source: str) -> str | None:
    """What to re-read for a quarantined source: the file of a record, the URL; None for stdin."""
    if source in ("stdin", "-"):
        return None
    if source.startswith(("http://", "https://")):
        return source
    return re.sub(r"[#@]\d+$", "", source)


def quarantine_retry(settings: Settings, transport: httpx.BaseTransport | None = None,
                     workers: int | None = None) -> tuple[Any, int]:
    """Ingest every unresolved quarantined source again; returns the report and rows resolved."""
    from stanceline.services.core import ingest

    require_persistent(settings.db)
    rows = quarantine_list(settings)
    sources = sorted({s for s in (retry_source(r["source"]) for r in rows) if s})
    report = ingest(sources, settings, workers=workers, transport=transport) if sources else None
    store = open_store(settings.db)
    try:
        done = [r["id"] for r in rows if store_ingestion.source_stored(store, r["source"])]
        store_ingestion.resolve_quarantine(store, done)
    finally:
        store.close()
    if report is None:
        from stanceline.services.core import IngestReport

        report = IngestReport()
    return report, len(done)


def iter_batches(items: Iterable[RawInput | Quarantine], size: int) -> Iterator[list[RawInput | Quarantine]]:
    batch: list[RawInput | Quarantine] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
