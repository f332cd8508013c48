"""Cut a document's text into segments so a view can mark the statement, its speaker and its cue."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    text: str
    kinds: tuple[str, ...] = ()  # e.g. ("statement",), ("speaker",), ("statement", "cue")


def find_marks(row: Mapping[str, Any], text: str) -> list[tuple[int, int, str]]:
    """Character ranges of the statement span, and of its speaker and cue near it (within its sentence)."""
    start, end = int(row["start"]), int(row["end"])
    marks = [(start, end, "statement")]
    # Without sentence offsets, look a little around the span: speakers are named next to their words.
    lo = int(row["sentence_start"]) if row.get("sentence_start") is not None else start - 200
    hi = int(row["sentence_end"]) if row.get("sentence_end") is not None else end + 200
    lo, hi = max(0, min(lo, start)), min(len(text), max(hi, end))
    window = text[lo:hi]
    for value, kind in ((row.get("speaker_text"), "speaker"), (row.get("cue"), "cue")):
        if not value:
            continue
        pattern = re.escape(str(value)) if kind == "speaker" else _cue_pattern(str(value))
        m = re.search(pattern, window, flags=re.IGNORECASE)
        if m:
            marks.append((lo + m.start(), lo + m.end(), kind))
    return marks


# Cues are stored as lemmas ("say"); irregular speech verbs need their past forms spelled out.
IRREGULAR = {"say": "sa(?:y|ys|id|ying)", "tell": "t(?:ell|ells|old|elling)", "write": "wr(?:ite|ites|ote|itten|iting)",
             "speak": "sp(?:eak|eaks|oke|oken|eaking)"}


def _cue_pattern(lemma: str) -> str:
    first = lemma.split()[0].lower() if lemma.split() else lemma
    stem = IRREGULAR.get(first) or re.escape(first[:-1] if first.endswith("e") else first) + r"\w*"
    return r"\b" + stem + r"\b"


def segments(text: str, marks: Sequence[tuple[int, int, str]]) -> list[Segment]:
    """Split ``text`` at every mark boundary; each piece carries the kinds of the marks covering it."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), p)) for s, e, _ in marks for p in (s, e))})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a == b:
            continue
        kinds = tuple(k for s, e, k in marks if s <= a and b <= e)
        out.append(Segment(text[a:b], kinds))
    return out


def context_window(row: Mapping[str, Any], text: str, limit: int = 600) -> tuple[int, int]:
    """The sentence around a statement (at most ``limit`` characters either side of its span)."""
    start, end = int(row["start"]), int(row["end"])
    lo = int(row["sentence_start"]) if row.get("sentence_start") is not None else start
    hi = int(row["sentence_end"]) if row.get("sentence_end") is not None else end
    return max(0, min(lo, start), start - limit), min(len(text), max(hi, end), end + limit)


def context_segments(row: Mapping[str, Any], text: str, window: tuple[int, int]) -> list[Segment]:
    """The window's text cut into segments marking the statement, its speaker and its cue."""
    lo, hi = window
    marks = [(max(a, lo) - lo, min(b, hi) - lo, kind) for a, b, kind in find_marks(row, text) if a < hi and b > lo]
    return segments(text[lo:hi], marks)
