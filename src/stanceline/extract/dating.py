"""When was a statement made? The text's own date first, the publication date last."""

from __future__ import annotations

import datetime as dt
import re

from stanceline.clean.dates import DateMention
from stanceline.records import DateSource, PartialDate

_DAY_AFTER = re.compile(
    r"(?i)\b(?P<n>a|one|two|three|\d+)\s+days?\s+(?P<dir>after|before)\s+(?P<who>[A-Z][\w'’\-]+)(?:['’]s)?\s*"
    r"(?P<what>speech|comments|remarks|statement|address|sermon|interview|said|spoke)?"
)
_NUM = {"a": 1, "one": 1, "two": 2, "three": 3}


def _shift(date: PartialDate, days: int) -> PartialDate:
    if date.day is None or date.month is None:
        return date
    moved = dt.date(date.year, date.month, date.day) + dt.timedelta(days=days)
    return PartialDate(moved.year, moved.month, moved.day)


def date_for(
    text: str,
    cue_pos: int,
    sentence: tuple[int, int],
    quote: tuple[int, int] | None,
    mentions: list[DateMention],
    speaker_name: str,
    anchors: dict[str, PartialDate],
    published: PartialDate | None,
) -> tuple[PartialDate | None, DateSource]:
    """Date of one statement.

    ``anchors`` maps a speaker's surname to the date of their latest dated
    statement, so "a day after Khamenei's speech" resolves.
    """
    s_start, s_end = sentence
    in_sentence = [
        m for m in mentions
        if s_start <= m.start < s_end and not (quote and quote[0] <= m.start < quote[1]) and m.pattern != "year"
    ]
    if in_sentence:
        best = min(in_sentence, key=lambda m: abs(m.start - cue_pos))
        return best.date, best.source
    for m in _DAY_AFTER.finditer(text, s_start, s_end):
        who = m.group("who").lower()
        if who in speaker_name.lower():
            continue  # "a day after Khamenei said …" dates what followed, not Khamenei's words
        anchor = anchors.get(who)
        if anchor is not None:
            count = m.group("n")
            n = int(count) if count.isdigit() else _NUM.get(count.lower(), 1)
            return _shift(anchor, n if m.group("dir").lower() == "after" else -n), "relative"
    if published is not None:
        return published, "publication"
    return None, "none"
