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


# Scope rules added for judge-v3 (sentences written for these tests).
@pytest.mark.parametrize(("text", "stance"), [
    # "without preconditions" is an offer, not a condition; its "without" does not negate what follows
    ("The secretary said Washington would meet the Iranians without preconditions, anytime they choose.", "support"),
    # concessive "even if" is no condition
    ("The minister said Tehran would resume talks even if the first round brought nothing.", "support"),
    # the political opposition is not opposition to talks
    ("The opposition channel reported that the two delegations had met in Oslo.", "neutral"),
    # refusals tied to a changeable circumstance are conditional
    ("The general said there would be no talks with Washington until the sanctions on our banks are lifted.", "conditional"),
    ("The spokesman said Iran would never negotiate under threats of war.", "conditional"),
    ("The MP said there would be no deal with the current American administration.", "conditional"),
    # a verdict in both branches is opposition, not a condition
    ("If this is not capitulation, it is a blunder, the cleric said of the talks.", "oppose"),
    # a genuine condition stays conditional
    ("If the Americans release our funds, we will return to the talks.", "conditional"),
])
def test_scope_rules_v3(text: str, stance: str) -> None:
    assert score_stance(text).stance == stance


def test_others_words_before_the_speakers_own_do_not_decide() -> None:
    # the opponents' "betrayal" is theirs; the speaker's clause has no cue of its own, so the rules abstain
    text = "The hardliners say talking to America is betrayal, but I believe it is the only sensible course."
    assert score_stance(text).stance == "neutral"


@pytest.mark.parametrize(("text", "stance"), [
    # counterfactual if-clause: a verdict on the past, not a precondition
    ("If the agreement had served Iran, Washington would never have signed it, the columnist wrote.", "oppose"),
    # an if-clause that only sets up a verdict
    ("If sitting down with them again is wisdom, I would rather be a fool, the MP said.", "oppose"),
    # "for as long as" is open-ended, not a condition
    ("Oman said it was ready to host the exchanges for as long as the two sides want.", "support"),
    # others' words, then the speaker's own after "but"
    ("They say the talks are useful, but we will never negotiate with Washington.", "oppose"),
])
def test_scope_rules_v3_verdicts(text: str, stance: str) -> None:
    assert score_stance(text).stance == stance
