"""Analyses, browsing and corrections: what the REST API, the dashboard and the analysis commands call.

Functions take an open ``SqlStore`` (the API keeps one per app) and the domain pack. Heavy aggregates are
cached per store and data version, so repeated requests cost one cheap version query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from stanceline.actors.pack import Pack, load_pack
from stanceline.analyze import arguments as arg_map
from stanceline.analyze import division as div
from stanceline.analyze import outlets as outlet_analysis
from stanceline.analyze import report as briefing
from stanceline.analyze import rhetoric, shifts, spans, timelines
from stanceline.analyze.factions import actors_in_faction, faction_resolver
from stanceline.config import Settings
from stanceline.errors import StancelineError
from stanceline.records import PartialDate
from stanceline.storage import SqlStore, StatementFilter, open_store, queries
from stanceline.storage.queries import StatementQuery

T = TypeVar("T")
FIELDS_CORRECTABLE = ("stance", "speaker", "target")


class NotFoundError(StancelineError):
    """What was asked for does not exist (unknown statement, actor, document …)."""


class InvalidRequestError(StancelineError):
    """A parameter has a value stanceline cannot use."""


@contextmanager
def opened(settings: Settings) -> Iterator[SqlStore]:
    """The store of ``settings`` for the length of a command."""
    store = open_store(settings.db)
    try:
        yield store
    finally:
        store.close()


def pack_of(settings: Settings) -> Pack:
    return load_pack(settings.pack)


# Characters of an ISO date that make its period (weeks are rolled up from days).
PERIOD_PREFIX = {"year": 4, "month": 7}

# -- caching ------------------------------------------------------------------------------
_cache: dict[tuple[str, str, str], tuple[str, Any]] = {}
_lock = threading.Lock()


def data_version(store: SqlStore) -> str:
    """A token that changes whenever stored statements or corrections change (ETags are built on it)."""
    return queries.data_version(store)


def _cached(store: SqlStore, name: str, params: str, compute: Callable[[], T]) -> T:
    version = data_version(store)
    key = (store.url, name, params)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        if len(_cache) > 512:  # bounded: aggregates are small but parameter combinations are not
            _cache.clear()
        _cache[key] = (version, value)
    return value


def _rows(store: SqlStore, target: str | None = None) -> list[dict[str, Any]]:
    return _cached(store, "rows", str(target), lambda: queries.analysis_rows(store, StatementQuery(target=target)))


def _check_grain(grain: str) -> timelines.Grain:
    if grain not in timelines.GRAINS:
        raise InvalidRequestError(f"unknown period {grain!r}; use one of {', '.join(timelines.GRAINS)}")
    return grain


# -- statements and documents -------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int


def statement_page(store: SqlStore, pack: Pack, query: StatementQuery, faction: str | None = None) -> Page:
    """A page of statements; a ``faction`` filter keeps speakers who belonged to it on the statement's date."""
    if query.stance and query.stance not in timelines.JUDGED:
        raise InvalidRequestError(f"unknown stance {query.stance!r}; use one of {', '.join(timelines.JUDGED)}")
    for value, name in ((query.since, "since"), (query.until, "until")):
        if value and PartialDate.parse(value) is None:
            raise InvalidRequestError(f"{name} must be a date like 2019, 2019-05 or 2019-05-14, got {value!r}")
    if faction is None:
        rows, _ = queries.statement_page(store, query, with_total=False)
        # Counting a filtered join is the slow half of a page; it only changes with the data.
        page_free = repr({k: v for k, v in query.__dict__.items() if k not in ("limit", "offset", "newest_first")})
        total = _cached(store, "count", page_free, lambda: queries.count_statements(store, query))
        return Page(rows, total, query.limit, query.offset)
    if faction not in pack.factions:
        raise NotFoundError(f"no faction {faction!r} in pack {pack.id!r}")
    members = tuple(actors_in_faction(pack, faction))
    factions_of = faction_resolver(pack)
    # Membership is dated, so the faction filter runs on light rows first, then fetches the page.
    light = queries.analysis_rows(store, StatementQuery(**{**query.__dict__, "actor_ids": members}))
    ids = [r["id"] for r in light if faction in factions_of(r)]
    if query.newest_first:
        ids.reverse()
    page = ids[query.offset : query.offset + query.limit]
    return Page(queries.statements_by_ids(store, page), len(ids), query.limit, query.offset)


def statement_view(store: SqlStore, statement_id: str) -> dict[str, Any]:
    """A statement with its document text cut into marked segments (statement span, speaker, cue)."""
    found = queries.statements_by_ids(store, [statement_id])
    if not found:
        raise NotFoundError(f"no statement with id {statement_id!r}")
    row = found[0]
    doc = store.document(row["document_id"])
    assert doc is not None  # statements reference documents by foreign key
    text = str(doc["text"])
    return {"statement": row, "document": {k: v for k, v in doc.items() if k not in ("minhash", "text")},
            "segments": spans.segments(text, spans.find_marks(row, text)), "text": text}


