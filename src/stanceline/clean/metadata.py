"""Title, author, outlet and publication date of a plain-text article.

Runs over all lines, removed boilerplate included: a comment policy or a
disclaimer often names the outlet ("… the official position of The Daily
Caller"), a "Latest posts by …" box names the author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stanceline.clean.dates import find_dates, parse_date_line
from stanceline.records import PartialDate

_NAME = r"[A-Z][\w'’.\-]+(?:\s+(?:[A-Z][\w'’.\-]+|al-|bin|de|van|von)){1,4}"
_AUTHOR_PATTERNS = [
    re.compile(rf"^\s*(?:By|BY|Written by|Author:)\s+(?P<n>{_NAME})"),
    re.compile(rf"(?i:latest posts by)\s+(?P<n>{_NAME})"),
    re.compile(rf"^\s*(?P<n>{_NAME}),?\s+is\s+(?:a|an|the)\s+[^.]{{0,120}}?\b(?:journalist|researcher|analyst|writer|professor|fellow|editor|columnist|author|correspondent|director|scholar|expert)\b"),
]
_OUTLET_PATTERNS = [
    re.compile(r"official (?:position|views?|policy) of (?P<o>(?:The )?[A-Z][\w&’' .\-]{2,40}?)\s*\.?$"),
    re.compile(r"provided by .*?\((?P<o>[A-Z][A-Za-z]{1,10})\)"),
    re.compile(r"^\s*(?:Analysis|Report|Commentary) by (?P<o>[A-Z][\w/&.\- ]{1,40})\s*$"),
    re.compile(r"(?i:donate to|support)\s+(?P<o>[A-Z][A-Z &.\-]{2,40})\s*$"),
    re.compile(r"\|\s*(?P<o>[A-Z][\w&’' .\-]{2,40}?)\s*\|"),
]
_PUBLISHED_HINT = re.compile(r"(?i)(published|posted|updated|date)\s*[:\-]?")


@dataclass(frozen=True)
class TextMetadata:
    title: str | None
    author: str | None
    outlet: str | None
    published: PartialDate | None


def find_title(lines: list[str]) -> str | None:
    """The first short line that reads like a headline."""
    for line in lines[:12]:
        text = line.strip()
        if 8 <= len(text) <= 200 and not text.endswith((".", ",", ";")) and any(c.isalpha() for c in text):
            return text
    return None


def find_published(lines: list[str]) -> PartialDate | None:
    """A full date near the top (or in a 'Published:' line anywhere); else None."""
    head = [ln for ln in lines[:20] if ln.strip()]
    hinted = [ln for ln in lines if _PUBLISHED_HINT.match(ln.strip())]
    for line in hinted + head:
        for mention in find_dates(line[:200]):
            if mention.pattern in ("iso", "mdy", "dmy", "ar_dmy", "fa_dmy", "hijri_num") and mention.start < 120:
                return mention.date
    # Numeric and free-form header dates ("29.08.2018", "Aug 29 2018 5:30PM") on short lines only.
    for line in hinted + head[:8]:
        if len(line.strip()) <= 60:
            found = parse_date_line(line)
            if found is not None:
                return found
        numeric = _NUMERIC_DATE.search(line[:120])
        if numeric is not None:
            found = _numeric(numeric)
            if found is not None:
                return found
    return None


_NUMERIC_DATE = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)\d\d)(?![\d/.])")


def _numeric(m: re.Match[str]) -> PartialDate | None:
    """'Published 16/08/2022 09:12': day first unless that cannot be (08/16/2022)."""
    import datetime as dt

    a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    day, month = (a, b) if a > 12 or b <= 12 else (b, a)
    try:
        dt.date(y, month, day)
    except ValueError:
        return None
    return PartialDate(y, month, day)


def find_author(lines: list[str]) -> str | None:
    candidates = lines[:15] + lines[-25:]
    for pattern in _AUTHOR_PATTERNS:
        for line in candidates:
            m = pattern.search(line)
            if m:
                return m.group("n").strip(" .")
    return None


def find_outlet(lines: list[str]) -> str | None:
    candidates = lines[:15] + lines[-25:]
    for pattern in _OUTLET_PATTERNS:
        for line in candidates:
            m = pattern.search(line.strip())
            if m:
                name = m.group("o").strip(" .")
                return name.title() if name.isupper() and " " in name else name
    return None


def extract_metadata(lines: list[str]) -> TextMetadata:
    published = find_published(lines) or dateline_date(lines)
    return TextMetadata(find_title(lines), find_author(lines), find_outlet(lines), published)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "MUSCAT, April 12 (Gulf Wire) -", "DOHA/DUBAI, Sept 18 (Gulf Wire) -": a wire dateline without its year.
_YEARLESS_DATELINE = re.compile(
    r"^[A-Z][A-Z'’.\-]{2,}(?:[ /][A-Z][A-Z'’.\-]+)*,\s+(?P<mon>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})"
    r"(?!\d|,?\s*(?:19|20)\d\d)\s*(?:\([^()\n]{2,60}\))?\s*[-–—]")
_SAME_DAY = re.compile(r"(?i)\b(?:on|this|late|early)\s+(?P<wd>" + "|".join(_WEEKDAYS) + r")\b")
_YEAR_MENTION = re.compile(r"\b(?:19|20)\d\d\b")


def dateline_date(lines: list[str]) -> PartialDate | None:
    """The date of a wire dateline that leaves out the year ("MUSCAT, April 12 (Gulf Wire) - … on Saturday").

    The year is inferred only when two pieces of evidence agree: the lead paragraph names the weekday of
    the dateline's own day, and the latest year the text mentions is within a year of the story's (a
    story looks back to last year or ahead to the next). When exactly one year so placed puts that day
    on that weekday, that is the year; otherwise there is no date.
    """
    from stanceline.clean.dates import _EN_MONTHS

    head = [ln.strip() for ln in lines[:12] if ln.strip()]
    for line in head:
        m = _YEARLESS_DATELINE.match(line)
        if m is None:
            continue
        month = _EN_MONTHS.get(m.group("mon").lower().rstrip("."))
        day = int(m.group("day"))
        lead = line[m.end():]
        weekday = _SAME_DAY.search(lead)
        years = [int(y) for y in _YEAR_MENTION.findall("\n".join(lines))]
        if month is None or weekday is None or not years:
            return None
        latest = max(years)
        wanted = _WEEKDAYS.index(weekday.group("wd").lower())
        fits = [y for y in range(latest - 1, latest + 2) if _weekday(y, month, day) == wanted]
        return PartialDate(fits[0], month, day) if len(fits) == 1 else None
    return None


def _weekday(year: int, month: int, day: int) -> int | None:
    import datetime as dt

    try:
        return dt.date(year, month, day).weekday()
    except ValueError:
        return None
