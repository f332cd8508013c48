"""Division index: how split the elite is in a period, as the entropy of stances across factions."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stanceline.analyze.timelines import Grain, net_score, period_of

Row = Mapping[str, Any]
POSITIONAL = ("support", "oppose", "conditional")


@dataclass(frozen=True)
class DivisionPoint:
    """``index`` is 0 when every faction takes the same line and 1 when the lines are evenly split."""

    period: str
    index: float
    factions: dict[str, float | None] = field(default_factory=dict)  # net score per faction
    stances: dict[str, int] = field(default_factory=dict)  # faction-weighted stance tally
    statements: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "index": self.index, "factions": dict(self.factions),
                "stances": dict(self.stances), "statements": self.statements}


def normalised_entropy(counts: Mapping[str, float]) -> float:
    """Shannon entropy of a distribution divided by its maximum over the three positional stances."""
    total = sum(counts.values())
    if total <= 0:
        return 0.0
    h = -sum((c / total) * math.log(c / total) for c in counts.values() if c > 0)
    return round(h / math.log(len(POSITIONAL)), 4)


def division_index(rows: Iterable[Row], factions_of: Callable[[Row], list[str]], grain: Grain = "year",
                   factions: set[str] | None = None) -> list[DivisionPoint]:
    """Per period: each faction's stance shares, averaged so a loud faction counts as much as a quiet one.

    The entropy of that faction-weighted distribution is the index. ``factions`` limits which
    factions count (e.g. the Iranian camps only); rows without a faction are left out.
    """
    tally: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(POSITIONAL, 0)))
    n: dict[str, int] = defaultdict(int)
    for r in rows:
        period = period_of(r.get("date_sort"), grain)
        if not period or not r.get("target") or r.get("stance") not in POSITIONAL:
            continue
        fs = [f for f in factions_of(r) if factions is None or f in factions]
        for f in fs:
            tally[period][f][str(r["stance"])] += 1
        n[period] += 1 if fs else 0
    points = []
    for period, by_faction in sorted(tally.items()):
        mix = dict.fromkeys(POSITIONAL, 0.0)
        for counts in by_faction.values():
            total = sum(counts.values())
            for s in POSITIONAL:
                mix[s] += counts[s] / total
        points.append(DivisionPoint(
            period, normalised_entropy(mix), {f: net_score(c) for f, c in sorted(by_faction.items())},
            {s: sum(c[s] for c in by_faction.values()) for s in POSITIONAL}, n[period]))
    return points
