"""Analysis commands: report, timeline, shifts, division, arguments, outlets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stanceline.cli.app import DbOpt, PackOpt, app, console, friendly, settings_for, write_output
from stanceline.services import analysis

GrainOpt = Annotated[str, typer.Option("--period", "-p", help="day|week|month|year")]
TargetOpt = Annotated[str | None, typer.Option("--target", help="Target label as stored, e.g. 'JCPOA'")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


@app.command()
@friendly
def report(
    target: TargetOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="YYYY[-MM[-DD]]")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md|html")] = "md",
    db: DbOpt = None,
    pack: PackOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout)")] = None,
) -> None:
    """A briefing: who said what, grouped by stance and faction, with dates and sources."""
    write_output(analysis.report(settings_for(db, pack), target, since, fmt), output)


@app.command()
@friendly
def timeline(
    by: Annotated[str, typer.Option("--by", help="all|actor|faction|outlet")] = "all",
    key: Annotated[str | None, typer.Argument(help="Actor id, faction id or outlet name")] = None,
    period: GrainOpt = "year", target: TargetOpt = None, db: DbOpt = None, pack: PackOpt = None, as_json: JsonOpt = False,
) -> None:
    """Stance counts and net score per period."""
    settings = settings_for(db, pack)
    with analysis.opened(settings) as store:
        points = analysis.timeline(store, analysis.pack_of(settings), by, key, period, target)
    if as_json:
        print(json.dumps([p.as_dict() for p in points]))
        return
    table = Table(title=f"stance per {period}" + (f" — {key}" if key else ""))
    for col in ("period", "support", "oppose", "conditional", "neutral", "net"):
        table.add_column(col, justify="left" if col == "period" else "right")
    for p in points:
        table.add_row(p.period, *(str(p.counts[s]) for s in ("support", "oppose", "conditional", "neutral")),
                      "–" if p.net is None else f"{p.net:+.2f}")
    console.print(table)


@app.command()
@friendly
def shifts(period: GrainOpt = "year", target: TargetOpt = None, limit: Annotated[int, typer.Option("--limit")] = 30,
           db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Speakers whose stance on a target changed between periods (most recent, strongest first)."""
    with analysis.opened(settings_for(db)) as store:
        found = analysis.stance_shifts(store, period, target, limit)
    if as_json:
        print(json.dumps([s.as_dict() for s in found]))
        return
    table = Table(title="stance shifts")
    for col in ("speaker", "target", "before", "after", "gap (days)", "strength", "evidence"):
        table.add_column(col, overflow="fold")
    for s in found:
        table.add_row(s.speaker, s.target, f"{s.before_stance} ({s.before_period})", f"{s.after_stance} ({s.after_period})",
                      "" if s.gap_days is None else str(s.gap_days), f"{s.strength:.2f}", f"{s.before_ids[0]} → {s.after_ids[0]}")
    console.print(table)


@app.command()
@friendly
def division(period: GrainOpt = "year", target: TargetOpt = None, db: DbOpt = None, pack: PackOpt = None,
             as_json: JsonOpt = False) -> None:
    """How split Iran's factions are per period (0 = one line, 1 = evenly split)."""
    settings = settings_for(db, pack)
    with analysis.opened(settings) as store:
        points = analysis.division(store, analysis.pack_of(settings), period, target)
    if as_json:
        print(json.dumps([p.as_dict() for p in points]))
        return
    table = Table(title="division index")
    for col in ("period", "index", "statements", "factions (net stance)"):
        table.add_column(col, overflow="fold")
    for p in points:
        table.add_row(p.period, f"{p.index:.2f}", str(p.statements),
                      ", ".join(f"{f} {'–' if v is None else f'{v:+.2f}'}" for f, v in p.factions.items()))
    console.print(table)


@app.command()
@friendly
def arguments(target: TargetOpt = None, db: DbOpt = None, pack: PackOpt = None, as_json: JsonOpt = False,
              new: Annotated[bool, typer.Option("--new", help="Cluster unmatched reasons: candidate new argument types")] = False,
              ) -> None:
    """Arguments for and against, with counts, first/last seen and speakers."""
    settings = settings_for(db, pack)
    if new:
        from stanceline.cli.judging import print_new_arguments

        print_new_arguments(settings, as_json)
        return
    with analysis.opened(settings) as store:
        uses = analysis.argument_map(store, analysis.pack_of(settings), target)
    if as_json:
        print(json.dumps([u.as_dict() for u in uses]))
        return
    table = Table(title="arguments")
    for col in ("argument", "side", "uses", "first", "last", "speakers"):
        table.add_column(col, overflow="fold")
    for u in uses:
        table.add_row(u.label, u.polarity, str(u.count), u.first_seen or "", u.last_seen or "",
                      ", ".join(f"{s} ({n})" for s, n in u.speakers[:4]))
    console.print(table)


@app.command()
@friendly
def outlets(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Which outlets carry which stances and speakers."""
    with analysis.opened(settings_for(db)) as store:
        m = analysis.outlet_map(store)
    if as_json:
        print(json.dumps({"outlets": [o.as_dict() for o in m["outlets"]], "chains": m["chains"]}))
        return
    table = Table(title="outlets")
    for col in ("outlet", "statements", "support", "oppose", "conditional", "net", "top speakers"):
        table.add_column(col, overflow="fold")
    for o in m["outlets"]:
        table.add_row(o.outlet, str(o.statements), str(o.stances["support"]), str(o.stances["oppose"]),
                      str(o.stances["conditional"]), "–" if o.net is None else f"{o.net:+.2f}",
                      ", ".join(f"{s} ({n})" for s, n in o.speakers[:3]))
    console.print(table)
