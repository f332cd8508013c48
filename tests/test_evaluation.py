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


def test_score_attributions_counts_every_attribution_per_kind_and_the_source_mention() -> None:
    from stanceline.evaluation import GoldAttribution, score_attributions

    gold = [
        GoldAttribution("a.txt", "the budget would pass before the recess", "he", "indirect"),
        GoldAttribution("a.txt", "“We will not raise taxes this year,”", "The governor", "direct"),
        GoldAttribution("a.txt", "the plant would close in March", "the union", "indirect"),
    ]
    preds = [
        Prediction("a.txt", "Tom Hale", "he", None, "the budget would pass before the summer recess", None),
        Prediction("a.txt", "Ann Lee", "Ann Lee", None, "“We will not raise taxes this year,”", None),  # wrong source
        Prediction("a.txt", "Bob Roe", "Bob Roe", None, "ticket prices will rise next season", None),  # not in gold
        Prediction("b.txt", "X", "X", None, "a file the gold does not cover", None),  # ignored
    ]
    m = score_attributions(gold, preds)
    assert (m["detect_p"], m["detect_r"]) == (round(2 / 3, 4), round(2 / 3, 4))
    assert m["source_acc"] == 0.5
    assert (m["direct_r"], m["direct_source_acc"]) == (1.0, 0.0)
    assert (m["indirect_r"], m["indirect_source_acc"]) == (0.5, 1.0)
    assert m["indirect_p"] == 0.5 and m["direct_p"] == 1.0


@pytest.mark.slow
def test_cli_eval_all_attributions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from stanceline.cli import app

    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "Budget vote delayed\n\nThe state senate postponed its vote on Tuesday.\n\n"
        "Senator Maria Okafor said that the budget would pass before the summer recess.\n\n"
        "“We have the votes, we just need the time,” she said.\n", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(g) for g in [
        {"file": "one.txt", "speaker": "Senator Maria Okafor", "evidence": "that the budget would pass before the summer recess",
         "kind": "indirect"},
        {"file": "one.txt", "speaker": "she", "evidence": "“We have the votes, we just need the time,”", "kind": "direct"},
    ]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--all-attributions", "--gold", str(gold), str(corpus), "-w", "1"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output.strip().splitlines()[-1])
    assert metrics["detect_r"] == 1.0 and metrics["source_acc"] == 1.0
    assert metrics["gold"] == 2.0
