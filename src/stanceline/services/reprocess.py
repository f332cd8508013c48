"""Re-processing: run a newer extractor and judge over stored documents (``stanceline reprocess``).

Nothing is fetched or cleaned again: each document's stored cleaned text goes through the same
pure per-document steps as ingest (``pipeline.reprocess_document``, in the same process pool), so
the document id and every offset into the text stay stable and corrections stay comparable. A
cleaner change needs a fresh ingest of the raw inputs instead.

Per document, in one transaction: the old statements and judgements are archived and replaced,
users' corrections move to the new statement with an overlapping evidence span and the same
speaker (a correction with no such successor stays stored and is listed as orphaned), and the
extractor and judge names are recorded. Documents already produced by the same extractor and
judge are skipped, so a second run changes nothing and a killed run resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stanceline.config import Settings
from stanceline.errors import ConfigError
from stanceline.records import Statement
from stanceline.storage import open_store
from stanceline.storage import reprocess as store_reprocess


@dataclass
class ReprocessReport:
    in_scope: int = 0  # documents matching --since (near-duplicates hold no statements and are not counted)
    up_to_date: int = 0  # already produced by this extractor and judge: skipped
    reprocessed: int = 0
    failed: int = 0  # the new model failed on the document: its old statements are kept
    statements_before: int = 0
    statements_after: int = 0
    reattached: int = 0
    orphaned: int = 0
    extractor: str = ""
    judge: str = ""
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "in_scope", "up_to_date", "reprocessed", "failed", "statements_before", "statements_after", "reattached",
            "orphaned", "extractor", "judge", "messages")}


# -- which new statement a correction moves to ---------------------------------------------------

def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _old_speakers(old: dict[str, Any]) -> set[str]:
    """Who an old statement is by: the model's resolved speaker and actor, and a user's correction of it."""
    names = {old.get("speaker"), old.get("actor_id"), (old.get("corrections") or {}).get("speaker")}
    return {_fold(n) for n in names if n}


def _new_speakers(st: Statement) -> set[str]:
    from stanceline.storage.sql import _provisional_id

    names = {st.speaker.name, st.speaker.actor_id or _provisional_id(st.speaker.name)}
    return {_fold(n) for n in names if n}


def match_statements(old: list[dict[str, Any]], new: Sequence[Statement]) -> dict[str, str | None]:
    """For each corrected old statement, the new statement its corrections move to, or None.

    A successor has an evidence span overlapping the old one and the same speaker (resolved name or
    actor, or the speaker a user corrected it to); among several, the same span wins, then the
    largest overlap, then the earliest. Surface forms ("he", "the minister") are not compared.
    """
    out: dict[str, str | None] = {}
    for o in old:
        start, end = int(o["start"]), int(o["end"])
        speakers = _old_speakers(o)
        best: tuple[int, int, int] | None = None
        best_id: str | None = None
        for st in new:
            overlap = min(end, st.end) - max(start, st.start)
            if overlap <= 0 or not (speakers & _new_speakers(st)):
                continue
            key = (int(st.start == start and st.end == end), overlap, -st.start)
            if best is None or key > best:
                best, best_id = key, st.id
        out[str(o["id"])] = best_id
    return out


# -- the run -----------------------------------------------------------------------------------------

def _check_names(extractor: str, judge: str) -> None:
    import stanceline.extract  # noqa: F401 - registers built-in extractors
    import stanceline.judge  # noqa: F401 - registers built-in judges
    from stanceline.registry import extractors, judges

    extractors.get(extractor)  # a ConfigError naming the known ones, before any worker starts
    judges.get(judge)


def reprocess(
    settings: Settings,
    extractor: str | None = None,
    judge: str | None = None,
    since: str | None = None,
    workers: int | None = None,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ReprocessReport:
    """Re-run extraction and judging over stored documents with ``extractor``/``judge`` (default: the settings').

    ``since`` (``YYYY[-MM[-DD]]``) limits the run to documents published on or after that date, or —
    for documents without a publication date — stored on or after it. ``force`` re-processes
    documents already produced by the same extractor and judge.
    """
    from stanceline.pipeline import default_workers, run_many_stored
    from stanceline.services.actors import actor_merges, apply_merges
    from stanceline.services.core import _sync_pack_actors, resource_spec
    from stanceline.services.ingestion import parse_since

    settings = settings.model_copy(update={"extractor": extractor or settings.extractor, "judge": judge or settings.judge})
    if not settings.extractor or not settings.judge:
        raise ConfigError("an extractor and a judge are needed (--extractor, --judge)")
    _check_names(settings.extractor, settings.judge)
    since_date = parse_since(since)
    report = ReprocessReport(extractor=settings.extractor, judge=settings.judge)
    store = open_store(settings.db)
    try:
        report.in_scope, todo = store_reprocess.count_documents(store, settings.extractor, settings.judge, since_date, force)
        report.up_to_date = report.in_scope - todo
        if todo == 0:  # nothing to do: nothing is written and no model is loaded
            return report
        _sync_pack_actors(store, settings)
        merges = actor_merges(store)
        n_workers = workers if workers is not None else (settings.workers or default_workers())
        n_workers = max(1, min(n_workers, todo))
        documents = store_reprocess.pending_documents(store, settings.extractor, settings.judge, since_date, force)
        done = 0
        for result in run_many_stored(documents, resource_spec(settings), n_workers):
            done += 1
            if result.quarantine is not None or result.document is None:
                report.failed += 1
                reason = result.quarantine.reason if result.quarantine else "no document"
                report.messages.append(f"kept the old statements of {result.raw.source}: {reason}")
            else:
                replaced = store_reprocess.replace_document(store, apply_merges(result, merges), match_statements, force)
                if replaced.outcome == "replaced":
                    report.reprocessed += 1
                    report.messages.extend(f"{result.raw.source}: {note}" for note in result.notes)
                    report.statements_before += replaced.removed
                    report.statements_after += replaced.added
                    report.reattached += replaced.reattached
                    report.orphaned += replaced.orphaned
                    if replaced.orphaned:
                        report.messages.append(
                            f"{replaced.orphaned} corrected statement(s) of {result.raw.source} have no successor: "
                            "their corrections are kept (see 'stanceline reprocess --orphans')")
                else:
                    report.up_to_date += 1
            if progress:
                progress(done, todo, result.raw.source)
        return report
    finally:
        store.close()


def orphaned_corrections(settings: Settings) -> list[dict[str, Any]]:
    """Corrections whose statement a re-processing replaced without a successor, with that statement
    as it was (``statement``: its row and judgements; None if it was never archived)."""
    store = open_store(settings.db)
    try:
        return store_reprocess.orphaned_corrections(store)
    finally:
        store.close()
