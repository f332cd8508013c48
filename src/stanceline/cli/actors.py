"""Pack and actor commands: ``pack check``, ``actors [--provisional]``, ``actors merge A B``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stanceline import services
from stanceline.cli.app import DbOpt, PackOpt, app, console, err, friendly, settings_for

pack_app = typer.Typer(help="Check a domain pack.", no_args_is_help=True)
actors_app = typer.Typer(help="Actors in the store; merge provisional ones into known actors.",
                         invoke_without_command=True)
app.add_typer(pack_app, name="pack")
app.add_typer(actors_app, name="actors")


@pack_app.command("check")
@friendly
def pack_check(
    path: Annotated[Path | None, typer.Argument(help="Pack folder (default: the bundled iran_us pack)")] = None,
) -> None:
    """Validate a pack: line-numbered errors (exit 2) and warnings (exit 0)."""
    result = services.check_pack(path)
    for warning in result.warnings:
        err.print(f"[yellow]{warning}[/yellow]", highlight=False)
    if not result.ok:
        for problem in result.errors:
            err.print(problem, highlight=False, markup=False)
        err.print(f"[red]error:[/red] pack {result.path} has {len(result.errors)} problem(s)")
        raise typer.Exit(2)
    counts = ", ".join(f"{n} {what}" for what, n in result.counts)
    console.print(f"pack {result.pack_id} {result.version}: {counts}", highlight=False)
    console.print(f"ok ({len(result.warnings)} warning(s))", highlight=False)


@actors_app.callback()
@friendly
def actors_list(
    ctx: typer.Context,
    provisional: Annotated[bool, typer.Option("--provisional", help="Only actors not in the pack (unknown names)")] = False,
    db: DbOpt = None,
    merged: Annotated[bool, typer.Option("--merged", help="Also show actors already merged into another")] = False,
) -> None:
    """List actors in the store with their statement counts."""
    if ctx.invoked_subcommand is not None:
        return
    rows = services.list_actors(settings_for(db), True if provisional else None)
    if not merged:
        rows = [r for r in rows if not r.get("merged_into")]
    if not provisional:
        rows = [r for r in rows if r["provisional"] or r["statements"]]  # the pack's silent actors are noise here
    table = Table(expand=False)
    for col in ("id", "name", "kind", "statements") + (("merged into",) if merged else ()):
        table.add_column(col, overflow="fold")
    for r in sorted(rows, key=lambda r: (-int(r["statements"]), str(r["name"]))):
        cells = [str(r["id"]), str(r["name"]), str(r["kind"]), str(r["statements"])]
        table.add_row(*cells, *((str(r.get("merged_into") or ""),) if merged else ()))
    console.print(table)
    what = "provisional actor(s)" if provisional else "actor(s) with statements or provisional"
    console.print(f"{len(rows)} {what}")


@actors_app.command("merge")
@friendly
def actors_merge(
    source: Annotated[str, typer.Argument(help="Provisional actor: its id (provisional:…) or name")],
    target: Annotated[str, typer.Argument(help="Actor to merge into: a pack id, a name the pack knows, or another provisional id")],
    db: DbOpt = None,
    pack: PackOpt = None,
) -> None:
    """Merge provisional actor SOURCE into TARGET; later ingests link SOURCE's names to TARGET."""
    result = services.merge_actors(settings_for(db, pack), source, target)
    console.print(f"merged {result.source} into {result.target} ({result.target_name}): "
                  f"{result.moved} statement(s) moved", highlight=False)
