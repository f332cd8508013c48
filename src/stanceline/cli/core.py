"""Core commands: ingest, statements, export, summary, eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stanceline import services
from stanceline.cli.app import DbOpt, PackOpt, app, console, err, friendly, settings_for, write_file, write_output
from stanceline.storage import StatementFilter

EXIT_ALL_QUARANTINED = 3  # documented in README: an ingest that stored nothing because every input was refused


@app.command()
@friendly
def ingest(
    sources: Annotated[list[str] | None, typer.Argument(help="Files, folders (recursive), URLs, or - for stdin")] = None,
    db: DbOpt = None,
    pack: PackOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Worker processes (default: cores)")] = None,
    include: Annotated[str | None, typer.Option("--include", help="Glob(s) on file names or paths, e.g. '*.txt,*.html'")] = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="RSS/Atom feed URL; only entries not seen before")] = None,
    since: Annotated[str | None, typer.Option("--since", help="With --feed: skip entries older than YYYY[-MM[-DD]]")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow fetching private/loopback addresses")] = False,
    engine: Annotated[str, typer.Option("--engine", help="local (process pool) or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 "
                                                  "(default with --engine dask: a local cluster)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Ingest files, folders and URLs; re-ingesting the same content adds nothing.

    Exit status: 0 when something was read (new or already stored), 2 on a usage or setup error,
    3 when every input was quarantined.
    """
    if engine not in ("local", "dask") or (scheduler and engine != "dask"):
        err.print(f"[red]error:[/red] --engine must be local or dask (got {engine!r}); --scheduler needs --engine dask")
        raise typer.Exit(2)
    settings = settings_for(db, pack, allow_private=allow_private or None)
    with Progress(TextColumn("[bold]ingest[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=Path(source).name[:40])

        report = services.ingest(sources or [], settings, workers=workers, include=include, progress=progress,
                                 feeds=feed, since=since, engine=engine, scheduler=scheduler)
    for message in report.messages:
        err.print(f"[yellow]{escape(message)}[/yellow]", soft_wrap=True)
    if not quiet:
        console.print(f"ingested {report.new} new document(s), {report.near_duplicate} near-duplicate(s) stored as "
                      f"other sources, {report.duplicate} exact duplicate(s) skipped, {report.quarantined} quarantined; "
                      f"{report.statements} statement(s) extracted", highlight=False, soft_wrap=True)
    if report.all_quarantined:
        err.print(f"[red]error:[/red] every input was quarantined (exit {EXIT_ALL_QUARANTINED}); "
                  "see 'stanceline quarantine'", soft_wrap=True)
        raise typer.Exit(EXIT_ALL_QUARANTINED)


@app.command()
@friendly
def statements(
    db: DbOpt = None,
    speaker: Annotated[str | None, typer.Option("--speaker", help="Speaker name contains")] = None,
    stance: Annotated[str | None, typer.Option("--stance", help="support|oppose|conditional|neutral")] = None,
    target: Annotated[str | None, typer.Option("--target")] = None,
    since: Annotated[str | None, typer.Option("--since", help="YYYY[-MM[-DD]]")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include statements not about a target")] = False,
    limit: Annotated[int, typer.Option("--limit")] = 200,
) -> None:
    """List statements as a table."""
    flt = StatementFilter(speaker=speaker, stance=stance, target=target, since=since, on_target=None if all_ else True, limit=limit)
    rows = services.list_statements(settings_for(db), flt)
    table = Table(show_lines=False, expand=True)
    for col in ("date", "speaker", "stance", "target", "statement"):
        table.add_column(col, overflow="fold", ratio=4 if col == "statement" else 1)
    for r in rows:
        text = r["text"] if len(r["text"]) < 220 else r["text"][:217] + "…"
        table.add_row(r["date"] or "", r["speaker"], r["stance"] or "", r["target"] or "", text)
    console.print(table)
    console.print(f"{len(rows)} statement(s)")


@app.command()
@friendly
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl|csv|parquet|graphml|plover")] = "jsonl",
    db: DbOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout)")] = None,
) -> None:
    """Export every attributed statement (off-target ones with target null)."""
    if fmt not in ("jsonl", "csv", "parquet", "graphml", "plover"):
        err.print(f"[red]error:[/red] unknown format {fmt!r}; use jsonl, csv, parquet, graphml or plover")
        raise typer.Exit(2)
    if fmt == "parquet":
        blob = services.export_parquet(settings_for(db))
        if output is None:
            sys.stdout.buffer.write(blob)
        else:
            write_file(output, blob)
        return
    write_output(services.export(settings_for(db), fmt), output)


@app.command()
@friendly
def summary(db: DbOpt = None) -> None:
    """Counts: documents, statements, actors, stances."""
    print_summary(services.summary(settings_for(db)))


def print_summary(counts: dict[str, Any]) -> None:
    table = Table(title="stanceline summary")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("documents", "statements", "on_target", "actors", "quarantined"):
        table.add_row(key.replace("_", " "), str(counts.get(key, 0)))
    for stance in ("support", "oppose", "conditional", "neutral"):
        table.add_row(f"  {stance}", str(counts.get("stances", {}).get(stance, 0)))
    console.print(table)


@app.command("eval")
@friendly
def eval_(
    corpus: Annotated[Path, typer.Argument(help="Folder of articles")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSONL")],
    pack: PackOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List misses, false positives, confusion")] = False,
    workers: Annotated[int | None, typer.Option("--workers", "-w")] = None,
    extractor: Annotated[str | None, typer.Option("--extractor", help="Registered extractor (default: the configured one)")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="Registered judge (default: the configured one)")] = None,
    all_attributions: Annotated[bool, typer.Option(
        "--all-attributions", help="Score every extracted attribution (on a target or not) against gold with file, "
        "evidence, speaker as written and kind (PolNeAR's format): detection per kind and source-mention accuracy")] = False,
) -> None:
    """Score extraction and stance against a gold file; last line is JSON."""
    if not gold.is_file():
        err.print(f"[red]error:[/red] gold file not found: {gold}")
        raise typer.Exit(2)
    if not corpus.is_dir():
        err.print(f"[red]error:[/red] corpus folder not found: {corpus}")
        raise typer.Exit(2)
    settings = settings_for(None, pack)
    settings = settings.model_copy(update={k: v for k, v in (("extractor", extractor), ("judge", judge)) if v})
    if all_attributions:
        figures = services.evaluate_attributions(gold, corpus, settings, workers=workers)
        for key, value in figures.items():
            console.print(f"{key:>18}: {value:.3f}" if value < 10 else f"{key:>18}: {value:.0f}")
        print(json.dumps(figures))
        return
    result = services.evaluate(gold, corpus, settings, workers=workers)
    from stanceline.evaluation import confusion_table

    if verbose:
        for g, p in result.matched:
            flags = []
            if g.stance != p.stance:
                flags.append(f"stance {p.stance}≠{g.stance}")
            from stanceline.evaluation import speaker_matches

            if not (speaker_matches(g.speaker, p.speaker) or speaker_matches(g.speaker, p.speaker_text)):
                flags.append(f"speaker {p.speaker!r}≠{g.speaker!r}")
            if g.date and (p.date or "")[: len(g.date)] != g.date:
                flags.append(f"date {p.date}≠{g.date}")
            if flags:
                console.print(f"[yellow]WRONG[/yellow] {g.file[:3]} {', '.join(flags)} | {g.evidence[:90]}")
        for g in result.misses:
            console.print(f"[red]MISS[/red] {g.file[:3]} {g.speaker} ({g.stance}) | {g.evidence[:110]}")
        for p in result.false_positives:
            console.print(f"[magenta]FP[/magenta] {p.file[:3]} {p.speaker} ({p.stance}, {p.target}) | {p.text[:110]}")
        table = Table(title="stance confusion (matched statements)")
        rows = confusion_table(result.confusion)
        for col in rows[0]:
            table.add_column(col)
        for row in rows[1:]:
            table.add_row(*row)
        console.print(table)
    for key, value in result.metrics.items():
        console.print(f"{key:>16}: {value:.3f}")
    print(json.dumps(result.metrics))

