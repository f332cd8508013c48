"""Date expressions in English, Arabic and Persian text, with their spans.

Hand-written patterns rather than ``dateparser.search``: the search mode reads
ordinary words as dates ("we" → Wednesday, "may" → May) and Solar Hijri
numbers like ``1397/05/29`` as Gregorian. Here every pattern is anchored on a
month name, a full weekday name or a 4-digit year, and Hijri dates are converted.
``dateparser`` is still used for free-form header lines (see ``parse_date_line``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stanceline.records import DateSource, PartialDate

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_AR_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8,
    "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "ژانویه": 1, "فوریه": 2, "مارس ": 3, "آوریل": 4, "مه": 5, "ژوئن": 6, "ژوئیه": 7, "اوت": 8,
    "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11, "دسامبر": 12,
}
_FA_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6,
    "مهر": 7, "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

_EN_M = r"(?P<mon>" + "|".join(sorted(_EN_MONTHS, key=len, reverse=True)) + r")\.?"
_AR_M = r"(?P<amon>" + "|".join(sorted((m.strip() for m in _AR_MONTHS), key=len, reverse=True)) + r")"
_FA_M = r"(?P<fmon>" + "|".join(sorted(_FA_MONTHS, key=len, reverse=True)) + r")"
_D = r"[0-9٠-٩۰-۹]"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")),
    ("hijri_num", re.compile(rf"(?<!{_D})(?P<y>[1۱١][34۳۴٣٤]{_D}{{2}})[/\-.](?P<m>{_D}{{1,2}})[/\-.](?P<d>{_D}{{1,2}})(?!{_D})")),
    ("mdy", re.compile(rf"(?i)\b{_EN_M}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y>(?:19|20)\d\d)(?!\d)")),
    ("dmy", re.compile(rf"(?i)(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_M},?\s+(?P<y>(?:19|20)\d\d)(?!\d)")),
    ("ar_dmy", re.compile(rf"(?<!{_D})(?P<d>{_D}{{1,2}})\s+{_AR_M}[،,]?\s+(?P<y>(?:19|20|١٩|٢٠|۱۹|۲۰){_D}{{2}})(?!{_D})")),
    ("fa_dmy", re.compile(rf"(?<!{_D})(?P<d>{_D}{{1,2}})\s+{_FA_M}\s+(?:ماه\s+)?(?P<y>1[34]{_D}{{2}}|۱[۳۴]{_D}{{2}})(?!{_D})")),
    ("my", re.compile(rf"(?i)\b{_EN_M}\s+(?:of\s+)?(?P<y>(?:19|20)\d\d)(?!\d)")),
    ("md", re.compile(rf"(?i)\b(?:on|since|from|by|until|of)\s+{_EN_M}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d,]*\s*(?:19|20)\d\d)(?!\d)")),  # noqa: E501
    ("dm", re.compile(rf"(?i)\b(?:on|since|from|by|until)\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_M}(?![\s,]*(?:19|20)\d\d)\b")),  # noqa: E501
    ("weekday", re.compile(r"(?i)\b(?:on|last|this|since|early|late)\s+(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")),  # noqa: E501
    ("relative", re.compile(r"(?i)\b(?P<rel>yesterday|today|last week|last month|last year|earlier this week|earlier this month|this week)\b")),  # noqa: E501
    ("year", re.compile(r"(?i)\b(?:in|since|during)\s+(?:early\s+|late\s+|mid-?)?(?P<y>(?:19|20)\d\d)(?!\d|s\b|-)")),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: PartialDate
    source: DateSource  # "explicit" or "relative"
    pattern: str


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> dt.date:
    """Convert a Solar Hijri (Jalali) date to Gregorian (algorithm of Borkowski)."""
    jy += 1595
    days = -355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + jd
    days += (jm - 1) * 31 if jm < 7 else (jm - 7) * 30 + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    gd = days + 1
    leap = (gy % 4 == 0 and gy % 100 != 0) or gy % 400 == 0
    months = [0, 31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    gm = 1
    while gm <= 12 and gd > months[gm]:
        gd -= months[gm]
        gm += 1
    return dt.date(gy, gm, gd)


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def _infer_year(month: int, day: int | None, ref: PartialDate | None) -> int | None:
    """A day without a year belongs to the reference year, unless that puts it well after it."""
    if ref is None:
        return None
    year = ref.year
    if ref.month and (month, day or 1) > (ref.month, (ref.day or 28) + 3):
        year -= 1
    return year


def _ref_date(ref: PartialDate | None) -> dt.date | None:
    if ref is None or ref.month is None or ref.day is None:
        return None
    return dt.date(ref.year, ref.month, ref.day)


def _resolve(kind: str, m: re.Match[str], ref: PartialDate | None) -> tuple[PartialDate, DateSource] | None:
    g = {k: (v.translate(_DIGITS) if isinstance(v, str) else v) for k, v in m.groupdict().items()}
    if kind in ("iso", "mdy", "dmy", "ar_dmy"):
        month = int(g["m"]) if g.get("m") else (_EN_MONTHS[g["mon"].lower()] if g.get("mon") else _AR_MONTHS[m.group("amon")])
        y, d = int(g["y"]), int(g["d"])
        return (PartialDate(y, month, d), "explicit") if _valid(y, month, d) else None
    if kind in ("hijri_num", "fa_dmy"):
        jy, jd = int(g["y"]), int(g["d"])
        jm = int(g["m"]) if g.get("m") else _FA_MONTHS[m.group("fmon")]
        if not (1 <= jm <= 12 and 1 <= jd <= 31):
            return None
        try:
            greg = jalali_to_gregorian(jy, jm, jd)
        except ValueError:
            return None
        return PartialDate(greg.year, greg.month, greg.day), "explicit"
    if kind == "my":
        return PartialDate(int(g["y"]), _EN_MONTHS[g["mon"].lower()]), "explicit"
    if kind in ("md", "dm"):
        month, day = _EN_MONTHS[g["mon"].lower()], int(g["d"])
        year = _infer_year(month, day, ref)
        if year is None or not _valid(year, month, day):
            return None
        return PartialDate(year, month, day), "explicit"
    if kind == "year":
        return PartialDate(int(g["y"])), "explicit"
    base = _ref_date(ref)
    if base is None:
        return None
    if kind == "weekday":
        target = _WEEKDAYS[g["wd"].lower()]
        back = (base.weekday() - target) % 7
        if m.group(0).lower().startswith("last") and back == 0:
            back = 7
        when = base - dt.timedelta(days=back)
        return PartialDate(when.year, when.month, when.day), "relative"
    rel = g["rel"].lower()
    if rel == "yesterday":
        when = base - dt.timedelta(days=1)
        return PartialDate(when.year, when.month, when.day), "relative"
    if rel == "today":
        return PartialDate(base.year, base.month, base.day), "relative"
    if rel in ("last week", "earlier this week", "this week"):
        when = base - dt.timedelta(days=7 if rel == "last week" else 0)
        return PartialDate(when.year, when.month), "relative"
    if rel in ("last month", "earlier this month"):
        when = base.replace(day=1) - dt.timedelta(days=1) if rel == "last month" else base
        return PartialDate(when.year, when.month), "relative"
    if rel == "last year":
        return PartialDate(base.year - 1), "relative"
    return None


def find_dates(text: str, ref: PartialDate | None = None) -> list[DateMention]:
    """All date mentions in ``text``, non-overlapping, earlier patterns winning ties."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            resolved = _resolve(kind, m, ref)
            if resolved is None:
                continue
            taken.append((s, e))
            found.append(DateMention(s, e, resolved[0], resolved[1], kind))
    return sorted(found, key=lambda d: d.start)


