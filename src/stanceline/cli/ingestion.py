"""Ingestion commands: ``stanceline quarantine [--retry] [--all]``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from stanceline import services
from stanceline.cli.app import DbOpt, app, console, err, friendly, settings_for


@app.command()
@friendly
def quarantine(
    db: DbOpt = None,
    retry: Annotated[bool, typer.Option("--retry", help="Ingest every unresolved quarantined source again")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Also list resolved rows")] = False,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow fetching private/loopback addresses")] = False,
) -> None:
    """List inputs that could not be ingested, and why; --retry tries them again."""
    settings = settings_for(db, allow_private=allow_private or None)
    if retry:
        report, resolved = services.quarantine_retry(settings)
        for message in report.messages:
            err.print(f"[yellow]{message}[/yellow]")
        console.print(f"retried: {report.new} new document(s), {resolved} quarantine row(s) resolved")
        return
    rows = services.quarantine_list(settings, include_resolved=all_)
    table = Table(expand=True)
    for col in ("id", "when", "source", "size", "reason", "resolved"):
        table.add_column(col, overflow="fold", ratio=3 if col in ("source", "reason") else 1)
    for r in rows:
        table.add_row(str(r["id"]), r["created_at"], r["source"], f"{r['size']:,}", r["reason"], "yes" if r["resolved"] else "")
    console.print(table)
    console.print(f"{len(rows)} quarantined input(s)")
