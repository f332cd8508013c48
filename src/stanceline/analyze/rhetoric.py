"""Rhetoric vs action: statements that contradict a dated event the pack records about the same actor.

Only events listed in the pack's ``events.yaml`` with named actors are used, so nothing is inferred
about what happened; the result is a list of candidates for a reader to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stanceline.actors.pack import Event

Row = Mapping[str, Any]
# What an event kind says about engagement: talks and agreements are engagement, a withdrawal or an
# attack is its opposite. Kinds not listed here are never used for a flag.
EVENT_STANCE = {"talks": "support", "agreement": "support", "meeting": "support", "exchange": "support",
                "withdrawal": "oppose", "attack": "oppose", "sanctions": "oppose", "walkout": "oppose"}
OPPOSITE = {"support": "oppose", "oppose": "support"}


@dataclass(frozen=True)
class RhetoricAction:
    event_id: str
    event_date: str
    event_description: str
    actor_id: str
    statement_id: str
    statement_date: str
    said: str  # stance of the statement
    did: str  # stance the event implies
    days_before_event: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def rhetoric_vs_action(rows: Iterable[Row], events: Sequence[Event], window_days: int = 90) -> list[RhetoricAction]:
    """Statements by an event's actors, within ``window_days`` before it, whose stance is the opposite of the event."""
    out: list[RhetoricAction] = []
    dated = [e for e in events if e.date is not None and e.actors and e.kind in EVENT_STANCE]
    if not dated:
        return out
    materialised = list(rows)
    for ev in dated:
        assert ev.date is not None
        ev_day = dt.date.fromisoformat(ev.date.sort_key())
        did = EVENT_STANCE[ev.kind]
        for r in materialised:
            if r.get("actor_id") not in ev.actors or r.get("stance") != OPPOSITE.get(did) or not r.get("date_sort"):
                continue
            try:
                gap = (ev_day - dt.date.fromisoformat(str(r["date_sort"])[:10])).days
            except ValueError:
                continue
            if 0 <= gap <= window_days:
                out.append(RhetoricAction(ev.id, ev.date.iso(), ev.description, str(r["actor_id"]), str(r["id"]),
                                          str(r["date_sort"]), str(r["stance"]), did, gap))
    out.sort(key=lambda x: (x.event_date, x.days_before_event), reverse=True)
    return out
