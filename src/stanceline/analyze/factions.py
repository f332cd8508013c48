"""Which faction a statement speaks for, on the statement's own date, from the domain pack."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stanceline.actors.pack import Pack
from stanceline.records import PartialDate

Row = Mapping[str, Any]


def faction_resolver(pack: Pack) -> Callable[[Row], list[str]]:
    """A function row → factions of its speaker on the statement date.

    A person's membership is dated (a minister moves camps); an outlet speaking in its own name
    stands for its affiliation's factions. Unknown or provisional speakers belong to no faction.
    """
    def factions_of(row: Row) -> list[str]:
        actor = pack.actors.get(str(row.get("actor_id") or ""))
        if actor is None:
            return []
        return list(dict.fromkeys(actor.factions_on(PartialDate.parse(row.get("date_sort") or row.get("date")))))

    return factions_of


def actors_in_faction(pack: Pack, faction: str) -> list[str]:
    """Ids of the actors who were ever members of ``faction`` (date checks happen per row)."""
    return sorted(a.id for a in pack.actors.values() if any(m.faction == faction for m in a.factions))
