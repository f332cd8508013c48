"""Judging statements: target, stance, conditions, argument (the ``lexicon.v1`` judge)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack, Target
from stanceline.judge.reasons import judgements_for
from stanceline.judge.stance import score_stance
from stanceline.judge.targets import matcher_for
from stanceline.records import Document, Judgement, Statement
from stanceline.registry import judges

VERSION = "lexicon.v1"
_FOLLOWING_CONDITIONS = re.compile(r"(?i)^\W*(?:\w+\W+){0,3}?(?:he|she|they|it)\b[^.]{0,40}\b(?:set|laid down|attached|named|imposed)\b[^.]{0,30}\bconditions\b")


def _next_sentence(text: str, statement: Statement) -> str:
    end = statement.sentence_end or statement.end
    rest = text[end : end + 400]
    if "\n\n" in rest[:3]:
        return ""
    return re.split(r"(?<=[.!?])\s+", rest.strip(), maxsplit=1)[0] if rest.strip() else ""


class Judge(Protocol):
    name: str

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]: ...


class TargetedJudge(Judge, Protocol):
    """A judge that can also say where a statement stands toward a target named by the caller
    (``stanceline judge``, ``POST /api/v1/judge``); optional for plugins."""

    def judge_toward(self, doc: Document, statement: Statement, target: Target) -> Judgement: ...


class LexiconJudge:
    """Cue lexicon with scope rules (see ``judge/stance.py``); deterministic and explainable."""

    name = VERSION

    def __init__(self, pack: Pack, linker: Linker) -> None:
        self.pack = pack
        self.linker = linker
        self.targets = matcher_for(pack)

    def _speaker_country(self, statement: Statement) -> str | None:
        actor = self.pack.actors.get(statement.speaker.actor_id or "")
        return actor.country if actor else None

    def judge_one(self, doc: Document, statement: Statement, default: Target | None) -> tuple[Judgement, ...]:
        sentence = doc.text[statement.sentence_start or statement.start : statement.sentence_end or statement.end]
        text = statement.text
        # The statement's own words decide; an indirect report also carries its cue verb
        # ("refused", "welcomed"), which _content_range keeps at the start of the span.
        scope = text
        before = doc.text[max(0, (statement.sentence_start or statement.start) - 400) : statement.sentence_start or statement.start]
        previous = re.split(r"(?<=[.!?])\s+", before.strip())[-1] if before.strip() else ""
        targets, contextual = self.targets.targets(scope, sentence, default, self._speaker_country(statement), previous)
        if not targets:
            return (Judgement(target=None, stance=None, confidence=0.0, produced_by=VERSION),)
        return self._judgements(doc, statement, targets, contextual)

    def judge_toward(self, doc: Document, statement: Statement, target: Target) -> Judgement:
        """The statement's stance toward ``target``, given rather than found: the same stance,
        condition and argument rules, without asking whether the text names the target."""
        return self._judgements(doc, statement, [target], False)[0]

    def _judgements(self, doc: Document, statement: Statement, targets: list[Target],
                    contextual: bool) -> tuple[Judgement, ...]:
        scope = statement.text
        result = score_stance(scope, statement.cue)
        if result.stance in ("support", "neutral") and _FOLLOWING_CONDITIONS.search(_next_sentence(doc.text, statement)):
            # "Khamenei instructed his officials to negotiate … Although he set numerous conditions …"
            result = replace(result, stance="conditional", cues=("condition:next sentence", *result.cues))
        return judgements_for(self.pack, scope, result.stance, result.confidence, result.cues, targets, contextual,
                              statement.stated_argument, VERSION)

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        default = self.targets.document_default(doc.text, doc.title)
        return [s.with_judgements(self.judge_one(doc, s, default)) for s in statements]


@judges.register(VERSION)
def make_lexicon_judge(pack: Pack, linker: Linker) -> LexiconJudge:
    return LexiconJudge(pack, linker)


@judges.register("judge.v2")
def make_v2_judge(pack: Pack, linker: Linker) -> Judge:
    """``judge.v2`` (``judge/v2.py``), imported only when chosen: it loads model weights."""
    from stanceline.judge.v2 import JudgeV2

    return JudgeV2(pack, linker)
