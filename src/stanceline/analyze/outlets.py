"""Outlet map: which outlets carry which side and which speakers, and who reported whom."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stanceline.analyze.timelines import JUDGED, net_score

Row = Mapping[str, Any]


@dataclass(frozen=True)
class OutletProfile:
    outlet: str
    statements: int
    stances: dict[str, int] = field(default_factory=dict)
    net: float | None = None
    speakers: tuple[tuple[str, int], ...] = ()  # most carried first
    carried_from: tuple[tuple[str, int], ...] = ()  # outlets this one quoted ("Arman daily reported …")

    def as_dict(self) -> dict[str, Any]:
        return {"outlet": self.outlet, "statements": self.statements, "stances": dict(self.stances), "net": self.net,
                "speakers": [{"speaker": s, "count": c} for s, c in self.speakers],
                "carried_from": [{"outlet": o, "count": c} for o, c in self.carried_from]}


def outlet_map(rows: Iterable[Row], top_speakers: int = 10) -> list[OutletProfile]:
    """One profile per publishing outlet (the document's outlet), busiest first.

    A statement whose ``carrier`` names another outlet is counted for the publisher too, and the
    pair becomes a reported-by link: publisher ← carrier ← speaker.
    """
    stances: dict[str, Counter[str]] = defaultdict(Counter)
    speakers: dict[str, Counter[str]] = defaultdict(Counter)
    carriers: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for r in rows:
        outlet = r.get("outlet")
        if not outlet:
            continue
        totals[outlet] += 1
        if r.get("target") and r.get("stance") in JUDGED:
            stances[outlet][str(r["stance"])] += 1
        speakers[outlet][str(r.get("speaker") or "?")] += 1
        if r.get("carrier") and r["carrier"] != outlet:
            carriers[outlet][str(r["carrier"])] += 1
    return [
        OutletProfile(o, n, {s: stances[o][s] for s in JUDGED}, net_score(stances[o]),
                      tuple(speakers[o].most_common(top_speakers)), tuple(carriers[o].most_common()))
        for o, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def reported_by_chains(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """speaker → carrier → publishing outlet paths, with how often each was seen."""
    chains: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        if r.get("carrier"):
            chains[(str(r.get("speaker") or "?"), str(r["carrier"]), str(r.get("outlet") or "?"))] += 1
    return [{"speaker": s, "carrier": c, "outlet": o, "count": n} for (s, c, o), n in chains.most_common()]
