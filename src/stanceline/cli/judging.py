"""Output of ``stanceline arguments --new``: candidate new argument types (the option lives on ``arguments``)."""

from __future__ import annotations

import json

from rich.table import Table

from stanceline.cli.app import console
from stanceline.config import Settings
from stanceline.services.judging import new_argument_candidates


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
