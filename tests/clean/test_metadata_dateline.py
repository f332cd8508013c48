"""A wire dateline without its year is dated only when the weekday and the years the text mentions agree."""

from __future__ import annotations

import pytest

from stanceline.clean.metadata import dateline_date, extract_metadata


@pytest.mark.parametrize(("text", "expected"), [
    # the lead names the dateline's own weekday; the text mentions the year (or the next one)
    ("Swap done\n\nDOHA/DUBAI, Sept 18 (Gulf Wire) - Five Americans arrived in Qatar on Monday.\n\n"
     "Both sides had an interest in calm before the U.S. election in 2024.", "2023-09-18"),
    ("Deal in force\n\nTEHRAN, Jan. 20 (Tehran Herald) — The interim deal entered into force on Monday.\n\n"
     "The Leader spoke on 9 January 2014.", "2014-01-20"),
    # no year anywhere: no date
    ("Talks\n\nMUSCAT, April 12 (Gulf Wire) - Iran and the United States held talks on Saturday.", None),
    # the weekday is the day before the dateline (no year around it fits): no date
    ("Leader\n\nTEHRAN, Feb. 8 (National News Agency) – The Leader said on Friday that talks were futile.\n\n"
     "The anniversary of February 1979 and the deal of 2015 were recalled.", None),
    # no weekday in the lead: no date
    ("Talks\n\nVIENNA, Aug 15 (Danube Wire) - Iran sent its response, officials said.\n\nIn 2022 the talks resumed.", None),
    # a dateline with its year is not this rule's business
    ("Talks\n\nVIENNA, Aug 15, 2022 (Danube Wire) - Iran sent its response on Monday.", None),
])
def test_dateline_date(text: str, expected: str | None) -> None:
    found = dateline_date(text.split("\n"))
    assert (found.iso() if found else None) == expected


def test_full_dates_come_first() -> None:
    lines = "Talks\n\nVIENNA, Aug 15, 2022 (Danube Wire) - Iran sent its response on Monday.".split("\n")
    published = extract_metadata(lines).published
    assert published is not None and published.iso() == "2022-08-15"
