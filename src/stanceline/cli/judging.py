"""Judging commands: ``stanceline judge`` (JSONL in, judged JSONL out), ``train-judge``, and the
output of ``stanceline arguments --new`` (the option lives on ``arguments``)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stanceline.cli.app import DbOpt, PackOpt, app, console, err, friendly, settings_for
from stanceline.config import Settings
from stanceline.services.judging import (
    corrections_as_training,
    judge_items,
    new_argument_candidates,
    prepare_judge,
    training_problem,
)

JUDGE_BATCH = 64


def print_new_arguments(settings: Settings, as_json: bool = False, min_size: int = 2, threshold: float = 0.55) -> None:
    """Cluster the reasons no pack argument matched and print each cluster with example statements."""
    candidates = new_argument_candidates(settings, min_size=min_size, threshold=threshold)
    if as_json:
        print(json.dumps([c.as_dict() for c in candidates], ensure_ascii=False))
        return
    if not candidates:
        console.print("No recurring unmatched reasons: every stored reason maps to a listed argument, or stands alone.")
        return
    table = Table(title=f"candidate new argument types ({candidates[0].embedder})")
    for col in ("keywords", "reasons", "nearest listed argument", "examples"):
        table.add_column(col, overflow="fold")
    for c in candidates:
        nearest = f"{c.nearest_argument} ({c.nearest_similarity:.2f})" if c.nearest_argument else "–"
        examples = "\n".join(f"{e['speaker']} ({e['stance']}): {e['reason']}" for e in c.examples)
        table.add_row(", ".join(c.keywords) or "–", str(c.size), nearest, examples)
    console.print(table)


# -- stanceline judge ------------------------------------------------------------------------
def _records(lines: Iterable[str], settings: Settings, judge: str, batch: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, output record) for every non-blank line, judged ``batch`` items at a time."""
    pending: list[tuple[int, Any]] = []

    def flush() -> Iterator[tuple[int, dict[str, Any]]]:
        done = judge_items([item for _, item in pending], settings, judge)
        for (n, _), record in zip(pending, done, strict=True):
            yield n, ({"line": n, **record} if "error" in record else record)
        pending.clear()

    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pending.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            yield from flush()
            yield n, {"line": n, "error": f"not JSON: {exc.msg} (column {exc.colno})"}
            continue
        if len(pending) >= batch:
            yield from flush()
    yield from flush()


@app.command("judge")
@friendly
def judge_command(
    source: Annotated[str, typer.Argument(
        help="JSONL file of items (text, target, optional speaker, context, date), or - for stdin")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="JSONL file to write (default: stdout)")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="Registered judge (default: the configured one)")] = None,
    pack: PackOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary")] = False,
) -> None:
    """Judge statements given as JSONL: each line's stance toward its target, as JSONL; nothing is stored."""
    settings = settings_for(None, pack)
    if source != "-" and not Path(source).is_file():
        err.print(f"[red]error:[/red] input file not found: {source}")
        raise typer.Exit(2)
    name = prepare_judge(settings, judge)
    total = None
    if source != "-":
        with open(source, encoding="utf-8-sig", errors="replace") as f:
            total = sum(1 for line in f if line.strip())
    judged = failed = 0
    with ExitStack() as stack:
        lines = sys.stdin if source == "-" else stack.enter_context(open(source, encoding="utf-8-sig", errors="replace"))
        out = sys.stdout if output is None else stack.enter_context(output.open("w", encoding="utf-8"))
        bar = stack.enter_context(Progress(TextColumn("[bold]judge[/bold]"), BarColumn(), MofNCompleteColumn(),
                                           TimeElapsedColumn(), console=err, disable=quiet or total is None, transient=True))
        task = bar.add_task("", total=total)
        for _, record in _records(lines, settings, name, JUDGE_BATCH):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            failed += "error" in record
            judged += "error" not in record
            bar.advance(task)
    if not quiet:
        err.print(f"judged {judged} item(s) with {name}" + (f"; {failed} line(s) failed" if failed else "")
                  + (f"; wrote {output}" if output else ""))
    if failed:
        raise typer.Exit(1)


# -- stanceline train-judge ------------------------------------------------------------------
@app.command("train-judge")
@friendly
def train_judge(
    with_corrections: Annotated[bool, typer.Option(
        "--with-corrections", help="Add the store's stance corrections as labelled items")] = False,
    db: DbOpt = None,
    pack: PackOpt = None,
    corpus: Annotated[str | None, typer.Option(
        "--corpus", help="Shared corpus folder (default ../shared/corpus or $STANCELINE_CORPUS)")] = None,
    encoder: Annotated[bool, typer.Option(
        "--encoder", help="Also fine-tune the stance encoder behind judge.v3 and cascade.v2 "
                          "(needs PyTorch from the train extra; about 12 minutes on 2 cores)")] = False,
) -> None:
    """Retrain the stance judge (python -m stanceline.training stance, then encoder with --encoder); each prints dev
    macro-F1 before and after when corrections are added."""
    problem = training_problem(corpus, encoder)
    if problem is not None:
        err.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(2)
    command = [sys.executable, "-m", "stanceline.training", "stance", *([f"--corpus={corpus}"] if corpus else [])]
    with TemporaryDirectory() as tmp:
        if with_corrections:
            items = corrections_as_training(settings_for(db, pack))
            extra = Path(tmp) / "corrections.jsonl"
            extra.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
            err.print(f"{len(items)} corrected statement(s) added as labelled items")
            command += ["--extra", str(extra)]
        code = subprocess.call(command)  # noqa: S603 - this interpreter, fixed arguments
        if not code and encoder:
            command[3] = "encoder"
            code = subprocess.call(command)  # noqa: S603 - this interpreter, fixed arguments
    if code:
        raise typer.Exit(code)
