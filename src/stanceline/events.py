"""One record per speaker, per speech event, per target.

An article quotes a letter in three pieces, or introduces a person in one
paragraph and quotes them in the next; an analysis repeats the headline quote
at the end. Those are one speech event. Statements are grouped when they share
speaker and target, their dates do not conflict, and they are either adjacent
(nobody else speaks in between, within a couple of paragraphs) or say the same
thing (content words overlap). The group keeps its most explicit member as the
evidence and the best date any member gives.
"""

from __future__ import annotations

import re
from dataclasses import replace

from stanceline.records import Statement

ADJACENT_CHARS = 1500
_STOP = frozenset("""
the a an and or of to in on for with that this is are was were be been it its as at by from not no we they he she you
our their his her will would can could should must there here have has had do does did but if so than then which who
""".split())
_KIND_RANK = {"direct": 4, "list": 4, "mixed": 3, "indirect": 2, "author": 1}


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2}


def _target(s: Statement) -> str | None:
    return s.judgement.target if s.judgement else None


def _contextual(s: Statement) -> bool:
    """Target taken from the document's topic rather than named in the statement."""
    return bool(s.judgement and "target:context" in s.judgement.cues)


def _explicit(s: Statement) -> bool:
    return s.date is not None and s.date_source in ("explicit", "relative")


def _dates_agree(a: Statement, b: Statement) -> bool:
    if _explicit(a) and _explicit(b):
        return a.date == b.date
    return True


def _similar(a: Statement, b: Statement) -> bool:
    wa, wb = _words(a.text), _words(b.text)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.5


CONTINUATION_CUES = frozenset({"add", "continue", "continues", "conclude", "go", "end", "reiterate", "repeat"})


def _conflict(a: Statement, b: Statement) -> bool:
    sa = a.judgement.stance if a.judgement else None
    sb = b.judgement.stance if b.judgement else None
    return bool(sa and sb and sa != sb and "neutral" not in (sa, sb))


def _continues(last: Statement, st: Statement) -> bool:
    """Is ``st`` the same speech event as the statement just before it?

    - an introduction followed by the quotation it leads to ("X defined talks as … “…”");
    - a quotation carried on ("X added, “…”", "he continued", a quotation that opens the next
      paragraph, or one closed by the outlet that carried it) — unless the two take different
      positions, which annotators record as two statements;
    Two full reports ("was quoted by NBC as saying …", "told reporters that …") stay apart.
    """
    if st.kind == "direct" and last.kind in ("indirect", "mixed"):
        return True
    carried_on = st.cue in CONTINUATION_CUES or (st.kind == "direct" and last.kind == "direct" and st.carrier is not None)
    return carried_on and not _conflict(last, st)


def _rank(s: Statement) -> tuple[int, int, float, int]:
    on_target = 1 if _target(s) else 0
    conf = s.judgement.confidence if s.judgement else 0.0
    return (on_target, _KIND_RANK.get(s.kind, 0), conf, -(s.end - s.start))


def group_speech_events(statements: list[Statement], text: str) -> list[Statement]:
    """Merge statements of one speech event; keep document order.

    Only statements judged on a target are grouped ("per target"): every other attribution stays
    a record of its own, as attribution corpora count them.
    """
    judged = [s for s in statements if s.judgement is None or _target(s)]
    others = [s for s in statements if not (s.judgement is None or _target(s))]
    return sorted([*_group(judged, text), *others], key=lambda s: s.start)


def _group(statements: list[Statement], text: str) -> list[Statement]:
    ordered = sorted(statements, key=lambda s: s.start)
    groups: list[list[Statement]] = []
    for st in ordered:
        placed = False
        for group in reversed(groups):
            last = group[-1]
            if last.speaker.name.casefold() != st.speaker.name.casefold():
                continue
            if st.kind == "list" or last.kind == "list" or st.kind == "author" or last.kind == "author":
                continue
            tgt_a, tgt_b = _target(last), _target(st)
            intro_then_quote = st.kind == "direct" and last.kind in ("indirect", "mixed")
            if tgt_a and tgt_b and tgt_a != tgt_b and not (_contextual(last) or _contextual(st) or intro_then_quote):
                continue  # an introduction and the quotation it leads to are one event, whatever each names
            if not all(_dates_agree(member, st) for member in group):
                continue
            between = [o for o in ordered if last.end <= o.start < st.start and o.speaker.name != st.speaker.name and _target(o)]
            adjacent = (not between and st.start - group[0].end <= ADJACENT_CHARS
                        and text.count("\n", group[0].end, st.start) <= 4)
            if any(_similar(member, st) for member in group) or (adjacent and _continues(last, st)):
                group.append(st)
                placed = True
            break  # only the speaker's most recent group may absorb the statement
        if not placed:
            groups.append([st])
    merged = []
    for group in groups:
        best = max(group, key=_rank)
        if not _explicit(best):
            dated = next((m for m in group if _explicit(m)), None)
            if dated is not None:
                best = replace(best, date=dated.date, date_source=dated.date_source)
        if best.carrier is None:
            carrier = next((m.carrier for m in group if m.carrier), None)
            if carrier:
                best = replace(best, carrier=carrier)
        if best.speaker.role is None:
            role = next((m.speaker.role for m in group if m.speaker.role), None)
            if role:
                best = replace(best, speaker=replace(best.speaker, role=role))
        merged.append(best)
    return sorted(merged, key=lambda s: s.start)
