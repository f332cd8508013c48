"""The Python API: what the CLI, the REST API and the dashboard call. One function per use."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from stanceline.config import Settings
from stanceline.evaluation import (
    EvalResult,
    all_predictions_from_rows,
    load_gold,
    load_gold_attributions,
    predictions_from_rows,
    score,
    score_attributions,
)
from stanceline.ingest.files import STDIN, discover, read_source, read_stdin
from stanceline.pipeline import ResourceSpec, default_workers, run_many
from stanceline.records import STANCES, PartialDate, ProcessedDocument, Quarantine, RawInput
from stanceline.storage import SqlStore, StatementFilter, open_store, require_persistent
from stanceline.storage.sql import raw_id

if TYPE_CHECKING:
    from stanceline.services.ingestion import IngestRun

EXPORT_FIELDS = [
    "id", "source", "document_id", "title", "outlet", "published", "speaker", "speaker_text", "speaker_role",
    "speaker_kind", "actor_id", "cue", "kind", "text", "start", "end", "date", "date_source", "target", "stance",
    "confidence", "conditions", "argument", "argument_id", "carrier", "produced_by", "judged_by",
    "speaker_start", "speaker_end",
]


def resource_spec(settings: Settings) -> ResourceSpec:
    """What the workers load. With ``llm.v1`` selected, the endpoint is checked here, so that an
    unreachable or refusing server is one clear error before any work starts."""
    from stanceline.llm.config import llm_config, uses_llm

    llm = None
    if uses_llm(settings):
        from stanceline.llm.check import check_endpoint

        llm = llm_config(settings)
        check_endpoint(llm)
    return ResourceSpec(pack=settings.pack, extractor=settings.extractor, judge=settings.judge,
                        spacy_model=settings.spacy_model, max_input_bytes=settings.max_input_bytes,
                        spacy_exclude=tuple(settings.spacy_exclude),
                        extractor_options=(("every_attribution", True),) if settings.extract_every_attribution else (),
                        review_threshold=settings.review_threshold, review_judge=settings.review_judge, llm=llm)


@dataclass
class IngestReport:
    """What one ingest did. ``duplicate`` counts inputs already stored byte for byte (nothing added);
    ``near_duplicate`` counts new inputs stored as another source of a stored story (no statements)."""

    new: int = 0
    duplicate: int = 0
    near_duplicate: int = 0
    quarantined: int = 0
    statements: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def all_quarantined(self) -> bool:
        """Every input was refused: nothing new, nothing already known."""
        return self.quarantined > 0 and not (self.new or self.duplicate or self.near_duplicate)

    def as_dict(self) -> dict[str, Any]:
        return {"new": self.new, "duplicate": self.duplicate, "near_duplicate": self.near_duplicate,
                "quarantined": self.quarantined, "statements": self.statements, "messages": self.messages}


def _sync_pack_actors(store: SqlStore, settings: Settings) -> None:
    from stanceline.actors.pack import load_pack

    pack = load_pack(settings.pack)
    store.sync_actors([(a.id, a.name, a.kind, a.country, list(a.aliases)) for a in pack.actors.values()])


def collect_inputs(
    sources: list[str],
    settings: Settings,
    include: str | None = None,
    stdin: BinaryIO | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[RawInput | Quarantine]:
    """Files, folders, record files (JSON, JSONL, WARC), stdin (``-``) and URLs → raw inputs.

    What cannot be read becomes a quarantine record. URLs share one polite fetcher (retries,
    per-host limit, address checks) and are fetched concurrently.
    """
    urls = [s for s in sources if s.startswith(("http://", "https://"))]
    if urls:
        from stanceline.ingest.web import Fetcher

        with Fetcher(settings, transport) as fetcher:
            yield from fetcher.fetch_many(urls)
    for src in sources:
        if src.startswith(("http://", "https://")):
            continue
        if _URL_SCHEME.match(src):
            yield _not_fetched(src)
            continue
        if src == STDIN:
            yield read_stdin(stdin if stdin is not None else sys.stdin.buffer, settings.max_input_bytes)
            continue
        for item in discover([src], include=include):
            if isinstance(item, Quarantine):
                yield item
            else:
                yield from read_source(item, settings.max_input_bytes)


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:(//|/)")


def _not_fetched(url: str) -> Quarantine:
    """A URL of another scheme than http(s): say so, instead of looking for a file of that name."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "file":
        path = url2pathname(urlsplit(url).path)
        return Quarantine(url, f"file URLs are not fetched: give the path instead ({path})", 0)
    return Quarantine(url, f"unsupported URL scheme {scheme!r}: only http and https URLs are fetched", 0)


