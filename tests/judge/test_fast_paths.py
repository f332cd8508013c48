"""Shortcuts of the judge's hot paths give what the long way gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stanceline.judge.embeddings import _basic_tokens, basic_tokens

# Letters, accents, punctuation, CJK, Persian with a zero-width non-joiner, controls, every kind of space.
ALPHABET = "aZé́.,’“”-?中文سلام\u200c\x00\x07\x0b\x0c\x1c\x85\t\n\r \u00a0\u2028\ufffd"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_word_by_word_tokenisation_is_whole_text_tokenisation(text: str) -> None:
    assert basic_tokens(text) == _basic_tokens(text)
    assert basic_tokens(text) == _basic_tokens(text)  # again, from the memo
