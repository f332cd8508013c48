"""Publication dates in English, Arabic and Persian (Solar Hijri), and dateparser's traps guarded."""

from __future__ import annotations

import pytest

from stanceline.clean.dates import find_dates, jalali_to_gregorian, parse_date_line
from stanceline.records import PartialDate


@pytest.mark.parametrize("line, expected", [
    ("29 أغسطس، 2018", "2018-08-29"),
    ("٢٩ أغسطس ٢٠١٨", "2018-08-29"),
    ("۱۳۹۷/۰۵/۲۹", "2018-08-20"),
    ("1397/05/29", "2018-08-20"),
    ("۲۹ مرداد ۱۳۹۷", "2018-08-20"),
    ("Published: 2018-08-13", "2018-08-13"),
    ("May 14, 2019", "2019-05-14"),
    ("2018/08/29", "2018-08-29"),
    ("29.08.2018", "2018-08-29"),
    ("Aug 29 2018 5:30PM", "2018-08-29"),
    ("Posted on 29/08/2018 at 10:00", "2018-08-29"),
    ("Updated: 10:32 AM EDT, Tue August 28, 2018", "2018-08-28"),
])
def test_dates_parse_date_line(line: str, expected: str) -> None:
    assert str(parse_date_line(line)) == expected


@pytest.mark.parametrize("line", ["we met on Wednesday", "we", "may be", "03/04/2018", "Chapter 1397", "Font Size:"])
def test_dates_parse_date_line_refuses_traps(line: str) -> None:
    assert parse_date_line(line) is None


def test_dates_jalali_conversion() -> None:
    assert str(jalali_to_gregorian(1397, 5, 29)) == "2018-08-20"
    assert str(jalali_to_gregorian(1403, 1, 1)) == "2024-03-20"


def test_dates_find_dates_spans_point_into_text() -> None:
    text = "Khamenei said on May 14 that talks were poison; in 1397/05/29 terms it was later."
    found = find_dates(text, PartialDate(2019, 5, 19))
    assert [(text[d.start:d.end], str(d.date)) for d in found] == [("on May 14", "2019-05-14"), ("1397/05/29", "2018-08-20")]