_LABEL = re.compile(r"(?i)^\s*(?:last\s+)?(?:published|posted|updated|date|modified)(?:\s+on)?\s*[:\-–]?\s*")
_TIME_TAIL = re.compile(r"(?i)(?:\s*(?:at|-|–|,|\|)?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*[A-Z]{0,4}\s*)$")
_GREG_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_HIJRI_YEAR = re.compile(r"(?<!\d)1[34]\d\d(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?!\d)")
_DATEPARSER_SETTINGS = {"REQUIRE_PARTS": ["year", "month"], "PREFER_DAY_OF_MONTH": "first",
                        "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "past"}


def _dateparser_date(line: str) -> PartialDate | None:
    """Free-form header dates the patterns miss ("2018/08/29", "29.08.2018", "Aug 29 2018 5:30PM").

    Guards against dateparser's traps: no 4-digit Gregorian year → no guess (it reads "we" as
    Wednesday and weekday names as dates); a Solar Hijri year (13xx/14xx) → no guess (it reads
    ``1397/05/29`` as the Gregorian year 1397; the patterns convert those); day/month order that
    cannot be told (``03/04/2018``) → no guess.
    """
    text = _TIME_TAIL.sub("", _LABEL.sub("", line.strip())).strip(" ,|-–")
    digits = text.translate(_DIGITS)
    if not 4 <= len(text) <= 60 or not _GREG_YEAR.search(digits) or _HIJRI_YEAR.search(digits):
        return None
    numeric = _NUMERIC.search(digits)
    if numeric:
        a, b, c = (int(x) for x in numeric.groups())
        if len(numeric.group(1)) != 4 and a <= 12 and b <= 12 and a != b:
            return None
    import dateparser  # lazy: slow to import, rarely needed

    try:
        parsed = dateparser.parse(text, languages=["en", "ar", "fa"], settings=_DATEPARSER_SETTINGS)
    except Exception:  # noqa: BLE001 - an unparseable line is simply not a date
        return None
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    return PartialDate(parsed.year, parsed.month, parsed.day)


def parse_date_line(line: str) -> PartialDate | None:
    """A publication date from a header line ("Published: 2018-08-13", "29 أغسطس، 2018", "29.08.2018")."""
    mentions = [d for d in find_dates(line) if d.source == "explicit" and d.pattern != "year"]
    if mentions:
        return mentions[0].date
    return _dateparser_date(line)
