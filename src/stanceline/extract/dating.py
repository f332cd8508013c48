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
    # The same paragraph told when a moment ago ("… received the cabinet on Tuesday. He told them …").
    para_start = text.rfind("\n", 0, s_start) + 1
    earlier = [m for m in mentions if para_start <= m.start < s_start and m.pattern != "year"
               and not (quote and quote[0] <= m.start < quote[1])]
    if earlier:
        return earlier[-1].date, earlier[-1].source
    for m in _DAY_AFTER.finditer(text, s_start, s_end):
        who = m.group("who").lower()
        if who in speaker_name.lower():
            continue  # "a day after Khamenei said …" dates what followed, not Khamenei's words
        anchor = anchors.get(who)
        if anchor is not None:
            count = m.group("n")
            n = int(count) if count.isdigit() else _NUM.get(count.lower(), 1)
            return _shift(anchor, n if m.group("dir").lower() == "after" else -n), "relative"
    heading = _heading_date(text, para_start, published)
    if heading is not None:
        return heading, "relative"
    if published is not None:
        return published, "publication"
    return None, "none"


_WEEKDAY_HEAD = re.compile(r"(?i)^\s*(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _heading_date(text: str, para_start: int, published: PartialDate | None) -> PartialDate | None:
    """A live blog's or digest's section heading ("Tuesday: the Leader meets the cabinet") dates
    the paragraphs under it."""
    from stanceline.clean.dates import find_dates

    pos = para_start
    for _ in range(8):
        if pos <= 0:
            return None
        line_start = text.rfind("\n", 0, pos - 1) + 1
        line = text[line_start : pos - 1].strip()
        pos = line_start
        if not line or len(line.split()) > 10 or line.endswith((".", "”", '"')):
            continue
        m = _WEEKDAY_HEAD.match(line)
        if m and published is not None and published.day is not None and published.month is not None:
            base = dt.date(published.year, published.month, published.day)
            back = (base.weekday() - _WEEKDAYS.index(m.group("wd").lower())) % 7
            day = base - dt.timedelta(days=back)
            return PartialDate(day.year, day.month, day.day)
        found = [d for d in find_dates(line, published) if d.pattern in ("iso", "mdy", "dmy", "md", "dm")]
        if found:
            return found[0].date
        return None  # the nearest heading has no date: do not look past it
    return None
