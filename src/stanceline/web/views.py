"""Dashboard pages: the same services the API calls, rendered as HTML. Thin: parse, call, render."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from stanceline.api.deps import PackDep, StoreDep, write_token
from stanceline.services import analysis
from stanceline.storage.queries import StatementQuery
from stanceline.web.render import render_response

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)
PAGE = 50
MAX_PAGE = 100_000  # 5 million statements deep: beyond any store, and far inside what a database offset takes
PageNo = Annotated[int, Query(ge=1)]


def _page(page: int) -> int:
    """A page number past the last possible one is shown as that one (an empty page), never an error."""
    return min(page, MAX_PAGE)


def _series(points: list[Any]) -> dict[str, Any]:
    """Chart data: periods, stance counts and net score, serialised into a JSON script block (never inline JS)."""
    return {"labels": [p.period for p in points], "net": [p.net for p in points],
            "counts": {s: [p.counts.get(s, 0) for p in points] for s in ("support", "oppose", "conditional", "neutral")}}


@router.get("/", response_class=HTMLResponse)
def overview(store: StoreDep, pack: PackDep) -> HTMLResponse:
    recent = analysis.statement_page(store, pack, StatementQuery(on_target=True, limit=15, newest_first=True))
    division = analysis.division(store, pack, "year")
    chart = {"labels": [d.period for d in division], "index": [d.index for d in division]}
    return render_response("overview.html", recent=recent.items, total=recent.total, awaiting=analysis.review_count(store),
                           shifts=analysis.stance_shifts(store, "year", None, 10), division=division,
                           arguments=analysis.argument_map(store, pack)[:10],
                           chart={"division": chart, "timeline": _series(analysis.timeline(store, pack, "all", None, "year"))})


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(actor_id: str, store: StoreDep, pack: PackDep) -> HTMLResponse:
    p = analysis.actor_profile(store, pack, actor_id, "year")
    return render_response("actor.html", p=p, chart={"timeline": _series(p["timeline"])})


@router.get("/statements/{statement_id}", response_class=HTMLResponse)
def statement_page(statement_id: str, store: StoreDep) -> HTMLResponse:
    return render_response("statement.html", v=analysis.statement_view(store, statement_id))


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(document_id: str, store: StoreDep) -> HTMLResponse:
    return render_response("document.html", v=analysis.document_view(store, document_id))


@router.get("/factions", response_class=HTMLResponse)
def factions_page(pack: PackDep) -> HTMLResponse:
    return render_response("factions.html", factions=sorted(pack.factions.values(), key=lambda f: f.label))


@router.get("/factions/{faction_id}", response_class=HTMLResponse)
def faction_page(faction_id: str, store: StoreDep, pack: PackDep, page: PageNo = 1) -> HTMLResponse:
    page = _page(page)
    points = analysis.timeline(store, pack, "faction", faction_id, "year")
    rows = analysis.statement_page(store, pack, StatementQuery(limit=PAGE, offset=(page - 1) * PAGE, newest_first=True), faction_id)
    return render_response("faction.html", faction=pack.factions[faction_id], rows=rows, page=page,
                           chart={"timeline": _series(points)})


@router.get("/outlets", response_class=HTMLResponse)
def outlets_page(store: StoreDep) -> HTMLResponse:
    m = analysis.outlet_map(store)
    return render_response("outlets.html", outlets=m["outlets"], chains=m["chains"][:50])


@router.get("/outlets/{name}", response_class=HTMLResponse)
def outlet_page(name: str, store: StoreDep, pack: PackDep, page: PageNo = 1) -> HTMLResponse:
    page = _page(page)
    rows = analysis.statement_page(store, pack, StatementQuery(outlet=name, on_target=None, limit=PAGE,
                                                                offset=(page - 1) * PAGE, newest_first=True))
    points = analysis.timeline(store, pack, "outlet", name, "year")
    return render_response("outlet.html", name=name, rows=rows, page=page, chart={"timeline": _series(points)})


@router.get("/arguments", response_class=HTMLResponse)
def arguments_page(store: StoreDep, pack: PackDep, target: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    uses = analysis.argument_map(store, pack, target)
    return render_response("arguments.html", uses=uses, target=target)


@router.get("/search", response_class=HTMLResponse)
def search_page(store: StoreDep, pack: PackDep, q: Annotated[str, Query(max_length=200)] = "",
                stance: Annotated[str | None, Query(max_length=20)] = None,
                page: PageNo = 1) -> HTMLResponse:
    page = _page(page)
    rows = None
    if q.strip() or stance:
        rows = analysis.statement_page(store, pack, StatementQuery(text=q or None, stance=stance or None, on_target=None,
                                                                    limit=PAGE, offset=(page - 1) * PAGE, newest_first=True))
    return render_response("search.html", q=q, stance=stance or "", rows=rows, page=page)


# -- the review queue ----------------------------------------------------------------------------
# Relabelling is a correction, made through the same service as POST /api/v1/statements/{id}/corrections
# and guarded by the same token: entered once, it is kept in an HttpOnly, SameSite=Strict cookie (a digest
# of it, not the token), so each relabel is one click and no other site can post one.
REVIEW_COOKIE = "stanceline_review"
RELABELS = ("support", "oppose", "conditional", "neutral")


def _digest(token: str) -> str:
    return hashlib.sha256(f"stanceline-review:{token}".encode()).hexdigest()


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=10).items()}


def _unlocked(request: Request) -> bool:
    token = request.app.state.settings.api_token
    given = request.cookies.get(REVIEW_COOKIE, "")
    return bool(token) and hmac.compare_digest(given.encode(), _digest(token).encode())


def _refuse(request: Request, message: str) -> HTTPException:
    """A wrong or missing credential: counted toward the client's failed-token limit (429 past it)."""
    failures = getattr(request.state, "auth_failures", None)
    if failures is not None and failures.blocked():
        return HTTPException(429, "too many failed attempts; try again in a minute", headers={"Retry-After": "60"})
    if failures is not None:
        failures.failed()
    return HTTPException(401, message)


