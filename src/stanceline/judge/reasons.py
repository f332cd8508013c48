"""Conditions and arguments: spans of the statement, mapped to the pack's known ones."""

from __future__ import annotations

import re
from functools import lru_cache

from stanceline.actors.pack import Argument, Condition, Pack

_COND = re.compile(
    r"(?i)\b(?:only if|if|unless|provided(?: that)?|providing|on condition(?: that)?|as long as|so long as|"
    r"in return for|in exchange for|the first step is(?: for)?|must first|should first|only when|until)\b\s*"
)
_REASON = re.compile(r"(?i)\b(?:because|since|as|due to|citing|given(?: that)?|for fear that|so that|in order to|to)\b\s+")
_BREAK = re.compile(r"[,;.!?]|\b(?:then|we|they|it|and then)\b", re.I)


def condition_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of each stated precondition (the clause after the marker)."""
    spans = []
    for m in _COND.finditer(text):
        start = m.end()
        brk = _BREAK.search(text, start + 3)
        end = brk.start() if brk else len(text)
        if end - start >= 6:
            spans.append((start, end))
    return spans


def known_conditions(text: str, pack: Pack) -> list[Condition]:
    lower = text.lower()
    return [c for c in pack.conditions if any(cue.lower() in lower for cue in c.cues)]


def reason_span(text: str) -> tuple[int, int] | None:
    """The clause after 'because', 'citing', 'due to' …"""
    for m in _REASON.finditer(text):
        if m.group(0).lower().strip() in ("as", "to", "in order to", "so that", "since") and not re.match(r"(?i)(because|citing|due to|given)", m.group(0)):
            continue
        start = m.end()
        brk = re.compile(r"[;.!?]").search(text, start)
        end = brk.start() if brk else len(text)
        if end - start >= 8:
            return start, end
    return None


@lru_cache(maxsize=8)
def _cue_patterns(pack: Pack) -> tuple[tuple[Argument, tuple[tuple[str, re.Pattern[str]], ...]], ...]:
    """Cue patterns compiled once per pack (matching runs for every statement)."""
    return tuple(
        (arg, tuple((cue, re.compile(rf"(?<!\w){re.escape(cue.lower())}")) for cue in arg.cues)) for arg in pack.arguments
    )


def match_argument(text: str, pack: Pack, stated: str | None = None) -> tuple[Argument | None, float, list[str]]:
    """Best argument of the taxonomy by cue phrases (stated argument lines weigh double)."""
    best: tuple[float, Argument | None, list[str]] = (0.0, None, [])
    score: float
    lower = text.lower()
    stated_lower = (stated or "").lower()
    for arg, patterns in _cue_patterns(pack):
        hits = [cue for cue, pattern in patterns if pattern.search(lower)]
        stated_hits = [cue for cue in arg.cues if stated_lower and cue.lower() in stated_lower]
        score = len(hits) + 2 * len(stated_hits)
        if stated_lower and (arg.label.lower() in stated_lower or stated_lower in arg.label.lower()):
            score += 3
        if score > best[0]:
            best = (score, arg, hits + stated_hits)
    best_score, best_arg, cues = best
    return best_arg, min(1.0, best_score / 3), cues
