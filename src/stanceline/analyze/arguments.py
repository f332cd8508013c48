"""Argument map: the reasons given for and against a target, with counts, first/last seen and speakers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stanceline.actors.pack import Argument

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ArgumentUse:
    argument_id: str
    label: str
    polarity: str  # for | against | neutral (from the pack; "unknown" for free-text arguments)
    count: int
    first_seen: str | None
    last_seen: str | None
    speakers: tuple[tuple[str, int], ...]
    targets: tuple[str, ...]
    statement_ids: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"argument_id": self.argument_id, "label": self.label, "polarity": self.polarity, "count": self.count,
                "first_seen": self.first_seen, "last_seen": self.last_seen,
                "speakers": [{"speaker": s, "count": c} for s, c in self.speakers],
                "targets": list(self.targets), "statement_ids": list(self.statement_ids)}


def argument_map(rows: Iterable[Row], arguments: Sequence[Argument] = (), target: str | None = None) -> list[ArgumentUse]:
    """Each argument used in ``rows`` (optionally about one target), most used first."""
    known = {a.id: a for a in arguments}
    groups: dict[str, list[Row]] = defaultdict(list)
    labels: dict[str, str] = {}
    for r in rows:
        if target and r.get("target") != target:
            continue
        key = r.get("argument_id") or r.get("argument")
        if not key:
            continue
        groups[str(key)].append(r)
        labels.setdefault(str(key), str(r.get("argument") or key))
    out = []
    for key, members in groups.items():
        dates = sorted(str(r["date_sort"]) for r in members if r.get("date_sort"))
        who = Counter(str(r.get("speaker") or "?") for r in members)
        arg = known.get(key)
        out.append(ArgumentUse(
            key, arg.label if arg else labels[key], arg.polarity if arg else "unknown", len(members),
            dates[0] if dates else None, dates[-1] if dates else None, tuple(who.most_common()),
            tuple(sorted({str(r["target"]) for r in members if r.get("target")})), tuple(str(r["id"]) for r in members)))
    out.sort(key=lambda a: (-a.count, a.argument_id))
    return out


def for_and_against(uses: Sequence[ArgumentUse]) -> dict[str, list[ArgumentUse]]:
    """Split an argument map by the pack's polarity (``for``, ``against``, everything else under ``other``)."""
    split: dict[str, list[ArgumentUse]] = {"for": [], "against": [], "other": []}
    for u in uses:
        split[u.polarity if u.polarity in ("for", "against") else "other"].append(u)
    return split
