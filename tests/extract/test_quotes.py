"""Quotation spans in scraped text, balanced or not."""

from __future__ import annotations

import pytest

from stanceline.extract.quotes import find_quotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said: “We will not negotiate,” adding more.', ["We will not negotiate,"]),
        ('"Talks are useless," the cleric said.', ["Talks are useless,"]),
        ("Iran’s leader called talks ‘a poisoned chalice’ on Sunday.", ["a poisoned chalice"]),
        ("The Americans' demands and 'Great Satan' rhetoric", ["Great Satan"]),
        ("«Nous ne négocierons pas», a-t-il dit.", ["Nous ne négocierons pas"]),
        ("„Wir verhandeln“ sagte er.", ["Wir verhandeln"]),
        ("Iran’s foreign ministry’s spokesman was clear.", []),
        ("No quotation at all here.", []),
    ],
)
def test_find_quotes_forms(text: str, expected: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quotes(text)] == expected


def test_find_quotes_unclosed_runs_to_paragraph_end() -> None:
    text = "The page was cut: “we will never accept this deal\nNext paragraph."
    quotes = find_quotes(text)
    assert len(quotes) == 1
    assert text[quotes[0].start : quotes[0].end] == "we will never accept this deal"
    assert quotes[0].close_mark is None


def test_find_quotes_joins_paragraphs_of_one_quote() -> None:
    text = "“The first paragraph of the speech\n“and the second one,” he said."
    quotes = find_quotes(text)
    assert len(quotes) == 1
    assert "second one" in text[quotes[0].start : quotes[0].end]


def test_find_quotes_second_opening_closes_a_cut_quote() -> None:
    text = "“cut short “a fresh quotation” follows."
    spans = [text[q.start : q.end] for q in find_quotes(text)]
    assert "a fresh quotation" in spans


def test_find_quotes_spans_stay_inside_text() -> None:
    text = '“a" "b “c ”d\n"e'
    for q in find_quotes(text):
        assert 0 <= q.start <= q.end <= len(text)
