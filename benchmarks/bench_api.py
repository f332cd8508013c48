"""API latency at 50 concurrent clients over 100k synthetic statements (list and timeline endpoints).

Builds the database by inserting rows directly (no extraction), starts uvicorn on 127.0.0.1, and drives it
with keep-alive HTTP/1.1 connections from one asyncio client. Reports p50/p95/p99 per endpoint family for two phases of the same query mix: ``cold`` (the first
requests after the server started, every cache empty) and ``warm`` (drawn anew once the server has been
answering for a while). Target: p95 ≤ 150 ms. ``quick`` uses 20k statements and fewer requests.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STANCES = ("support", "oppose", "conditional", "neutral")
TARGETS = ("direct negotiation with US", "JCPOA", "indirect negotiation with US", "prisoner exchange with US")
CLIENTS = 50


def build_db(url: str, n_statements: int, per_doc: int = 50) -> list[str]:
    """Insert ``n_statements`` synthetic statements (and their documents, judgements); returns actor ids used."""
    from stanceline.actors.pack import load_pack
    from stanceline.config import BUNDLED_PACK
    from stanceline.storage import open_store
    from stanceline.storage import tables as t

    rng = random.Random(7)
    pack = load_pack(BUNDLED_PACK)
    actors = sorted(a for a in pack.actors if pack.actors[a].kind == "person")[:120]
    outlets = [a.name for a in pack.outlets][:30]
    store = open_store(url)
    store.sync_actors([(a.id, a.name, a.kind, a.country, list(a.aliases)) for a in pack.actors.values()])
    words = "talks negotiation sanctions enrichment deal Washington Tehran table poison diplomacy pressure Muscat".split()
    with store.engine.begin() as conn:
        for d in range(0, n_statements // per_doc):
            doc_id = f"{d:064x}"
            year = 2013 + d % 13
            day = f"{year}-{1 + d % 12:02d}-{1 + d % 28:02d}"
            conn.execute(t.raw_inputs.insert().values(id=doc_id, source=f"bench://{d}", size=1, ingested_at="2025-01-01"))
            conn.execute(t.documents.insert().values(id=doc_id, raw_id=doc_id, source=f"https://news.example/{d}",
                                                     title=f"Article {d}", outlet=outlets[d % len(outlets)], published=day,
                                                     published_sort=day, language="en", text="x" * 2000, ingested_at="2025-01-01"))
            srows, jrows = [], []
            for k in range(per_doc):
                sid = f"{d:09x}{k:07x}"
                actor = actors[rng.randrange(len(actors))]
                text = " ".join(rng.choice(words) for _ in range(14))
                target, stance = TARGETS[rng.randrange(4)], STANCES[rng.randrange(4)]
                srows.append({"id": sid, "document_id": doc_id, "start": k * 30, "end": k * 30 + 25, "text": text,
                              "speaker": pack.actors[actor].name, "speaker_text": pack.actors[actor].name,
                              "speaker_kind": "person", "actor_id": actor, "cue": "say", "kind": "direct", "date": day,
                              "date_sort": day, "date_source": "publication", "produced_by": "bench",
                              "target": target, "stance": stance})
                jrows.append({"statement_id": sid, "rank": 0, "target": target,
                              "stance": stance, "confidence": 0.8, "conditions": [], "condition_ids": [],
                              "cues": [], "produced_by": "bench"})
            conn.execute(t.statements.insert(), srows)
            conn.execute(t.judgements.insert(), jrows)
    store.close()
    return actors


async def _client(host: str, port: int, paths: list[str], out: list[tuple[str, float, int]]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for path in paths:
            start = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode())
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            out.append((path.split("?")[0], (time.perf_counter() - start) * 1000, int(status_line.split()[1])))
    finally:
        writer.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def run(quick: bool = False) -> dict[str, Any]:
    n = 20_000 if quick else 100_000
    per_client = 10 if quick else 30
    with tempfile.TemporaryDirectory(prefix="stanceline-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        actors = build_db(url, n)
        build_s = time.perf_counter() - t0
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "STANCELINE_DB": url}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "stanceline.api.app:app_from_env", "--factory",
                                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                   "--no-access-log", "--workers", os.environ.get("STANCELINE_BENCH_API_WORKERS", "1")], env=env)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            rng = random.Random(11)

            def pick() -> str:
                r = rng.random()
                if r < 0.25:
                    return f"/api/v1/statements?limit=50&offset={rng.randrange(0, 2000, 50)}"
                if r < 0.45:
                    return f"/api/v1/statements?actor={rng.choice(actors)}&limit=50"
                if r < 0.6:
                    return f"/api/v1/statements?stance={rng.choice(STANCES)}&since={2013 + rng.randrange(12)}&limit=50"
                if r < 0.7:
                    return f"/api/v1/timeline?grain={rng.choice(['year', 'month'])}"
                return f"/api/v1/timeline?by=actor&key={rng.choice(actors)}&grain=year"

            # Open the store the way a running server would have.
            asyncio.run(_client("127.0.0.1", port, [pick() for _ in range(5)], []))
            phases: dict[str, tuple[float, list[tuple[str, float, int]]]] = {}
            # "cold": the first requests after the server started (every cache empty); "warm": the same mix
            # of queries, drawn anew, once the server has been answering for a while.
            for phase in ("cold", "warm"):
                results: list[tuple[str, float, int]] = []

                async def drive(out: list[tuple[str, float, int]] = results) -> float:
                    start = time.perf_counter()
                    await asyncio.gather(*(_client("127.0.0.1", port, [pick() for _ in range(per_client)], out)
                                           for _ in range(CLIENTS)))
                    return time.perf_counter() - start

                phases[phase] = (asyncio.run(asyncio.wait_for(drive(), timeout=600)), results)
        finally:
            server.terminate()
            server.wait(10)
    out: dict[str, Any] = {"statements": n, "clients": CLIENTS, "build_s": round(build_s, 1),
                           "workers": int(os.environ.get("STANCELINE_BENCH_API_WORKERS", "1"))}
    for phase, (wall, results) in phases.items():
        row: dict[str, Any] = {"requests": len(results), "wall_s": round(wall, 2), "rps": round(len(results) / wall, 1),
                               "errors": sum(1 for _, _, s in results if s != 200)}
        for family in ("/api/v1/statements", "/api/v1/timeline"):
            ms = [m for p, m, _ in results if p == family]
            row[family.rsplit("/", 1)[1]] = {"n": len(ms), "p50_ms": _percentile(ms, 0.5), "p95_ms": _percentile(ms, 0.95),
                                             "p99_ms": _percentile(ms, 0.99), "mean_ms": round(statistics.fmean(ms), 1)}
        row["p95_ms"] = _percentile([m for _, m, _ in results], 0.95)
        out[phase] = row
    out["p95_ms"] = out["warm"]["p95_ms"]
    out["metrics"] = [
        {"name": f"API p95, {phase} ({out[phase]['requests']} requests, {CLIENTS} clients, {n:,} statements)",
         "value": out[phase]["p95_ms"], "unit": "ms", "target": "≤ 150", "met": out[phase]["p95_ms"] <= 150,
         "note": f"{out[phase]['rps']} req/s, p99 {max(out[phase]['statements']['p99_ms'], out[phase]['timeline']['p99_ms'])} ms"}
        for phase in ("warm", "cold")]
    out["target_p95_ms"] = 150
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--quick" in sys.argv), indent=1))
