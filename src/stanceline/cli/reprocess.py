"""``stanceline reprocess``: run a newer extractor and judge over the stored documents."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stanceline import services
from stanceline.cli.app import DbOpt, PackOpt, app, console, err, friendly, settings_for


@app.command()
@friendly
def reprocess(
    extractor: Annotated[str | None, typer.Option("--extractor", help="Registered extractor (default: the settings')")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="Registered judge (default: the settings')")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only documents published on or after YYYY[-MM[-DD]] "
                                              "(undated ones: stored on or after it)")] = None,
    db: DbOpt = None,
    pack: PackOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Worker processes (default: cores)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Also documents already produced by this extractor and judge")] = False,
    orphans: Annotated[bool, typer.Option("--orphans", help="List corrections whose statement was replaced without "
                                          "a successor, and exit")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Re-run extraction and judging over stored documents; users' corrections are kept."""
    settings = settings_for(db, pack)
    if orphans:
        _print_orphans(services.orphaned_corrections(settings))
        return
    with Progress(TextColumn("[bold]reprocess[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=source.rsplit("/", 1)[-1][:40])

        report = services.reprocess(settings, extractor=extractor, judge=judge, since=since, workers=workers,
                                    force=force, progress=progress)
    for message in report.messages:
        err.print(message, style="yellow", markup=False, highlight=False)
    if not quiet:
        console.print(f"reprocessed {report.reprocessed} document(s) with {report.extractor} + {report.judge} "
                      f"({report.up_to_date} already up to date, {report.failed} kept as they were); "
                      f"{report.statements_before} statement(s) replaced by {report.statements_after}; "
                      f"corrections: {report.reattached} re-attached, {report.orphaned} orphaned", markup=False, soft_wrap=True)


def _print_orphans(rows: list[dict[str, Any]]) -> None:
    table = Table(expand=True)
    for col in ("correction", "field", "value", "speaker", "statement", "document"):
        table.add_column(col, overflow="fold", ratio=4 if col == "statement" else 1)
    for r in rows:
        st = r.get("statement") or {}
        text = str(st.get("text") or "")
        table.add_row(str(r["id"]), r["field"], str(r["value"]), str(st.get("speaker") or ""),
                      text if len(text) < 200 else text[:197] + "…", str(st.get("document_id") or "")[:12])
    console.print(table)
    console.print(f"{len(rows)} orphaned correction(s)")
