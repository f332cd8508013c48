"""``llm.v1`` as a judge: the model gives the stance of statements another extractor found
(the hybrid mode), or keeps what ``llm.v1``'s extractor already judged in the same answer.

Statements are sent a batch at a time with their speaker and sentence. Answers are checked like
the extractor's: a target, stance and argument the pack defines, conditions that are words of the
statement. A statement the model does not answer for keeps the fallback judge's reading, and a
document whose requests fail is judged by the fallback judge; the note says which and why.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack
from stanceline.llm.ask import VERSION, Asker, asker_for
from stanceline.llm.config import LLMConfig
from stanceline.llm.errors import LLMError
from stanceline.llm.extractor import judgement_from
from stanceline.llm.prompts import judge_messages, judge_schema
from stanceline.records import Document, Judgement, Statement
from stanceline.registry import judges

BATCH = 12  # statements per request


class LLMJudge:
    name = VERSION

    def __init__(self, pack: Pack, linker: Linker, llm: LLMConfig, asker: Asker | None = None) -> None:
        self.pack = pack
        self.linker = linker
        self.config = llm
        self.asker = asker or asker_for(llm)
        self._fallback: Any = None

    @property
    def fallback(self) -> Any:
        if self._fallback is None:
            self._fallback = judges.get(self.config.fallback_judge)(self.pack, self.linker)
        return self._fallback

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        return self.judge_with_notes(doc, statements)[0]

    def judge_with_notes(self, doc: Document, statements: list[Statement]) -> tuple[list[Statement], tuple[str, ...]]:
        # What llm.v1's extractor judged in the same answer is kept; the rest is asked for.
        todo = [i for i, s in enumerate(statements) if not s.produced_by.startswith(VERSION + "/")]
        if not todo:
            return list(statements), ()
        out = list(statements)
        dropped: Counter[str] = Counter()
        answered: dict[int, Judgement] = {}
        try:
            for b in range(0, len(todo), BATCH):
                batch = todo[b : b + BATCH]
                items = [(n + 1, statements[i].speaker.name, statements[i].text, _sentence(doc, statements[i]))
                         for n, i in enumerate(batch)]
                answer = self.asker.ask("judge", doc.id, judge_messages(self.pack, items),
                                         judge_schema(self.pack, len(items)), "judgements")
                for entry in answer.get("judgements") or []:
                    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                        dropped["malformed judgement"] += 1
                        continue
                    n = entry["id"] - 1
                    if not 0 <= n < len(batch) or batch[n] in answered:
                        dropped["unknown statement number"] += 1
                        continue
                    i = batch[n]
                    answered[i] = judgement_from(entry, self.pack, _sentence(doc, statements[i]),
                                                 self.asker.produced_by, dropped)
        except LLMError as exc:
            judged = self.fallback.judge(doc, [statements[i] for i in todo])
            for i, statement in zip(todo, judged, strict=True):
                out[i] = statement
            return out, (f"{VERSION} judging failed ({exc.reason}); {self.config.fallback_judge} judged instead",)
        missing = [i for i in todo if i not in answered]
        if missing:
            dropped["statement not answered"] += len(missing)
            for i, statement in zip(missing, self.fallback.judge(doc, [statements[i] for i in missing]), strict=True):
                out[i] = statement
        for i, judgement in answered.items():
            out[i] = statements[i].with_judgements((judgement,))
        notes: tuple[str, ...] = ()
        if dropped:
            detail = ", ".join(f"{reason}: {n}" for reason, n in sorted(dropped.items()))
            notes = (f"{VERSION} judge dropped ungrounded answers ({detail})",)
        return out, notes


def _sentence(doc: Document, statement: Statement) -> str:
    start = statement.sentence_start if statement.sentence_start is not None else statement.start
    end = statement.sentence_end if statement.sentence_end is not None else statement.end
    return doc.text[start:end]


def make_llm_judge(pack: Pack, linker: Linker, llm: LLMConfig | None = None) -> LLMJudge:
    if llm is None:
        from stanceline.errors import ConfigError

        raise ConfigError("the llm.v1 judge needs an endpoint: set STANCELINE_LLM_URL and STANCELINE_LLM_MODEL")
    return LLMJudge(pack, linker, llm)


make_llm_judge.takes_llm = True  # type: ignore[attr-defined]
