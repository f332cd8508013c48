"""Stance rules: negation, modality, conditions, rhetorical questions (sentences written for these tests)."""

from __future__ import annotations

import pytest

from stanceline.judge.stance import score_stance


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # opposition, with negation and modality
        ("We will never allow our officials to negotiate with the Great Satan.", "oppose"),
        ("There isn't going to be any war and negotiations are poison.", "oppose"),
        ("Negotiating with America is not smart, wise or honorable.", "oppose"),
        ("Talks with Washington are a waste of time and a trap for the nation.", "oppose"),
        ("Why should we sit at the table with those who tore up the last deal?", "oppose"),
        ("Those who call for talks are either naive or serving the enemy.", "oppose"),
        ("It is too soon to even think about making a deal with them.", "oppose"),
        # support
        ("We should negotiate with Mr. Trump and defend our national interests.", "support"),
        ("Iran is ready for talks with the United States at any time.", "support"),
        ("Even in distrust, negotiating with the other side can be an effective tool.", "support"),
        ("The government should keep a channel open to Washington through Oman.", "support"),
        ("Diplomacy is the least costly path and a deal is possible.", "support"),
        ("We are not opposed to dialogue with the Europeans.", "support"),
        # conditional
        ("If we see an interest, we negotiate with the Satan to ward off its evil.", "conditional"),
        ("Unless the rival side proves its sincerity, we cannot sit at the table.", "conditional"),
        ("The first step is for the U.S. to come back to the negotiating table.", "conditional"),
        ("Talks are possible provided the sanctions are lifted first.", "conditional"),
        ("Iran will only accept an agreement that removes all sanctions.", "conditional"),
        ("We will not hold direct talks while maximum pressure continues.", "conditional"),
        ("If the US tears up the deal, we will shred it.", "conditional"),
        ("Any new deal must include guarantees that Washington will not walk away again.", "conditional"),
        ("All sanctions must be lifted on the very day a final agreement is signed.", "conditional"),
        # a negation inside an obligation phrase
        ("Iran should never negotiate with the United States; the sanctions must be lifted and that is all.", "oppose"),
        ("Tehran must not return to the talks in Vienna.", "oppose"),
        # neutral
        ("The two ministers met on the sidelines of the General Assembly in September.", "neutral"),
    ],
)
def test_score_stance_labels(text: str, expected: str) -> None:
    assert score_stance(text).stance == expected


def test_score_stance_explains_itself() -> None:
    result = score_stance("Negotiations are poison and we reject them.", "reject")
    assert result.stance == "oppose"
    assert any("poison" in cue for cue in result.cues)
    assert 0.0 < result.confidence <= 1.0


def test_score_stance_threat_inside_if_stays_opposition() -> None:
    text = ("Negotiation with the US does not solve any problems. If you are willing to pay ransom, "
            "you will have to do it repeatedly and cross all your red lines.")
    assert score_stance(text).stance == "oppose"
