"""``cascade.v1``: the rules where their cues decide, the trained model where they see no stance.

``lexicon.v1`` is precise when one of its cues fires (a refusal, a condition, a call for talks)
but reads as neutral every statement without a stance verb — taking part in talks, welcoming
them, "the door stays open" — the largest error class on news it was not written against.
``judge.v2`` learned those from examples. The cascade keeps the rules' reading when it is
support, oppose or conditional, and asks the model for every on-target statement the rules call
neutral. The model also scores the statements the rules decided: the confidence shown is its
calibrated probability of the label given, so a rule reading the model doubts is low-confidence and
goes to the review queue.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack, Target
from stanceline.judge import LexiconJudge
from stanceline.judge.reasons import condition_spans, known_conditions
from stanceline.records import Document, Judgement, Statement
from stanceline.registry import judges

if TYPE_CHECKING:
    from stanceline.judge.v2 import JudgeV2, StanceScorer

VERSION = "cascade.v1"
VERSION_2 = "cascade.v2"


class CascadeJudge:
    """``lexicon.v1`` first, ``judge.v2`` for what it calls neutral; see the module doc."""

    name = VERSION

    def __init__(self, pack: Pack, linker: Linker, use_embeddings: bool = False, model: JudgeV2 | None = None) -> None:
        from stanceline.judge.v2 import JudgeV2

        self.rules = LexiconJudge(pack, linker)
        # cascade.v1: judge.v2's lexical head, measured as good as the embedded one behind the rules at a
        # fifth of the time; cascade.v2 passes judge.v3.
        self.model = model or JudgeV2(pack, linker, use_embeddings=use_embeddings)
        # Scope signals under which the model, not the rules, decides: chosen by the trainer where the
        # model read those statements better than the rules (out-of-fold on train, confirmed on dev).
        self.defer = frozenset(self.model.scorer.model.meta.get("cascade_defer", ()))
        self._belief_scorer: StanceScorer = getattr(self.model.scorer, "lexical", self.model.scorer)

    def deferred(self, statement: Statement) -> bool:
        """True when a scope signal the rules are blind to fires on the words the rules read (see ``defer``)."""
        if not self.defer:
            return False
        from stanceline.judge.v2 import scope_signals

        fired = (n.split(":", 1)[1] for n in scope_signals(statement.text, statement.cue) if n.startswith("scope:"))
        return any(name in self.defer for name in fired)

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        from stanceline.judge.v2 import statement_scope

        ruled = self.rules.judge(doc, statements)
        undecided = [i for i, s in enumerate(ruled) if s.judgement and s.judgement.target and s.judgement.stance == "neutral"]
        modelled = dict(zip(undecided, self.model.judge(doc, [statements[i] for i in undecided]), strict=True))
        decided = [i for i, s in enumerate(ruled) if s.judgement and s.judgement.target and i not in modelled]
        # The confidence of a rule reading: the lexical head's belief in it (cheap; the encoder runs only
        # where the model decides).
        beliefs = self._belief_scorer.beliefs([statement_scope(doc, statements[i]) for i in decided],
                                              [ruled[i].judgement.target or "" for i in decided],  # type: ignore[union-attr]
                                              [statements[i].cue for i in decided])
        belief = dict(zip(decided, beliefs, strict=True))
        # Where a scope signal the rules are blind to fires (see ``defer``), the model decides.
        deferred = [i for i in decided if self.deferred(statements[i])]
        if deferred:
            modelled.update(zip(deferred, self.model.judge(doc, [statements[i] for i in deferred]), strict=True))
        out = []
        for i, st in enumerate(ruled):
            if i in modelled and modelled[i].judgement is not None and modelled[i].judgement.target is not None:  # type: ignore[union-attr]
                out.append(_relabel(modelled[i], self.name, self.model.name, None))
            elif i in belief:
                stance = st.judgement.stance  # type: ignore[union-attr]
                out.append(_relabel(st, self.name, "lexicon.v1", belief[i].get(stance, 0.0)))  # type: ignore[arg-type]
            else:
                out.append(_relabel(st, self.name, None, None))
        return out

    def judge_toward(self, doc: Document, statement: Statement, target: Target) -> Judgement:
        """The stance toward a target the caller names (``stanceline judge``), by the same cascade."""
        from stanceline.judge.v2 import statement_scope

        rule = self.rules.judge_toward(doc, statement, target)
        pred = self.model.scorer.score([statement_scope(doc, statement)], [target.label], [statement.cue])[0]
        if rule.stance is not None and rule.stance != "neutral" and not self.deferred(statement):
            return replace(rule, produced_by=self.name, confidence=round(pred.probabilities.get(rule.stance, 0.0), 3),
                           cues=("decided-by:lexicon.v1", *rule.cues))
        text = statement.text
        conditional = pred.stance == "conditional"
        return replace(rule, stance=pred.stance, confidence=round(pred.probability, 3), produced_by=self.name,
                       conditions=tuple(text[a:b].strip() for a, b in condition_spans(text)) if conditional else (),
                       condition_ids=tuple(c.id for c in known_conditions(text, self.rules.pack)) if conditional else (),
                       cues=(f"decided-by:{self.model.name}", *pred.cues))


def _relabel(statement: Statement, name: str, decided_by: str | None, confidence: float | None) -> Statement:
    """The statement's judgements as the cascade's: its name, who decided, the model's belief as confidence."""
    out = []
    for k, j in enumerate(statement.judgements):
        j = replace(j, produced_by=name, cues=((f"decided-by:{decided_by}",) if decided_by else ()) + j.cues)
        if confidence is not None:
            j = replace(j, confidence=round(confidence * (1.0 if k == 0 else 0.8), 3))
        out.append(j)
    return statement.with_judgements(tuple(out))


@judges.register(VERSION)
def make_cascade_judge(pack: Pack, linker: Linker) -> CascadeJudge:
    return CascadeJudge(pack, linker)


@judges.register(VERSION_2)
def make_cascade_v2_judge(pack: Pack, linker: Linker) -> CascadeJudge:
    """``cascade.v2``: the same cascade with ``judge.v3`` (the fine-tuned stance encoder) behind the rules."""
    from stanceline.judge.v3 import JudgeV3

    judge = CascadeJudge(pack, linker, model=JudgeV3(pack, linker))
    judge.name = VERSION_2
    return judge
