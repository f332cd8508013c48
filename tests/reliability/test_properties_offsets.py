"""Property tests over the offset maps: each character of a cleaned text points back into its source."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings

from stanceline.clean.decode import normalize_text
from tests.reliability.test_properties_clean import GLUED_YEAR_RISK, TEXT

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

offsets = pytest.importorskip("stanceline.clean.offsets", reason="offset maps not built yet")


@PROPS
@given(TEXT)
def test_normalize_with_map_agrees_with_normalize_text_and_maps_back(text: str) -> None:
    assume(not GLUED_YEAR_RISK.search(text))  # see the xfail test below
    out, mapping = offsets.normalize_with_map(text)
    assert out == normalize_text(text)
    assert len(mapping.sources) == len(out)
    assert list(mapping.sources) == sorted(mapping.sources)
    assert all(0 <= s < len(text) for s in mapping.sources)
    for start in range(0, len(out), max(1, len(out) // 10)):
        s, e = mapping.to_source(start, min(len(out), start + 5))
        assert 0 <= s <= e <= len(text)


@PROPS
@given(TEXT)
def test_fold_with_map_maps_each_character_back(text: str) -> None:
    out, mapping = offsets.fold_with_map(text)
    assert len(mapping.sources) == len(out)
    for i, ch in enumerate(out):
        src = text[mapping.sources[i]]
        assert ch == src or ch in offsets.FOLD.get(src, "")


def test_normalize_with_map_agrees_with_normalize_text_on_a_glued_year() -> None:
    text = "May 19, 2019In Vienna, Araghchi said talks would go on."
    assert offsets.normalize_with_map(text)[0] == normalize_text(text)
