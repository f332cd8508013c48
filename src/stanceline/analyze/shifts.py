"""Stance shifts: a speaker whose stance on a target changes between two periods, with the evidence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stanceline.analyze.timelines import Grain, net_score, period_of

Row = Mapping[str, Any]
POSITIONAL = ("support", "oppose", "conditional")  # neutral reporting is not a position


@dataclass(frozen=True)
class Shift:
    """``actor_id`` held ``before_stance`` on ``target`` in ``before_period`` and ``after_stance`` later."""

    actor_id: str
    speaker: str
    target: str
    before_period: str
    after_period: str
    before_stance: str
    after_stance: str
    before_ids: tuple[str, ...]
    after_ids: tuple[str, ...]
    gap_days: int | None
    strength: float  # |change of net score|, 0..2

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _majority(rows: Sequence[Row]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[str(r["stance"])] += 1
    # Ties break towards the stance said last: the most recent word is what readers quote.
    last = {str(r["stance"]): i for i, r in enumerate(rows)}
    return max(counts, key=lambda s: (counts[s], last[s]))


def _days_between(a: str | None, b: str | None) -> int | None:
    try:
        return (dt.date.fromisoformat(str(b)[:10]) - dt.date.fromisoformat(str(a)[:10])).days
    except (TypeError, ValueError):
        return None


def find_shifts(rows: Iterable[Row], grain: Grain = "year", min_strength: float = 0.5) -> list[Shift]:
    """Changes of majority stance between consecutive periods in which a speaker spoke on a target.

    Ranked most recent first, then strongest. The gap runs from the last statement of the earlier
    period to the first of the later one.
    """
    series: dict[tuple[str, str], dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r.get("date_sort") or "", r.get("id") or "")):
        period = period_of(r.get("date_sort"), grain)
        if not period or not r.get("target") or r.get("stance") not in POSITIONAL or not r.get("actor_id"):
            continue
        series[(str(r["actor_id"]), str(r["target"]))][period].append(r)
        names[str(r["actor_id"])] = str(r.get("speaker") or r["actor_id"])
    shifts: list[Shift] = []
    for (actor_id, target), periods in series.items():
        ordered = sorted(periods.items())
        for (p0, before), (p1, after) in zip(ordered, ordered[1:], strict=False):
            s0, s1 = _majority(before), _majority(after)
            if s0 == s1:
                continue
            n0 = net_score({s: sum(1 for r in before if r["stance"] == s) for s in POSITIONAL}) or 0.0
            n1 = net_score({s: sum(1 for r in after if r["stance"] == s) for s in POSITIONAL}) or 0.0
            strength = round(abs(n1 - n0), 4)
            if strength < min_strength:
                continue
            shifts.append(Shift(
                actor_id, names[actor_id], target, p0, p1, s0, s1,
                tuple(str(r["id"]) for r in before if r["stance"] == s0),
                tuple(str(r["id"]) for r in after if r["stance"] == s1),
                _days_between(before[-1].get("date_sort"), after[0].get("date_sort")), strength,
            ))
    shifts.sort(key=lambda s: (s.after_period, s.strength, s.actor_id), reverse=True)
    return shifts
