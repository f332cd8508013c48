"""Stance per period for an actor, a faction or an outlet: counts and a net-stance score."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Grain = Literal["day", "week", "month", "year"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "year")
JUDGED = ("support", "oppose", "conditional", "neutral")
Row = Mapping[str, Any]


def period_of(date_sort: str | None, grain: Grain) -> str | None:
    """The period label of an ISO date (``2019-05-14``): ``2019-05-14``, ``2019-W20``, ``2019-05`` or ``2019``.

    Weeks are Monday-based weeks of the calendar year (``%W``, week 00 before the first Monday), the
    same labels the store computes in SQL, so a week never straddles two years.
    """
    if not date_sort or len(date_sort) < 4:
        return None
    if grain == "year":
        return date_sort[:4]
    if grain == "month":
        return date_sort[:7] if len(date_sort) >= 7 else None
    if grain == "day":
        return date_sort[:10] if len(date_sort) >= 10 else None
    try:
        day = dt.date.fromisoformat(date_sort[:10])
    except ValueError:
        return None
    return day.strftime("%Y-W%W")


def net_score(counts: Mapping[str, int]) -> float | None:
    """(support + ½·conditional − oppose) / judged statements, in [-1, 1]; None when nothing was judged.

    A conditional "yes, if …" leans towards talks, so it counts half; neutral statements dilute the score.
    """
    total = sum(counts.get(s, 0) for s in JUDGED)
    if not total:
        return None
    value = (counts.get("support", 0) + 0.5 * counts.get("conditional", 0) - counts.get("oppose", 0)) / total
    return round(value, 4)


@dataclass(frozen=True)
class PeriodStance:
    """Stances of one group in one period."""

    period: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    net: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "counts": dict(self.counts), "total": self.total, "net": self.net}


def points_from_counts(counts: Iterable[tuple[str | None, str | None, int]]) -> list[PeriodStance]:
    """(period, stance, n) triples (e.g. from a SQL GROUP BY) → one point per period, in order."""
    by_period: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(JUDGED, 0))
    for period, stance, n in counts:
        if period is None or stance not in JUDGED:
            continue
        by_period[period][str(stance)] += int(n)
    return [PeriodStance(p, c, sum(c.values()), net_score(c)) for p, c in sorted(by_period.items())]


def stance_timeline(rows: Iterable[Row], grain: Grain = "month") -> list[PeriodStance]:
    """Stance counts and net score per period of the judged, dated rows."""
    triples = ((period_of(r.get("date_sort"), grain), r.get("stance"), 1) for r in rows if r.get("target"))
    return points_from_counts((p, s, n) for p, s, n in triples if p)


def timelines_by(rows: Iterable[Row], group_of: Callable[[Row], Iterable[str]], grain: Grain = "month") -> dict[str, list[PeriodStance]]:
    """One timeline per group; ``group_of`` names the groups of a row (an actor, its factions, its outlet)."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        for key in group_of(row):
            groups[key].append(row)
    return {key: stance_timeline(members, grain) for key, members in sorted(groups.items())}
