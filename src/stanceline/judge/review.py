"""Which judgements a person should look at: the review queue's rule.

A judgement awaits review when its judge was not confident (below the ``review_threshold``
setting), or when a second judge (``review_judge``) takes a different stance on the same
statement and target. Off-target judgements (no stance) never do. Pure: the pipeline applies it
after judging, the store keeps the flag, and a corrected statement leaves the queue on reads.
"""

from __future__ import annotations

from dataclasses import replace

from stanceline.records import Judgement, Statement


def _second_opinion(primary: Judgement, other: Statement | None) -> Judgement | None:
    """The second judge's judgement toward the primary's target, else its own primary (if it has a stance)."""
    if other is None:
        return None
    same = next((j for j in other.judgements if j.target == primary.target), None)
    if same is not None:
        return same
    return other.judgement if other.judgement is not None and other.judgement.stance is not None else None


def disagree(primary: Judgement, other: Statement | None) -> bool:
    second = _second_opinion(primary, other)
    return second is not None and second.stance is not None and second.stance != primary.stance


def mark_for_review(statements: list[Statement], threshold: float,
                    second: list[Statement] | None = None) -> list[Statement]:
    """``statements`` with ``needs_review`` set on their judgements; ``second`` is the same statements as a
    second judge judged them (same order), or None."""
    out = []
    for i, statement in enumerate(statements):
        other = second[i] if second is not None else None
        marked = tuple(
            replace(j, needs_review=j.stance is not None and (
                j.confidence < threshold or (rank == 0 and disagree(j, other))))
            for rank, j in enumerate(statement.judgements)
        )
        out.append(statement.with_judgements(marked))
    return out
