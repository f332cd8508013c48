"""The matching rule and metrics of `stanceline eval`."""

from __future__ import annotations

import pytest

from stanceline.evaluation import Gold, Prediction, overlap, score, speaker_matches


@pytest.mark.parametrize(
    ("a", "b", "matches"),
    [
        ("negotiations are poison", "There isn't going to be any war and negotiations are poison.", True),
        ("completely different words here", "negotiations are poison", False),
        ("poison", " ".join(["negotiations are poison"] * 10), False),  # more than 6x longer
    ],
)
def test_overlap_rule(a: str, b: str, matches: bool) -> None:
    assert (overlap(a, b) >= 0.6) is matches


@pytest.mark.parametrize(
    ("gold", "predicted", "ok"),
    [
        ("Kazem Seddiqi", "Seddiqi", True),
        ("Ali Khamenei", "Ayatollah Ali Khamenei", True),
        ("Ali Khamenei", "Donald Trump", False),
    ],
)
def test_speaker_matches(gold: str, predicted: str, ok: bool) -> None:
    assert speaker_matches(gold, predicted) is ok


def test_score_counts_one_to_one() -> None:
    gold = [Gold("a.txt", "Ali Khamenei", "oppose", "negotiations are poison", "2019-05-14")]
    preds = [
        Prediction("a.txt", "Ali Khamenei", "Khamenei", "oppose", "negotiations are poison", "2019-05-14"),
        Prediction("a.txt", "Ali Khamenei", "Khamenei", "oppose", "negotiations are poison indeed", "2019-05-14"),
    ]
    result = score(gold, preds)
    assert result.metrics["detect_r"] == 1.0
    assert result.metrics["detect_p"] == 0.5
    assert result.metrics["speaker_acc"] == 1.0
    assert result.metrics["date_acc"] == 1.0
    assert len(result.false_positives) == 1


def test_score_date_needs_the_gold_precision() -> None:
    gold = [Gold("a.txt", "X Y", "oppose", "talks are poison", "2019-05-14")]
    preds = [Prediction("a.txt", "X Y", "Y", "oppose", "talks are poison", "2019-05")]
    assert score(gold, preds).metrics["date_acc"] == 0.0
