"""Conditions and arguments: spans of the statement, mapped to the pack's known ones."""

from __future__ import annotations

import re
from functools import lru_cache

from stanceline.actors.pack import Argument, Condition, Pack, Target
from stanceline.records import Judgement

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
def _cue_patterns(pack: Pack) -> tuple[tuple[Argument, tuple[tuple[str, str, re.Pattern[str]], ...]], ...]:
    """Cue patterns compiled once per pack (matching runs for every statement), with the lower-cased cue."""
    return tuple(
        (arg, tuple((cue, cue.lower(), re.compile(rf"(?<!\w){re.escape(cue.lower())}")) for cue in arg.cues))
        for arg in pack.arguments
    )


def match_argument(text: str, pack: Pack, stated: str | None = None) -> tuple[Argument | None, float, list[str]]:
    """Best argument of the taxonomy by cue phrases (stated argument lines weigh double)."""
    best: tuple[float, Argument | None, list[str]] = (0.0, None, [])
    score: float
    lower = text.lower()
    stated_lower = (stated or "").lower()
    for arg, patterns in _cue_patterns(pack):
        # The substring test is a necessary condition and far cheaper than the pattern: most cues are absent.
        hits = [cue for cue, low, pattern in patterns if low in lower and pattern.search(lower)]
        stated_hits = [cue for cue in arg.cues if stated_lower and cue.lower() in stated_lower]
        score = len(hits) + 2 * len(stated_hits)
        if stated_lower and (arg.label.lower() in stated_lower or stated_lower in arg.label.lower()):
            score += 3
        if score > best[0]:
            best = (score, arg, hits + stated_hits)
    best_score, best_arg, cues = best
    return best_arg, min(1.0, best_score / 3), cues


def judgements_for(pack: Pack, scope: str, stance: str | None, confidence: float, cues: tuple[str, ...],
                   targets: list[Target], contextual: bool, stated_argument: str | None,
                   produced_by: str) -> tuple[Judgement, ...]:
    """One judgement per target (at most three; the later ones at 0.8 of the confidence) for a stance
    read in ``scope``: its conditions when conditional, and the argument it states or matches."""
    conditions: tuple[str, ...] = ()
    condition_ids: tuple[str, ...] = ()
    if stance == "conditional":
        conditions = tuple(scope[a:b].strip() for a, b in condition_spans(scope))
        condition_ids = tuple(c.id for c in known_conditions(scope, pack))
    argument_text = stated_argument
    if argument_text is None:
        span = reason_span(scope)
        argument_text = scope[span[0] : span[1]].strip() if span else None
    arg, _conf, arg_cues = match_argument(scope + " " + (argument_text or ""), pack, stated_argument)
    all_cues = tuple(dict.fromkeys((*cues, *(f"argument:{c}" for c in arg_cues),
                                    *(("target:context",) if contextual else ()))))
    return tuple(
        Judgement(
            target=t.label, stance=stance, confidence=round(confidence * (1.0 if k == 0 else 0.8), 3),  # type: ignore[arg-type]
            conditions=conditions, condition_ids=condition_ids,
            argument=argument_text or (arg.label if arg else None), argument_id=arg.id if arg else None,
            cues=all_cues, produced_by=produced_by,
        )
        for k, t in enumerate(targets[:3])
    )
