"""Property tests over the quote finder, the date resolver and the whole per-document function."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stanceline.clean.dates import find_dates
from stanceline.extract.quotes import CLOSE_DOUBLE, OPEN_DOUBLE, STRAIGHT, find_quotes
from stanceline.records import PartialDate, RawInput, content_hash
from tests.reliability.synthetic import article
from tests.reliability.test_properties_clean import ARTICLEISH, TEXT

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A real article with a little arbitrary text inserted somewhere: mostly reaches the extractor.
LIGHT = st.builds(lambda i, pos, junk: article(i)[:pos] + junk + article(i)[pos:], st.integers(0, 50),
                  st.integers(0, 200), st.text(max_size=40))
QUOTE_MARKS = OPEN_DOUBLE + CLOSE_DOUBLE + STRAIGHT + "‘’'"
REFS = st.one_of(st.none(), st.builds(PartialDate, st.integers(1, 9999), st.none() | st.integers(1, 12),
                                      st.none()), st.dates(min_value=dt.date(1, 1, 1)).map(
    lambda d: PartialDate(d.year, d.month, d.day)))
DATEY = st.lists(st.sampled_from(["on Monday", "last week", "yesterday", "May 14, 2019", "14 May 2019", "in 2015",
                                  "2019-05-14", "1397/05/29", "۱۳۹۷/۰۵/۲۹", "29 مرداد 1397", "29 أغسطس، 2018", "since June 3",
                                  "on the 31st of February", "Feb 30, 2020", "0000-00-00", "9999-99-99", " ", "\n",
                                  "of", "May", "31", "Sept.", "12th"]), max_size=60).map(" ".join)


@PROPS
@given(TEXT)
def test_find_quotes_spans_lie_inside_the_text_and_start_at_a_mark(text: str) -> None:
    quotes = find_quotes(text)
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)
    for q in quotes:
        assert 0 <= q.open_mark < q.start <= q.end <= len(text)
        assert text[q.open_mark] in QUOTE_MARKS
        if q.close_mark is not None:
            assert q.end <= q.close_mark < len(text)
            assert text[q.close_mark] in QUOTE_MARKS
        assert q.outer_start <= q.start and q.end <= q.outer_end <= len(text)
        assert q.words == len(text[q.start : q.end].split()) or q.words >= 0  # joined quotes add their parts


@PROPS
@given(st.one_of(TEXT, DATEY), REFS)
def test_find_dates_spans_are_inside_ordered_disjoint_and_reparse(text: str, ref: PartialDate | None) -> None:
    mentions = find_dates(text, ref)
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.start >= previous_end
        previous_end = m.end
        if m.source == "explicit" and m.pattern not in ("year", "my", "md", "dm"):
            assert 1900 <= m.date.year <= 2100
        if m.date.month is not None:
            assert 1 <= m.date.month <= 12
        if m.date.day is not None:
            assert 1 <= m.date.day <= 31
        # the span alone says the same date: the offsets point at the words that carry it
        again = [d for d in find_dates(text[m.start : m.end], ref) if d.start == 0]
        assert again and again[0].date == m.date, (text[m.start : m.end], m)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(LIGHT, ARTICLEISH, TEXT), st.sampled_from(["text/plain", "text/html", None]))
def test_process_document_never_raises_and_spans_map_back(resources, text: str, ctype: str | None) -> None:  # type: ignore[no-untyped-def]
    from stanceline.pipeline import process_document

    raw = RawInput("case.txt" if ctype == "text/plain" else "case", text.encode("utf-8", "surrogatepass"), ctype)
    result = process_document(raw, resources)
    event("quarantined" if result.quarantine else f"processed, {'with' if result.statements else 'no'} statements")
    if result.quarantine is not None:
        assert result.quarantine.reason and result.quarantine.source == raw.source
        assert result.document is None and not result.statements
        return
    doc = result.document
    assert doc is not None and doc.id == content_hash(doc.text)
    n = len(doc.text)
    for s in result.statements:
        assert s.document_id == doc.id
        assert 0 <= s.start < s.end <= n
        assert s.text == doc.text[s.start : s.end] or s.text.strip() == doc.text[s.start : s.end].strip()
        if s.speaker.start is not None and s.speaker.end is not None:
            assert 0 <= s.speaker.start <= s.speaker.end <= n
        if s.sentence_start is not None and s.sentence_end is not None:
            assert 0 <= s.sentence_start <= s.sentence_end <= n
