"""cascade.v1: the rules decide where their cues fire, the trained model where they see no stance."""

from __future__ import annotations

import pytest

from stanceline.config import load_settings
from stanceline.services.judging import judge_items

pytestmark = pytest.mark.slow
TARGET = "negotiation with US"


@pytest.fixture(scope="module")
def judged():  # type: ignore[no-untyped-def]
    settings = load_settings(db="sqlite:///unused.db")

    def run(text: str, judge: str = "cascade.v1") -> dict:  # type: ignore[type-arg]
        [out] = judge_items([{"text": text, "target": TARGET}], settings, judge)
        return out

    return run


@pytest.mark.parametrize("text", [
    # taking part in talks, no stance verb: the rules read neutral
    "Our delegation leaves for Muscat tomorrow with our best experts to continue the exchanges with the Americans.",
    # double negation
    "We have no objection to returning to the table with Washington.",
])
def test_the_model_decides_what_the_rules_call_neutral(judged, text: str) -> None:  # type: ignore[no-untyped-def]
    assert judged(text, "lexicon.v1")["stance"] == "neutral"
    out = judged(text)
    assert out["stance"] == "support" and out["judged_by"] == "cascade.v1"
    assert "decided-by:judge.v2" in out["explanation"]


def test_the_rules_decide_where_their_cues_fire_and_the_model_gives_the_confidence(judged) -> None:  # type: ignore[no-untyped-def]
    text = "Negotiation with America is poison and we will not go down that road."
    rule, out = judged(text, "lexicon.v1"), judged(text)
    assert rule["stance"] == out["stance"] == "oppose"
    assert "decided-by:lexicon.v1" in out["explanation"]
    assert 0.0 <= out["confidence"] <= 1.0 and out["confidence"] != rule["confidence"]
