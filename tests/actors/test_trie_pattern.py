"""The alias regex written as a trie finds exactly what the flat alternation (longest first) finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from stanceline.actors.linker import trie_pattern

LETTERS = "AaBb .-'’ا"
words = st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=6), min_size=1, max_size=12)


def _flat(aliases: list[str]) -> re.Pattern[str]:
    body = "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


@settings(max_examples=300, deadline=None)
@given(words, st.text(alphabet=LETTERS + "x,", max_size=60))
def test_same_matches_as_the_flat_alternation(aliases: list[str], text: str) -> None:
    trie = re.compile(rf"(?<![\w])(?:{trie_pattern(aliases)})(?![\w])")
    flat = _flat(aliases)
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_the_longest_alias_wins_and_words_stay_whole() -> None:
    pattern = re.compile(rf"(?<![\w])(?:{trie_pattern(['Ali', 'Ali Khamenei', 'Khamenei', 'Rouhani'])})(?![\w])")
    text = "Ali Khamenei met Alison; Ali Khameneis, Rouhani and Ali spoke."
    # "Ali" of "Ali Khameneis" is a whole word; "Alison" holds none
    assert [m.group(0) for m in pattern.finditer(text)] == ["Ali Khamenei", "Ali", "Rouhani", "Ali"]
