"""Grounding: a model's quoted evidence → offsets into the cleaned text, or nothing.

Offsets are never taken from the model. An evidence is found as an exact substring first; failing
that, after folding what models commonly retype (curly vs straight quotes, dashes, runs of
whitespace), and the span stored is then the text's own characters, so every stored statement is
an exact substring of the document. What is not found is not stored.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-", "‑": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_EDGE = "\"' .,;:-"
MIN_EVIDENCE_CHARS = 8


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` folded (quotes, dashes, whitespace runs → one space) and, for each folded
    character, the index of the original character it came from."""
    out: list[str] = []
    where: list[int] = []
    previous_space = False
    for i, ch in enumerate(text):
        ch = ch.translate(_FOLD)
        if ch.isspace():
            if previous_space:
                continue
            ch, previous_space = " ", True
        else:
            previous_space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


def _nearest(starts: list[int], near: int | None) -> int:
    return starts[0] if near is None else min(starts, key=lambda s: abs(s - near))


def locate(text: str, evidence: str, lo: int = 0, hi: int | None = None, near: int | None = None) -> tuple[int, int] | None:
    """Offsets of ``evidence`` in ``text[lo:hi]`` (the occurrence nearest ``near``), or None."""
    hi = len(text) if hi is None else hi
    wanted = evidence.strip()
    if len(wanted) < MIN_EVIDENCE_CHARS:
        return None
    starts = _all(text, wanted, lo, hi)
    if starts:
        s = _nearest(starts, near)
        return s, s + len(wanted)
    window = text[lo:hi]
    folded, where = _folded(window)
    needle = _folded(wanted)[0].strip()
    for candidate in (needle, needle.strip(_EDGE)):
        if len(candidate) < MIN_EVIDENCE_CHARS:
            continue
        found = _all(folded, candidate, 0, len(folded))
        if found:
            f = _nearest(found, None if near is None else near - lo)
            start = lo + where[f]
            end = lo + where[f + len(candidate) - 1] + 1
            return start, end
    return None


def _all(haystack: str, needle: str, lo: int, hi: int) -> list[int]:
    found: list[int] = []
    i = haystack.find(needle, lo, hi)
    while i >= 0 and len(found) < 50:
        found.append(i)
        i = haystack.find(needle, i + 1, hi)
    return found


def locate_name(text: str, name: str, lo: int, hi: int, before: int) -> tuple[int, int] | None:
    """A mention of ``name`` as a whole word in ``text[lo:hi]``: the last one before ``before``,
    else the first after it; exact case first, then any case."""
    name = name.strip().strip(_EDGE)
    if len(name) < 2:
        return None
    for flags in (0, re.I):
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", flags)
        hits = [(m.start(), m.end()) for m in pattern.finditer(text, lo, hi)]
        if hits:
            earlier = [h for h in hits if h[0] < before]
            return earlier[-1] if earlier else hits[0]
    return None
