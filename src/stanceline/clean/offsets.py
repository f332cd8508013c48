"""Offset maps: every character of a cleaned text points back into the text it came from.

Cleaning changes text in three ways — Unicode normalization (NFC, invisible marks, odd spaces,
line ends), dropping boilerplate lines, and (for matching only) folding quote marks and dashes.
Each step here returns its output together with an ``OffsetMap``, and ``raw_span`` composes them,
so a statement span in ``Document.text`` maps back to the decoded raw input kept in the store.
The maps are recomputed from the stored raw bytes and document text, never stored.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from stanceline.clean.decode import _SPACES, _STRIP

# Typographic marks and what matching code may read them as; ``Document.text`` keeps them as written.
FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...",
}


# Mirrors decode.normalize_text: a space is put between a year and a word glued to it ("2019In").
_YEAR_END = re.compile(r"\b(?:19|20)\d\d$")


@dataclass(frozen=True)
class OffsetMap:
    """``sources[i]`` is where output character ``i`` came from; ``source_length`` closes the last span."""

    sources: tuple[int, ...]
    source_length: int

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """The source span of output span ``[start, end)``."""
        if start >= len(self.sources):
            return self.source_length, self.source_length
        s = self.sources[start]
        e = self.sources[end] if end < len(self.sources) else self.source_length
        if end > start and end < len(self.sources):
            # the output end may sit inside a multi-character source cluster: close it after the last char
            e = max(e, self.sources[end - 1] + 1)
        return s, e

    def then(self, inner: OffsetMap) -> OffsetMap:
        """Compose: ``self`` maps C→B, ``inner`` maps B→A; the result maps C→A."""
        mapped = tuple(inner.sources[i] if i < len(inner.sources) else inner.source_length for i in self.sources)
        return OffsetMap(mapped, inner.source_length)


def identity(text: str) -> OffsetMap:
    return OffsetMap(tuple(range(len(text))), len(text))


def normalize_with_map(text: str) -> tuple[str, OffsetMap]:
    """``decode.normalize_text`` with an offset map (NFC per character cluster)."""
    out: list[str] = []
    sources: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            out.append("\n")
            sources.append(i)
            i += 2 if i + 1 < n and text[i + 1] == "\n" else 1
            continue
        if ch == "\u2028" or ch == "\u2029":
            out.extend("\n" if ch == "\u2028" else "\n\n")
            sources.extend([i] * (1 if ch == "\u2028" else 2))
            i += 1
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j]).translate(_STRIP).translate(_SPACES)
        if (cluster[:1].isupper() and cluster[:1].isascii() and j < n and text[j].islower() and text[j].isascii()
                and _YEAR_END.search("".join(out[-6:]))):
            out.append(" ")
            sources.append(i)
        for c in cluster:
            if c in "\n\t" or unicodedata.category(c) != "Cc":
                out.append(c)
                sources.append(i)
        i = j
    return "".join(out), OffsetMap(tuple(sources), n)


def fold_with_map(text: str) -> tuple[str, OffsetMap]:
    """Curly quotes, guillemets, primes → ASCII quotes; dashes → '-'; '…' → '...' (for matching)."""
    out: list[str] = []
    sources: list[int] = []
    for i, ch in enumerate(text):
        rep = FOLD.get(ch, ch)
        out.append(rep)
        sources.extend([i] * len(rep))
    return "".join(out), OffsetMap(tuple(sources), len(text))


@dataclass(frozen=True)
class LineMap:
    """Kept lines of a cleaned text and where each starts in the text it was cut from."""

    clean_starts: tuple[int, ...]
    source_starts: tuple[int, ...]  # -1 when a line was not found (e.g. text rebuilt from HTML)

    def to_source(self, start: int, end: int) -> tuple[int, int] | None:
        """The source span of a cleaned span that lies within one line; None when it cannot be placed."""
        k = bisect_right(self.clean_starts, start) - 1
        if k < 0 or self.source_starts[k] < 0:
            return None
        delta = self.source_starts[k] - self.clean_starts[k]
        return start + delta, end + delta


def line_map(source: str, cleaned: str) -> LineMap:
    """Place each line of ``cleaned`` in ``source`` (lines are kept in order, right-stripped)."""
    clean_starts: list[int] = []
    source_starts: list[int] = []
    cursor = 0
    pos = 0
    for line in cleaned.split("\n"):
        clean_starts.append(pos)
        found = source.find(line, cursor) if line else cursor
        source_starts.append(found)
        if found >= 0:
            cursor = found + len(line)
        pos += len(line) + 1
    return LineMap(tuple(clean_starts), tuple(source_starts))


def raw_span(raw_text: str, document_text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where ``document_text[start:end]`` sits in ``raw_text`` (the decoded raw input), or None.

    Works for spans inside one line of a plain-text document; text rebuilt from HTML has no
    line-for-line source and gives None.
    """
    normalized, norm_map = normalize_with_map(raw_text)
    placed = line_map(normalized, document_text).to_source(start, end)
    if placed is None:
        return None
    return norm_map.to_source(*placed)