def ingest(
    sources: list[str],
    settings: Settings,
    workers: int | None = None,
    include: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    inputs: Iterable[RawInput | Quarantine] | None = None,
    feeds: list[str] | None = None,
    since: str | None = None,
    stdin: BinaryIO | None = None,
    transport: httpx.BaseTransport | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> IngestReport:
    """Ingest files, folders, URLs, feeds and stdin into the store. Re-ingesting the same bytes adds nothing.

    Near-duplicates (the same story from another site) are stored as another source of their
    original, without a second set of statements; bad inputs become quarantine rows.
    """
    from stanceline.services.ingestion import IngestRun, feed_items, parse_since

    since_date = parse_since(since)
    require_persistent(settings.db)
    spec = resource_spec(settings)
    store = open_store(settings.db)
    try:
        _sync_pack_actors(store, settings)
        from stanceline.services.actors import actor_merges, apply_merges

        merges = actor_merges(store)  # 'stanceline actors merge' outlives the statements it moved
        report = IngestReport()
        run = IngestRun.start(store, settings)
        collected: list[RawInput | Quarantine] = list(
            inputs if inputs is not None else collect_inputs(sources, settings, include, stdin, transport))
        for feed in feeds or []:
            collected.extend(feed_items(feed, settings, store, since_date, transport))
        items = run.with_repeated_lines(collected)
        todo: list[RawInput] = []
        known = store.known_raw_ids([raw_id(i) for i in items if isinstance(i, RawInput)])
        for item in items:
            if isinstance(item, Quarantine):
                store.add_quarantine(item)
                report.quarantined += 1
                report.messages.append(f"quarantined {item.source}: {item.reason}")
            elif raw_id(item) in known:
                store.add_source(raw_id(item), item.source)
                report.duplicate += 1
            else:
                known.add(raw_id(item))
                todo.append(item)
        n_workers = workers if workers is not None else (settings.workers or default_workers())
        n_workers = max(1, min(n_workers, len(todo)))
        done = 0
        if engine == "dask":  # the same pure function on a Dask cluster (LocalCluster without an address)
            from stanceline.distributed import run_dask

            results = run_dask(todo, spec, n_workers=workers or settings.workers or None, scheduler=scheduler)
        else:
            results = run_many(todo, spec, n_workers)
        for result in results:
            outcome = _store_result(store, apply_merges(result, merges), settings, run)
            done += 1
            if outcome == "new":
                report.new += 1
                report.statements += len(result.statements)
                report.messages.extend(f"{result.raw.source}: {note}" for note in result.notes)
            elif outcome == "duplicate":
                report.duplicate += 1
            elif outcome == "near-duplicate":
                report.near_duplicate += 1
            else:
                report.quarantined += 1
                assert result.quarantine is not None
                report.messages.append(f"quarantined {result.raw.source}: {result.quarantine.reason}")
            if progress:
                progress(done, len(todo), result.raw.source)
        report.messages.extend(run.messages)
        return report
    finally:
        store.close()


def _store_result(store: SqlStore, result: ProcessedDocument, settings: Settings, run: IngestRun | None = None) -> str:
    """Store one result (near-duplicate check, repeated-line and feed bookkeeping when ``run`` is given)."""
    if run is None:
        return store.save(result)
    return run.store_result(result)


def summary(settings: Settings) -> dict[str, Any]:
    store = open_store(settings.db)
    try:
        return store.counts()
    finally:
        store.close()


def check_filter(flt: StatementFilter | None) -> None:
    """Refuse a stance or date that can only match nothing by mistake (the API answers these with a 400)."""
    from stanceline.services.analysis import InvalidRequestError

    if flt is None:
        return
    if flt.stance and flt.stance not in STANCES:
        raise InvalidRequestError(f"unknown stance {flt.stance!r}; use one of {', '.join(STANCES)}")
    for value, name in ((flt.since, "since"), (flt.until, "until")):
        if value is not None and (not _DATE.fullmatch(value.strip()) or PartialDate.parse(value) is None):
            raise InvalidRequestError(f"--{name} must be a date like 2019, 2019-05 or 2019-05-14, got {value!r}")


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def list_statements(settings: Settings, flt: StatementFilter | None = None) -> list[dict[str, Any]]:
    check_filter(flt)
    store = open_store(settings.db)
    try:
        return store.statement_rows(flt)
    finally:
        store.close()


def export_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in the export contract's shape (see README)."""
    out = []
    for r in rows:
        row = {k: r.get(k) for k in EXPORT_FIELDS}
        row["conditions"] = list(r.get("conditions") or [])
        out.append(row)
    return out


def export(settings: Settings, fmt: str, flt: StatementFilter | None = None) -> str:
    """Every attributed statement (off-target ones too, with target null) as JSONL or CSV text."""
    rows = export_rows(list_statements(settings, flt))
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        from stanceline.analyze.exports import csv_cell

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for r in rows:
            cells = {**r, "conditions": json.dumps(r["conditions"], ensure_ascii=False)}
            writer.writerow({k: csv_cell(v) for k, v in cells.items()})
        return buf.getvalue()
    if fmt == "graphml":
        from stanceline.analyze.exports import to_graphml

        return to_graphml(rows)
    if fmt == "plover":
        from stanceline.analyze.exports import to_plover

        return json.dumps(to_plover(rows), ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown export format {fmt!r} (use jsonl, csv, graphml or plover; parquet via export_parquet)")


def export_parquet(settings: Settings, flt: StatementFilter | None = None) -> bytes:
    """The same rows as ``export`` (same columns, conditions as a list column) as a Parquet file."""
    from stanceline.analyze.exports import to_parquet

    return to_parquet(export_rows(list_statements(settings, flt)), EXPORT_FIELDS)


def _llm_cache_db(settings: Settings) -> str | None:
    """Where an evaluation keeps a language model's answers: the store, so that scoring again costs nothing."""
    from stanceline.storage.sql import is_in_memory

    url = settings.llm_cache_db or settings.db
    return None if is_in_memory(url) else url


def evaluate(gold_path: Path, corpus_dir: Path, settings: Settings, workers: int | None = None) -> EvalResult:
    """Ingest ``corpus_dir`` into a temporary database and score it against ``gold_path``."""
    gold = load_gold(gold_path)
    with tempfile.TemporaryDirectory(prefix="stanceline-eval-") as tmp:
        eval_settings = settings.model_copy(update={"db": f"sqlite:///{Path(tmp) / 'eval.db'}",
                                                    "llm_cache_db": _llm_cache_db(settings)})
        ingest([str(corpus_dir)], eval_settings, workers=workers)
        rows = list_statements(eval_settings)
    from stanceline.actors.pack import load_pack

    pack = load_pack(settings.pack)
    aliases = {a.id: {a.name.lower(), *(x.lower() for x in a.aliases)} for a in pack.actors.values()}
    return score(gold, predictions_from_rows(rows), aliases)


def evaluate_attributions(gold_path: Path, corpus_dir: Path, settings: Settings, workers: int | None = None) -> dict[str, float]:
    """Every attribution (on a target or not, identified source or not) against ``gold_path``."""
    gold = load_gold_attributions(gold_path)
    with tempfile.TemporaryDirectory(prefix="stanceline-eval-") as tmp:
        eval_settings = settings.model_copy(update={"db": f"sqlite:///{Path(tmp) / 'eval.db'}", "extract_every_attribution": True,
                                                    "llm_cache_db": _llm_cache_db(settings)})
        ingest([str(corpus_dir)], eval_settings, workers=workers)
        rows = list_statements(eval_settings)
    return score_attributions(gold, all_predictions_from_rows(rows))
