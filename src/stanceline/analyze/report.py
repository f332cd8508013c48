"""A briefing like the hand-made tables: who said what, grouped by stance and faction, with dates and sources."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]
ORDER = ("oppose", "conditional", "support", "neutral")


@dataclass(frozen=True)
class Briefing:
    title: str
    total: int
    # stance → faction label → rows, in ORDER and faction name order
    groups: dict[str, dict[str, list[Row]]] = field(default_factory=dict)


def build_briefing(rows: Iterable[Row], factions_of: Callable[[Row], list[str]], faction_labels: Mapping[str, str],
                   target: str | None = None, since: str | None = None) -> Briefing:
    """Group judged statements (about ``target``, from ``since``) by stance, then by the speaker's faction."""
    groups: dict[str, dict[str, list[Row]]] = {s: defaultdict(list) for s in ORDER}
    total = 0
    for r in rows:
        if not r.get("target") or r.get("stance") not in groups:
            continue
        if target and r["target"] != target:
            continue
        if since and (r.get("date_sort") or "") < since:
            continue
        names = [faction_labels.get(f, f) for f in factions_of(r)] or ["Unaffiliated"]
        groups[str(r["stance"])][names[0]].append(r)
        total += 1
    ordered = {s: {f: groups[s][f] for f in sorted(groups[s])} for s in ORDER if groups[s]}
    scope = f" on {target}" if target else ""
    period = f" since {since}" if since else ""
    return Briefing(f"Who stands where{scope}{period}", total, ordered)


# Markdown punctuation that could make article text a link, an image, emphasis, code or a new table cell.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]|"})


def _cell(value: Any) -> str:
    """Untrusted text as inert Markdown on one line: HTML escaped (``<script>`` shows as text in any renderer),
    Markdown punctuation backslash-escaped."""
    return " ".join(html.escape(str(value or ""), quote=False).translate(_MARKDOWN).split())


def briefing_markdown(b: Briefing) -> str:
    """The briefing as Markdown tables (one per stance)."""
    lines = [f"# {_cell(b.title)}", "", f"{b.total} statement(s).", ""]
    for stance, by_faction in b.groups.items():
        lines += [f"## {stance.capitalize()}", "", "| faction | date | speaker | statement | target | source |",
                  "|---|---|---|---|---|---|"]
        for faction, rows in by_faction.items():
            for r in rows:
                text = " ".join(str(r.get("text") or "").split())
                text = _cell(text if len(text) <= 200 else text[:197] + "…")  # cut before escaping, not inside an escape
                source = _cell(r.get("outlet") or r.get("source"))
                lines.append(f"| {_cell(faction)} | {_cell(r.get('date'))} | {_cell(r.get('speaker'))} | {text} | "
                             f"{_cell(r.get('target'))} | {source} |")
        lines.append("")
    return "\n".join(lines)