def review_page(store: SqlStore, pack: Pack, limit: int = 50, offset: int = 0) -> Page:
    """Statements awaiting review, newest first, each with the sentence around its evidence: ``context``
    (its text), ``evidence_start``/``evidence_end`` (the statement within it) and ``segments`` (marked)."""
    page = statement_page(store, pack, StatementQuery(needs_review=True, limit=limit, offset=offset, newest_first=True))
    texts = queries.document_texts(store, [r["document_id"] for r in page.items])
    for row in page.items:
        text = texts.get(row["document_id"], "")
        lo, hi = spans.context_window(row, text)
        row.update(context=text[lo:hi], evidence_start=max(0, int(row["start"]) - lo),
                   evidence_end=min(hi, int(row["end"])) - lo, segments=spans.context_segments(row, text, (lo, hi)))
    return page


def review_count(store: SqlStore) -> int:
    """How many statements await review."""
    query = StatementQuery(needs_review=True)
    return _cached(store, "count", repr(query), lambda: queries.count_statements(store, query))


def document_view(store: SqlStore, document_id: str) -> dict[str, Any]:
    doc = store.document(document_id)
    if doc is None:
        raise NotFoundError(f"no document with id {document_id!r}")
    rows, _ = queries.statement_page(store, StatementQuery(document_id=document_id, limit=1000), with_total=False)
    text = str(doc["text"])
    marks = [(int(r["start"]), int(r["end"]), "statement") for r in rows]
    return {"document": {k: v for k, v in doc.items() if k != "minhash"}, "statements": rows,
            "segments": spans.segments(text, marks)}


def documents(store: SqlStore, limit: int = 50, offset: int = 0) -> Page:
    rows = store.documents()
    return Page(rows[offset : offset + limit], len(rows), limit, offset)


# -- actors -------------------------------------------------------------------------------
def actors(store: SqlStore, provisional: bool | None = None, limit: int = 100, offset: int = 0) -> Page:
    rows = sorted(store.actor_rows(provisional), key=lambda a: (-int(a["statements"]), str(a["name"])))
    return Page(rows[offset : offset + limit], len(rows), limit, offset)


def actor_profile(store: SqlStore, pack: Pack, actor_id: str, grain: str = "year") -> dict[str, Any]:
    """An actor's record, role and faction history from the pack, stance timeline and statements."""
    record = queries.actor(store, actor_id)
    known = pack.actors.get(actor_id)
    if record is None and known is None:
        raise NotFoundError(f"no actor with id {actor_id!r}")
    rows, total = queries.statement_page(store, StatementQuery(actor_id=actor_id, limit=200, newest_first=True))
    return {
        "actor": record or {"id": actor_id, "name": known.name if known else actor_id},
        "roles": [{"title": r.title, "office": r.office, "start": r.start and r.start.iso(), "end": r.end and r.end.iso(),
                   "uncertain": r.uncertain} for r in (known.roles if known else ())],
        "factions": [{"faction": m.faction, "label": pack.factions[m.faction].label if m.faction in pack.factions else m.faction,
                      "start": m.start and m.start.iso(), "end": m.end and m.end.iso()} for m in (known.factions if known else ())],
        "description": known.description if known else "",
        "timeline": timeline(store, pack, "actor", actor_id, grain),
        "statements": rows, "total": total,
    }


# -- analyses -----------------------------------------------------------------------------
def timeline(store: SqlStore, pack: Pack, by: str = "all", key: str | None = None, grain: str = "month",
             target: str | None = None) -> list[timelines.PeriodStance]:
    """Stance per period of everyone (``all``), an ``actor``, a ``faction`` or an ``outlet``."""
    g = _check_grain(grain)
    if by in ("actor", "faction", "outlet") and not key:
        raise InvalidRequestError(f"a {by} timeline needs the {by}'s id")
    if by == "faction":
        assert key is not None
        if key not in pack.factions:
            raise NotFoundError(f"no faction {key!r} in pack {pack.id!r}")
        factions_of = faction_resolver(pack)
        return _cached(store, "timeline.faction", f"{key}|{g}|{target}", lambda: timelines.stance_timeline(
            [r for r in _rows(store, target) if key in factions_of(r)], g))
    if by not in ("all", "actor", "outlet"):
        raise InvalidRequestError(f"unknown timeline kind {by!r}; use all, actor, faction or outlet")
    q = StatementQuery(actor_id=key if by == "actor" else None, outlet=key if by == "outlet" else None, target=target)
    return _cached(store, "timeline", f"{by}|{key}|{g}|{target}",
                   lambda: timelines.points_from_counts(
                       (timelines.period_of(p, g), stance, n)
                       for p, stance, n in queries.stance_counts(store, q, PERIOD_PREFIX.get(g) if key else None)))


