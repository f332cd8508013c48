"""The review rule: low confidence, or a second judge's different stance; never an off-target judgement."""

from __future__ import annotations

from stanceline.judge.review import mark_for_review
from stanceline.records import Judgement, Speaker, Statement


def _statement(*judgements: Judgement) -> Statement:
    return Statement("d", 0, 5, "talks", Speaker("A", "A"), "say", "direct", "t", judgements=judgements)


def _flags(statement: Statement) -> list[bool]:
    return [j.needs_review for j in statement.judgements]


def test_judgements_below_the_threshold_await_review() -> None:
    s = _statement(Judgement("JCPOA", "oppose", 0.59), Judgement("sanctions", "oppose", 0.6))
    assert _flags(mark_for_review([s], 0.6)[0]) == [True, False]
    assert _flags(mark_for_review([s], 0.5)[0]) == [False, False]


def test_off_target_judgements_never_await_review() -> None:
    assert _flags(mark_for_review([_statement(Judgement(None, None, 0.0))], 0.6)[0]) == [False]


def test_a_second_judge_with_another_stance_sends_the_primary_to_review() -> None:
    s = _statement(Judgement("JCPOA", "oppose", 0.9), Judgement("sanctions", "oppose", 0.9))
    same = _statement(Judgement("JCPOA", "oppose", 0.7))
    other = _statement(Judgement("sanctions", "support", 0.7), Judgement("JCPOA", "support", 0.7))
    off = _statement(Judgement(None, None, 0.0))
    elsewhere = _statement(Judgement("negotiation with US", "neutral", 0.7))
    assert _flags(mark_for_review([s], 0.6, [same])[0]) == [False, False]
    assert _flags(mark_for_review([s], 0.6, [other])[0]) == [True, False]  # compared on the same target
    assert _flags(mark_for_review([s], 0.6, [off])[0]) == [False, False]  # no stance is no opinion
    assert _flags(mark_for_review([s], 0.6, [elsewhere])[0]) == [True, False]  # its own primary stance
