"""REST routes: parse the request, call one services function, return JSON. No SQL here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from stanceline import services
from stanceline.api import schemas as s
from stanceline.api.deps import PackDep, SettingsDep, StoreDep, TokenDep
from stanceline.services import analysis
from stanceline.storage import SqlStore
from stanceline.storage.queries import StatementQuery

router = APIRouter()
STATEMENT_KEYS = tuple(s.StatementPublic.model_fields)
DOCUMENT_KEYS = tuple(s.DocumentPublic.model_fields)
ACTOR_KEYS = tuple(s.ActorPublic.model_fields)
REVIEW_KEYS = tuple(s.ReviewItemPublic.model_fields)
AGGREGATE_CACHE = "public, max-age=30, must-revalidate"

Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Grain = Annotated[str, Query(pattern="^(day|week|month|year)$", description="day, week, month or year")]
Target = Annotated[str | None, Query(max_length=200, description="Target id, e.g. direct-negotiation-with-us")]


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Serialised directly: the schemas document the shapes, re-validating 500 rows per request would cost more
    # than the query itself.
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {k: row.get(k) for k in keys}
    for flag in ("corrected", "needs_review"):
        if flag in out:
            out[flag] = bool(out[flag])
    return out


def _aggregate(compute: Callable[[], Any]) -> Response:
    """Heavy aggregates: cacheable by clients (the ETag, and 304s, come from the response cache middleware)."""
    return _json(compute(), headers={"Cache-Control": AGGREGATE_CACHE})


async def _run(store: SqlStore, work: Callable[[], Response], light: bool = True) -> Response:
    """Light reads on SQLite (an indexed page, a per-actor timeline: a few milliseconds of local work) run
    on the event loop; a thread-pool hop and the contention between threads cost more than the work.
    Heavier reads, and every read on a networked database, go to the thread pool."""
    if light and store.dialect == "sqlite":
        return work()
    return await run_in_threadpool(work)


def _next(request: Request, total: int | None, limit: int, offset: int) -> str | None:
    if total is None or offset + limit >= total:
        return None
    return str(request.url.include_query_params(offset=offset + limit))


@router.get("/statements", response_model=s.StatementPagePublic, tags=["statements"])
async def list_statements(
    request: Request, store: StoreDep, pack: PackDep,
    speaker: Annotated[str | None, Query(max_length=200, description="Speaker name contains")] = None,
    actor: Annotated[str | None, Query(max_length=120, description="Actor id")] = None,
    faction: Annotated[str | None, Query(max_length=80, description="Faction id (membership on the statement's date)")] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="Publishing or carrying outlet")] = None,
    stance: Annotated[str | None, Query(max_length=20)] = None,
    target: Target = None,
    since: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]")] = None,
    until: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search in statement text and speaker")] = None,
    argument: Annotated[str | None, Query(max_length=80)] = None,
    all: Annotated[bool, Query(description="Include statements about no target")] = False,  # noqa: A002
    newest_first: bool = False,
    limit: Limit = 50, offset: Offset = 0,
) -> Response:
    """Statements with their primary judgement; filters combine with AND."""
    query = StatementQuery(speaker=speaker, actor_id=actor, outlet=outlet, stance=stance, target=target, since=since,
                           until=until, text=q, argument_id=argument, on_target=None if all else True, limit=limit,
                           offset=offset, newest_first=newest_first)

    def work() -> Response:
        page = analysis.statement_page(store, pack, query, faction)
        return _json({"items": [_pick(r, STATEMENT_KEYS) for r in page.items], "total": page.total, "limit": limit,
                      "offset": offset, "next": _next(request, page.total, limit, offset)})

    # A faction filter resolves dated memberships over every statement of its members; full-text search
    # may match many rows: both go to a thread.
    return await _run(store, work, light=faction is None and not q)


@router.get("/statements/{statement_id}", response_model=s.StatementPublic, tags=["statements"])
def get_statement(statement_id: str, store: StoreDep) -> Response:
    view = analysis.statement_view(store, statement_id)
    return _json(_pick(view["statement"], STATEMENT_KEYS))


@router.post("/statements/{statement_id}/corrections", response_model=s.StatementPublic, status_code=201,
             tags=["write"], dependencies=[TokenDep])
def correct_statement(statement_id: str, body: s.CorrectionCreate, store: StoreDep, pack: PackDep) -> Response:
    """Correct a statement's stance, speaker or target (a target of the pack, by id or label); kept with who
    and when, and applied to every read, filter, count, timeline and export."""
    row = analysis.correct_statement(store, pack, statement_id, body.field, body.value, body.author)
    return _json(_pick(row, STATEMENT_KEYS), status=201)


@router.get("/review", response_model=s.ReviewPagePublic, tags=["statements"])
def list_review(request: Request, store: StoreDep, pack: PackDep, limit: Limit = 50, offset: Offset = 0) -> Response:
    """Statements awaiting review (low confidence, or judges disagree), newest first, with the sentence around
    each; a correction (``POST /statements/{id}/corrections``) takes a statement out of the queue."""
    page = analysis.review_page(store, pack, limit, offset)
    return _json({"items": [_pick(r, REVIEW_KEYS) for r in page.items], "total": page.total, "limit": limit,
                  "offset": offset, "next": _next(request, page.total, limit, offset)})


@router.post("/judge", response_model=s.JudgePublic, tags=["judging"])
def judge(body: s.JudgeRequest, settings: SettingsDep) -> Response:
    """Judge up to 256 statements toward given targets with the configured (or a named) judge.

    Each result is the item plus ``stance``, ``confidence``, ``conditions``, ``argument``, ``explanation``
    and ``judged_by``; an item that cannot be judged (an unknown target) gets ``error`` instead. Nothing is stored.
    """
    items = [item.model_dump(exclude_none=True) for item in body.items]
    return _json({"items": services.judging.judge_items(items, settings, body.judge)})


@router.get("/documents", response_model=s.DocumentPagePublic, tags=["documents"])
def list_documents(store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> Response:
    page = analysis.documents(store, limit, offset)
    return _json({"items": [_pick(r, DOCUMENT_KEYS) for r in page.items], "total": page.total, "limit": limit,
                  "offset": offset})


@router.get("/documents/{document_id}", response_model=s.DocumentDetailPublic, tags=["documents"])
def get_document(document_id: str, store: StoreDep) -> Response:
    view = analysis.document_view(store, document_id)
    doc = view["document"]
    return _json({**_pick(doc, DOCUMENT_KEYS), "text": doc["text"], "sources": doc.get("sources", []),
                  "statements": [_pick(r, STATEMENT_KEYS) for r in view["statements"]]})


@router.get("/actors", response_model=s.ActorPagePublic, tags=["actors"])
def list_actors(store: StoreDep, provisional: bool | None = None, limit: Limit = 100, offset: Offset = 0) -> Response:
    page = analysis.actors(store, provisional, limit, offset)
    return _json({"items": [_pick(r, ACTOR_KEYS) for r in page.items], "total": page.total, "limit": limit,
                  "offset": offset})


@router.get("/actors/{actor_id}", tags=["actors"])
def get_actor(actor_id: str, store: StoreDep, pack: PackDep, grain: Grain = "year") -> Response:
    """An actor with role and faction history, stance timeline and latest statements."""
    p = analysis.actor_profile(store, pack, actor_id, grain)
    return _json({**p, "actor": _pick(p["actor"], ACTOR_KEYS), "timeline": [x.as_dict() for x in p["timeline"]],
                  "statements": [_pick(r, STATEMENT_KEYS) for r in p["statements"]]})


@router.post("/actors/merge", response_model=s.MergePublic, tags=["write"], dependencies=[TokenDep])
def merge_actors(body: s.MergeCreate, store: StoreDep) -> Response:
    """Merge a (provisional) actor into another: every statement of ``source`` moves to ``target``."""
    return _json({"moved": analysis.merge_actors(store, body.source, body.target)})


@router.post("/ingest", response_model=s.IngestPublic, tags=["write"], dependencies=[TokenDep])
def ingest_url(body: s.IngestCreate, settings: SettingsDep) -> Response:
    """Fetch one URL and process it (public addresses only unless settings allow private ones)."""
    return _json(services.ingest([body.url], settings, workers=1).as_dict())


@router.get("/timeline", response_model=list[s.PeriodStancePublic], tags=["analysis"])
async def get_timeline(
    store: StoreDep, pack: PackDep,
    by: Annotated[str, Query(pattern="^(all|actor|faction|outlet)$")] = "all",
    key: Annotated[str | None, Query(max_length=200, description="Actor id, faction id or outlet name")] = None,
    grain: Grain = "month", target: Target = None,
) -> Response:
    """Stance counts and net score per period."""
    return await _run(store, lambda: _aggregate(
        lambda: [p.as_dict() for p in analysis.timeline(store, pack, by, key, grain, target)]),
        light=by == "actor")


@router.get("/shifts", response_model=list[s.ShiftPublic], tags=["analysis"])
def get_shifts(store: StoreDep, grain: Grain = "year", target: Target = None,
               limit: Limit = 50) -> Response:
    """Speakers whose stance on a target changed between periods, most recent and strongest first."""
    return _aggregate(lambda: [x.as_dict() for x in analysis.stance_shifts(store, grain, target, limit)])


@router.get("/division", response_model=list[s.DivisionPointPublic], tags=["analysis"])
def get_division(store: StoreDep, pack: PackDep, grain: Grain = "year", target: Target = None) -> Response:
    """How split Iran's factions are per period (normalised entropy of faction-weighted stances)."""
    return _aggregate(lambda: [x.as_dict() for x in analysis.division(store, pack, grain, target)])


@router.get("/arguments", response_model=list[s.ArgumentPublic], tags=["analysis"])
def get_arguments(store: StoreDep, pack: PackDep, target: Target = None) -> Response:
    """Arguments for and against, with counts, first and last seen, and speakers."""
    return _aggregate(lambda: [x.as_dict() for x in analysis.argument_map(store, pack, target)])


@router.get("/outlets", tags=["analysis"])
def get_outlets(store: StoreDep) -> Response:
    """Which outlets carry which stances and speakers, and who reported whom."""
    def compute() -> dict[str, Any]:
        m = analysis.outlet_map(store)
        return {"outlets": [o.as_dict() for o in m["outlets"]], "chains": m["chains"]}

    return _aggregate(compute)


@router.get("/rhetoric", tags=["analysis"])
def get_rhetoric(store: StoreDep, pack: PackDep,
                 window_days: Annotated[int, Query(ge=1, le=3650)] = 90) -> Response:
    """Statements contradicting a dated event the pack records for the same actor (candidates to review)."""
    return _aggregate(lambda: [x.as_dict() for x in analysis.rhetoric_vs_action(store, pack, window_days)])
