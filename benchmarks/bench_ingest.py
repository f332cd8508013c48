"""Ingestion throughput: documents/s and peak RSS for plain-text and HTML inputs.

Two figures per input kind: the cleaning stage alone (decode, boilerplate, metadata, language)
and the whole ``services.ingest`` path (cleaning, extraction, near-duplicate check, storage) on a
temporary SQLite database with one worker. Text inputs are the demo corpus repeated with a
distinct first line; HTML inputs are synthetic pages (navigation, article paragraphs, footer).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo" / "corpus"


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def _texts(n: int) -> list[tuple[str, bytes]]:
    base = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    return [(f"text_{i:04d}.txt", f"Edition {i}\n{base[i % len(base)]}".encode()) for i in range(n)]


def _html(n: int) -> list[tuple[str, bytes]]:
    base = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    pages = []
    for i in range(n):
        paras = "".join(f"<p>{line}</p>" for line in base[i % len(base)].split("\n") if line.strip())
        page = (f"<!DOCTYPE html><html><head><title>Story {i}</title><meta name='date' content='2019-05-{1 + i % 28:02d}'></head>"
                "<body><nav><a href='/'>Home</a> | <a href='/world'>World</a> | <a href='/iran'>Iran</a></nav>"
                f"<article><h1>Story {i}</h1>{paras}</article><footer>© Example News. All rights reserved.</footer></body></html>")  # noqa: E501
        pages.append((f"page_{i:04d}.html", page.encode()))
    return pages


def _clean_rate(items: list[tuple[str, bytes]], ctype: str) -> float:
    from stanceline.clean import clean_input
    from stanceline.records import RawInput

    clean_input(RawInput(*items[0], ctype))  # warm-up: lazy imports and the language model, not timed
    start = time.perf_counter()
    for name, data in items:
        clean_input(RawInput(name, data, ctype))
    return round(len(items) / (time.perf_counter() - start), 1)


def _ingest_rate(items: list[tuple[str, bytes]]) -> float:
    from stanceline import services
    from stanceline.config import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for name, data in items:
            (folder / name).write_bytes(data)
        settings = load_settings(db=f"sqlite:///{Path(tmp) / 'b.db'}", workers=1)
        services.ingest([str(folder)], settings, workers=1)  # warm-up: models loaded, not timed
        settings = load_settings(db=f"sqlite:///{Path(tmp) / 'c.db'}", workers=1)
        start = time.perf_counter()
        report = services.ingest([str(folder)], settings, workers=1)
        elapsed = time.perf_counter() - start
    return round((report.new + report.duplicate + report.quarantined) / elapsed, 2)


def run(quick: bool) -> dict[str, Any]:
    """Documents per second (clean stage and full ingest) and peak RSS, for text and HTML inputs."""
    n_clean, n_ingest = (60, 12) if quick else (600, 120)
    texts, pages = _texts(n_clean), _html(n_clean)
    result: dict[str, Any] = {
        "clean_text_docs_per_s": _clean_rate(texts, "text/plain"),
        "clean_html_docs_per_s": _clean_rate(pages, "text/html"),
        "peak_rss_mb_after_clean": _peak_rss_mb(),
    }
    result["ingest_text_docs_per_s"] = _ingest_rate(texts[:n_ingest])
    result["ingest_html_docs_per_s"] = _ingest_rate(pages[:n_ingest])
    result["peak_rss_mb"] = _peak_rss_mb()
    result["documents"] = {"clean": n_clean, "ingest": n_ingest}
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--full" not in sys.argv), indent=2))
