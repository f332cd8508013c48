"""Synthetic inputs for the reliability suite: small articles and hostile files, made at test time."""

from __future__ import annotations

import gzip
import io
import random
import sqlite3
from pathlib import Path

SPEAKERS = ("Abbas Araghchi", "Mike Pompeo", "Hassan Rouhani", "John Kerry", "Ali Khamenei")
# Neutral words for a filler sentence: no verbs of speech, so the filler adds no statement, but it
# keeps articles apart for the near-duplicate detector.
FILLER = ("harbour", "orchard", "granite", "violet", "lantern", "meadow", "copper", "willow", "saffron", "marble",
          "canyon", "thistle", "amber", "falcon", "juniper", "pebble", "cobalt", "heron", "walnut", "glacier",
          "tundra", "ember", "sparrow", "linen", "quartz", "fern", "bramble", "cedar", "indigo", "lagoon")


def article(i: int) -> str:
    """A short, unique article with one indirect and one direct statement (a few sentences)."""
    speaker = SPEAKERS[i % len(SPEAKERS)]
    rng = random.Random(i)  # noqa: S311 - reproducible filler, not security
    filler = " ".join(rng.choice(FILLER) for _ in range(24))
    return (
        f"Report number {i} from Vienna on day {i % 28 + 1}.\n\n"
        f"The {filler} catalogue.\n\n"
        f"{speaker} said on Monday that talks on the nuclear deal would continue for round {i}.\n\n"
        f"\"We are ready to negotiate if sanctions are lifted,\" {speaker} told reporters in statement {i}.\n"
    )


def write_articles(folder: Path, indices: range | list[int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in indices:
        path = folder / f"doc{i:05d}.txt"
        path.write_text(article(i), encoding="utf-8")
        paths.append(path)
    return paths


def db_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def table_counts(path: str | Path, tables: tuple[str, ...] = ("raw_inputs", "documents", "statements", "judgements",
                                                               "document_sources", "quarantine")) -> dict[str, int]:
    con = sqlite3.connect(str(path), timeout=30)
    try:
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in tables}  # noqa: S608
    finally:
        con.close()


def integrity(path: str | Path) -> str:
    con = sqlite3.connect(str(path), timeout=30)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def snapshot(path: str | Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the content tables, for before/after comparisons."""
    con = sqlite3.connect(str(path), timeout=30)
    try:
        return {
            "documents": con.execute("SELECT id, raw_id, source, title, text FROM documents ORDER BY id").fetchall(),
            "statements": con.execute(
                'SELECT id, document_id, start, "end", text, speaker FROM statements ORDER BY id').fetchall(),
            "judgements": con.execute(
                "SELECT statement_id, rank, target, stance FROM judgements ORDER BY statement_id, rank").fetchall(),
        }
    finally:
        con.close()


def gzip_bomb(expanded_bytes: int) -> bytes:
    """A small gzip stream that inflates to ``expanded_bytes`` zero-ish bytes of 'text'."""
    buf = io.BytesIO()
    block = b"a" * 1_048_576
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        for _ in range(expanded_bytes // len(block)):
            gz.write(block)
    return buf.getvalue()
