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


# The four error classes seen on real news, in sentences written for these tests (none is in the
# training data). Each names the class; the label is what a reader takes the speaker to say.
@pytest.mark.parametrize(("stance", "text"), [
    # taking part in or welcoming talks without a stance verb
    ("support", "The foreign ministry said the window for diplomacy with Washington stays open "
                "and its envoys will be in Oman next week."),
    ("support", "The spokesman said the new round gives a genuine opportunity to put the nuclear agreement back on track."),
    ("support", "The president warned hardliners against labelling the diplomats who talk to Washington as traitors."),
    # double negation
    ("support", "We have nothing against sitting down with the Americans again."),
    ("support", "The minister said Tehran was not opposed to a new round of talks with Washington."),
    ("support", "Talking to the United States is not a taboo for this government, the spokesman said."),
    # conditions: stated (inverted) or only seemingly stated (a verdict in both branches)
    ("conditional", "Were Washington to lift the oil sanctions first, a meeting with the Americans would not be excluded."),
    ("conditional", "Should the Americans offer binding guarantees, Tehran could return to the negotiating table."),
    ("oppose", "If talking to Washington is not surrender, it is naivety, the cleric said."),
    # others' stances reported inside the speaker's words
    ("oppose", "The general said the American talk of wanting diplomacy is a deception meant to disarm Iran."),
    ("oppose", "Their so-called readiness for dialogue is a trap, the MP said of the US offer."),
])
def test_error_classes_of_real_news(judged, stance: str, text: str) -> None:  # type: ignore[no-untyped-def]
    assert judged(text)["stance"] == stance


def test_the_model_decides_where_a_deferred_scope_fires(judged) -> None:  # type: ignore[no-untyped-def]
    # the rules read "not opposed" as a cue; double negation is a scope the model reads better
    from stanceline.judge.v2 import load_model

    if "double-negation" not in load_model().meta.get("cascade_defer", ()):
        pytest.skip("the committed model does not defer on double negation")
    out = judged("The minister said Tehran was not opposed to a new round of talks with Washington.")
    assert "decided-by:judge.v2" in out["explanation"]
