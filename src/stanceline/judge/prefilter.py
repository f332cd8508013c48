"""A substring test in front of a case-insensitive cue pattern: skip the pattern where it cannot match.

The rule judge runs about ninety ``(?i)\\b…`` cue patterns over every statement; Python's engine
cannot use a literal prefix behind ``\\b`` and case folding, so each pattern walks the whole text,
and most cues are absent from most statements. ``literal_prefixes`` reads, from the parsed pattern,
the literal text every match must begin with (one string per alternative); if none of them occurs
in the lower-cased text, the pattern has no match. The test is exact for text whose letters are
ASCII (lower-casing ASCII is what ``re.IGNORECASE`` does to it); any other text runs every pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the parser's opcode names
from re import _parser  # type: ignore[attr-defined]
from typing import Any

MIN_PREFIX = 2


MAX_STARTS = 256  # more alternatives than this: no test (it would cost what it saves)


def _starts(items: list[tuple[Any, Any]]) -> list[str]:
    """The literal text (lower-cased) every match of a sequence of parsed items begins with, one
    string per alternative; an alternative that begins with anything else gives ""."""
    prefix = ""
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT) and not prefix:
            continue  # \b, lookarounds: they consume nothing
        if op is C.LITERAL:
            prefix += chr(av).lower()
            continue
        if op is C.SUBPATTERN:  # a group that must match: its starts continue the prefix
            return [prefix + s for s in _starts(list(av[-1]))]
        if op is C.BRANCH:
            out = [prefix + s for branch in av[1] for s in _starts(list(branch))]
            return out if len(out) <= MAX_STARTS else [""]
        break
    return [prefix]


def literal_prefixes(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-cased strings one of which starts every match of ``pattern`` (None: not known).

    Only for case-insensitive patterns without verbose or locale flags; the strings are what a
    match begins with once lower-cased.
    """
    if not pattern.flags & re.IGNORECASE or pattern.flags & (re.VERBOSE | re.LOCALE):
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except re.error:
        return None
    found = _starts(list(parsed))
    if any(len(prefix) < MIN_PREFIX for prefix in found):
        return None
    if any(ch.isalpha() and not ch.isascii() for prefix in found for ch in prefix):
        return None  # a non-ASCII letter may match an ASCII one under case folding (ı and i, ſ and s)
    return tuple(sorted(set(found)))


def ascii_letters(text: str) -> bool:
    """True when every letter of ``text`` is ASCII (quotes, dashes and other symbols may not be)."""
    return text.isascii() or not any(ch.isalpha() for ch in text if ord(ch) > 127)


class Guarded:
    """A compiled pattern with its literal prefixes: ``finditer(text, lower)`` skips the pattern
    when ``lower`` (the lower-cased text, or None when its letters are not all ASCII) holds none."""

    __slots__ = ("pattern", "prefixes")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.prefixes = literal_prefixes(pattern)

    def possible(self, lower: str | None) -> bool:
        return lower is None or self.prefixes is None or any(p in lower for p in self.prefixes)

    def finditer(self, text: str, lower: str | None) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.possible(lower) else iter(())

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``, skipped when the text cannot hold a match."""
        if self.prefixes is not None and not self.possible(lowered(text)):
            return None
        return self.pattern.search(text)


def lowered(text: str) -> str | None:
    """The text lower-cased for ``Guarded``, or None when the prefix test would not be exact."""
    return text.lower() if ascii_letters(text) else None