def stance_shifts(store: SqlStore, grain: str = "year", target: str | None = None, limit: int = 50) -> list[shifts.Shift]:
    g = _check_grain(grain)
    return _cached(store, "shifts", f"{g}|{target}", lambda: shifts.find_shifts(_rows(store, target), g))[:limit]


def division(store: SqlStore, pack: Pack, grain: str = "year", target: str | None = None) -> list[div.DivisionPoint]:
    g = _check_grain(grain)
    # The elite whose split the index measures: Iranian factions of the pack, not foreign governments.
    iranian = {"principlist", "ultra-hardline", "moderate", "reformist", "irgc", "supreme-leader-office",
               "government-of-iran"} & set(pack.factions)
    scope = iranian or None
    return _cached(store, "division", f"{g}|{target}",
                   lambda: div.division_index(_rows(store, target), faction_resolver(pack), g, scope))


def argument_map(store: SqlStore, pack: Pack, target: str | None = None) -> list[arg_map.ArgumentUse]:
    return _cached(store, "arguments", str(target), lambda: arg_map.argument_map(_rows(store, target), pack.arguments, target))


def outlet_map(store: SqlStore) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        rows = _rows(store)
        return {"outlets": outlet_analysis.outlet_map(rows), "chains": outlet_analysis.reported_by_chains(rows)}

    return _cached(store, "outlets", "", compute)


def rhetoric_vs_action(store: SqlStore, pack: Pack, window_days: int = 90) -> list[rhetoric.RhetoricAction]:
    return _cached(store, "rhetoric", str(window_days),
                   lambda: rhetoric.rhetoric_vs_action(_rows(store), pack.events, window_days))


def report(settings: Settings, target: str | None = None, since: str | None = None, fmt: str = "md") -> str:
    """A briefing of judged statements grouped by stance and faction, as Markdown or HTML."""
    if fmt not in ("md", "html"):
        raise InvalidRequestError(f"unknown report format {fmt!r}; use md or html")
    if since and PartialDate.parse(since) is None:
        raise InvalidRequestError(f"--since must be a date like 2019 or 2019-05-14, got {since!r}")
    pack = pack_of(settings)
    with opened(settings) as store:
        rows = store.statement_rows(StatementFilter(target=target, since=since, on_target=True))
    b = briefing.build_briefing(rows, faction_resolver(pack), {f.id: f.label for f in pack.factions.values()},
                                target, since)
    if fmt == "md":
        return briefing.briefing_markdown(b)
    from stanceline.web.render import render

    return render("report.html", briefing=b, standalone=True)


# -- writes -------------------------------------------------------------------------------
def correct_statement(store: SqlStore, pack: Pack, statement_id: str, field: str, value: str | None,
                      author: str) -> dict[str, Any]:
    """Record a user's correction. It is applied to the statement at once, so every read, filter, count,
    timeline and export sees it, and it stays through re-ingest and re-processing (a model never overwrites it).

    A target must be one of the pack's (by id or label; stored by label, as judgements are) or null for
    "about no target"; a stance one of the judged stances or null; a speaker a name.
    """
    if field not in FIELDS_CORRECTABLE:
        raise InvalidRequestError(f"cannot correct {field!r}; use one of {', '.join(FIELDS_CORRECTABLE)}")
    if field == "stance" and value is not None and value not in timelines.JUDGED:
        raise InvalidRequestError(f"unknown stance {value!r}; use one of {', '.join(timelines.JUDGED)}")
    if field == "speaker":
        value = " ".join((value or "").split())
        if not value:
            raise InvalidRequestError("a corrected speaker needs a name")
    if field == "target" and value is not None:
        labels = {key: t.label for t in pack.targets for key in (t.id, t.label.lower())}
        if value not in labels and value.lower() not in labels:
            known = ", ".join(sorted(t.id for t in pack.targets))
            raise InvalidRequestError(f"unknown target {value!r} in pack {pack.id!r}; use one of: {known}")
        value = labels.get(value) or labels[value.lower()]
    if not queries.statements_by_ids(store, [statement_id]):
        raise NotFoundError(f"no statement with id {statement_id!r}")
    store.add_correction(statement_id, field, value, author)
    return queries.statements_by_ids(store, [statement_id])[0]


def merge_actors(store: SqlStore, source_id: str, target_id: str) -> int:
    """Point every statement of ``source_id`` at ``target_id``; returns how many moved."""
    if source_id == target_id:
        raise InvalidRequestError("cannot merge an actor into itself")
    for actor_id in (source_id, target_id):
        if queries.actor(store, actor_id) is None:
            raise NotFoundError(f"no actor with id {actor_id!r}")
    return store.merge_actor(source_id, target_id)
