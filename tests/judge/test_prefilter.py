"""The substring test in front of the cue patterns never skips a pattern that would match."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from stanceline.judge import stance, v2
from stanceline.judge.prefilter import Guarded, literal_prefixes, lowered

GUARDED = [g for g, _ in stance._SUPPORT + stance._OPPOSE] + [
    v2._G_REPORT, v2._G_DISMISSIVE, v2._G_PARTICIPATION, v2._G_DOUBLE_NEG, v2._G_IF_NOT_VERDICT, v2._G_CONDITION,
    v2._G_RHETORICAL]
# Pieces of the patterns' own literal starts, mixed with other words, cases and punctuation.
PIECES = sorted({p for g in GUARDED if g.prefixes for p in g.prefixes})
words = st.one_of(st.sampled_from(PIECES), st.sampled_from(["Talks", "NOT", "the", "US", "deal", "?", ",", "’", "é", "ı"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=8), st.sampled_from([" ", "", "  "]), st.booleans())
def test_no_pattern_is_skipped_where_it_matches(parts: list[str], sep: str, upper: bool) -> None:
    text = sep.join(parts)
    text = text.upper() if upper else text
    lower = lowered(text)
    for g in GUARDED:
        if g.pattern.search(text):
            assert g.possible(lower), (g.pattern.pattern[:60], text)
        found, expected = g.search(text), g.pattern.search(text)
        assert (found and found.span()) == (expected and expected.span())


def test_prefixes_are_what_every_match_begins_with() -> None:
    assert literal_prefixes(re.compile(r"(?i)\bwilling\w*\b")) == ("willing",)
    assert literal_prefixes(re.compile(r"(?i)(?<!not )\b(?:talks|negotiat\w*)")) == ("negotiat", "talks")
    assert literal_prefixes(re.compile(r"(?i)\bin favou?r of\b")) == ("in favo",)
    assert literal_prefixes(re.compile(r"(?i)\b(?:a )?deal\b")) is None  # may begin either way: no test
    assert literal_prefixes(re.compile(r"\btalks\b")) is None  # case-sensitive patterns are left alone
    assert literal_prefixes(re.compile(r"(?i)\b[a-z]+ talks")) is None


def test_text_with_other_letters_runs_every_pattern() -> None:
    # Under case folding the Kelvin sign matches "k" and the long s "s": lower-casing would not find them.
    pattern = Guarded(re.compile(r"(?i)\bkey talks\b"))
    for text in ("the \u212aey talks", "the key talk\u017f", "İran: key talks"):
        assert lowered(text) is None
        assert (pattern.search(text) is not None) == (pattern.pattern.search(text) is not None)
    assert lowered("“Key talks” — resumed") == "“key talks” — resumed"  # quotes and dashes are not letters
    assert pattern.search("nothing here") is None and pattern.search("The KEY TALKS began") is not None