def _back(page: str | None) -> str:
    return f"/review?page={int(page)}" if page and page.isdigit() and 0 < int(page) < 100_000 else "/review"


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, store: StoreDep, pack: PackDep,
                page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    rows = analysis.review_page(store, pack, PAGE, (page - 1) * PAGE)
    return render_response("review.html", rows=rows, page=page, relabels=RELABELS, unlocked=_unlocked(request),
                           writable=bool(request.app.state.settings.api_token))


@router.post("/review/unlock")
async def review_unlock(request: Request) -> RedirectResponse:
    """Check the write token once and remember it for the review page's relabel buttons."""
    expected = write_token(request)
    form = await _form(request)
    if not hmac.compare_digest(form.get("token", "").strip().encode(), expected.encode()):
        raise _refuse(request, "that is not the write token (STANCELINE_API_TOKEN)")
    response = RedirectResponse(_back(form.get("page")), status_code=303)
    response.set_cookie(REVIEW_COOKIE, _digest(expected), httponly=True, samesite="strict", path="/review",
                        secure=request.url.scheme == "https")
    return response


@router.post("/review/{statement_id}")
async def review_relabel(statement_id: str, request: Request, store: StoreDep, pack: PackDep) -> RedirectResponse:
    """One-click relabel: record the chosen stance as a correction, which takes the statement out of the queue."""
    write_token(request)
    if not _unlocked(request):
        raise _refuse(request, "enter the write token on the review page first")
    form = await _form(request)
    stance = form.get("stance", "")
    if stance not in RELABELS:
        raise HTTPException(400, f"unknown stance {stance!r}; use one of {', '.join(RELABELS)}")
    await run_in_threadpool(analysis.correct_statement, store, pack, statement_id, "stance", stance, "dashboard review")
    return RedirectResponse(_back(form.get("page")), status_code=303)
