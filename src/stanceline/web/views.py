"""Dashboard pages: the same services the API calls, rendered as HTML. Thin: parse, call, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from stanceline.api.deps import PackDep, StoreDep
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
    return render_response("overview.html", recent=recent.items, total=recent.total,
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
