"""Run every benchmark: ``python benchmarks/run.py [--quick] [--only NAME ...]`` (``make bench``).

Each ``benchmarks/bench_<name>.py`` exposes ``run(quick: bool) -> dict``. Its result goes to
``benchmarks/results/<name>.json`` and its ``metrics`` (name, value, unit, target, met, note) to
one table. Speed is measured here and only here: the test suite never times anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def discover() -> list[str]:
    """Names of the benchmark modules, ``bench_pipeline.py`` → ``pipeline``."""
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"python": platform.python_version(), "platform": platform.platform(), "cores": cores,
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None, "commit": commit,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def run_one(name: str, quick: bool) -> dict[str, Any]:
    module = importlib.import_module(f"bench_{name}")
    t0 = time.perf_counter()
    try:
        result = dict(module.run(quick))
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}", "metrics": []}
    result["benchmark"] = name
    result["quick"] = quick
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    result["machine"] = machine()
    return result


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _scalars(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for a benchmark that returns plain figures rather than a ``metrics`` list."""
    skip = {"quick", "wall_s", "benchmark"}
    return [{"name": k, "value": v, "unit": ""} for k, v in result.items()
            if k not in skip and isinstance(v, int | float) and not isinstance(v, bool)]


def print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="stanceline benchmarks" + (" (quick)" if results and results[0]["quick"] else ""))
    for col, justify in (("benchmark", "left"), ("measure", "left"), ("value", "right"), ("unit", "left"),
                         ("target", "left"), ("", "center"), ("note", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for result in results:
        if result.get("error"):
            table.add_row(result["benchmark"], "[red]failed[/red]", "", "", "", "", result["error"][:80])
        for m in result.get("metrics") or _scalars(result):
            mark = {True: "[green]✓[/green]", False: "[red]✗[/red]"}.get(m.get("met"), "")
            table.add_row(result["benchmark"], m["name"], _fmt(m.get("value")), m.get("unit", ""),
                          m.get("target", ""), mark, m.get("note", ""))
    Console(width=max(150, Console().width)).print(table)  # a log file is wider than 80 columns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in a minute or two")
    parser.add_argument("--only", nargs="*", help="benchmark names (default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for <name>.json")
    args = parser.parse_args(argv)
    # Benchmarks import their siblings (corpus.py) and start worker processes that must import them too.
    sys.path.insert(0, str(HERE))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    names = args.only or discover()
    unknown = set(names) - set(discover())
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))} (have: {', '.join(discover())})")
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for name in names:
        print(f"running {name}{' (quick)' if args.quick else ''}…", file=sys.stderr, flush=True)
        result = run_one(name, args.quick)
        (args.out / f"{name}.json").write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
        results.append(result)
    print_table(results)
    return 1 if any(r.get("error") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
