"""``llm.v1`` as an extractor: the model lists attributed statements, the project grounds them.

Long articles are sent in paragraph-aligned chunks. For each statement the model proposes:
the evidence must be found in its chunk (``grounding.locate``); the speaker must be named in the
text and is linked through the pack's linker; the date comes from the project's date finder
(the model's date expression only picks among the dates the text itself gives); the target,
stance and argument must be ones the pack defines, and each condition must be words of the text.
Anything else is dropped and counted in the document's note. When the model cannot be asked
(unreachable, refusing, malformed answers), the fallback extractor runs for that document and the
note says why.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from spacy.language import Language

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack
from stanceline.clean.dates import find_dates
from stanceline.extract.dating import date_for
from stanceline.extract.speakers import linked_speaker
from stanceline.judge.reasons import known_conditions
from stanceline.llm.ask import VERSION, Asker, asker_for
from stanceline.llm.config import LLMConfig
from stanceline.llm.errors import LLMError
from stanceline.llm.grounding import locate, locate_name
from stanceline.llm.prompts import CERTAINTY, NONE, extract_messages, extract_schema
from stanceline.records import STANCES, Document, Judgement, PartialDate, Speaker, Statement, StatementKind
from stanceline.registry import extractors

QUOTES = "\"“”«»„‘’'"
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(?=\s)|\n")
_PRONOUNS = frozenset("he she they it we i you him her them his hers their its our".split())


def chunks(text: str, size: int) -> list[tuple[int, int]]:
    """``text`` cut at paragraph breaks into spans of at most ``size`` characters (a longer
    paragraph is a chunk of its own)."""
    spans: list[tuple[int, int]] = []
    start = 0
    cut = start
    for m in re.finditer(r"\n+", text):
        if m.end() - start > size and cut > start:
            spans.append((start, cut))
            start = cut
        cut = m.end()
    if len(text) - start > size and start < cut < len(text):
        spans.append((start, cut))
        start = cut
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or sentences) around ``text[start:end]``."""
    s = text.rfind("\n", 0, start) + 1
    for m in _SENTENCE_END.finditer(text, s, start):
        if m.end() <= start:
            s = m.end()
    while s < start and text[s].isspace():
        s += 1
    stop = _SENTENCE_END.search(text, max(end - 1, start))
    e = stop.end() if stop else len(text)
    return s, max(e, end)


@dataclass
class Grounded:
    statements: list[Statement]
    dropped: Counter[str]


def judgement_from(answer: dict[str, Any], pack: Pack, scope: str, produced_by: str,
                   dropped: Counter[str]) -> Judgement:
    """A ``Judgement`` from a model's answer, keeping only what the pack defines and the text says."""
    by_id = {t.id: t for t in pack.targets}
    target = by_id.get(str(answer.get("target") or NONE))
    stance = answer.get("stance")
    if target is None or stance not in STANCES:
        return Judgement(target=None, stance=None, confidence=0.0, produced_by=produced_by)
    conditions: list[str] = []
    if stance == "conditional":
        for phrase in answer.get("conditions") or []:
            if not isinstance(phrase, str) or not phrase.strip():
                continue
            span = locate(scope, phrase)
            if span is None:
                dropped["condition not in text"] += 1
                continue
            conditions.append(scope[span[0] : span[1]])
    argument = next((a for a in pack.arguments if a.id == answer.get("argument")), None)
    certainty = CERTAINTY.get(str(answer.get("certainty") or "medium"), CERTAINTY["medium"])
    return Judgement(
        target=target.label, stance=stance, confidence=certainty, conditions=tuple(conditions),
        condition_ids=tuple(c.id for c in known_conditions(" ".join(conditions) or scope, pack)) if conditions else (),
        argument=argument.label if argument else None, argument_id=argument.id if argument else None,
        cues=(f"llm:{answer.get('stance')}",), produced_by=produced_by,
    )


class LLMExtractor:
    name = VERSION

    def __init__(self, nlp: Language, linker: Linker, llm: LLMConfig, asker: Asker | None = None,
                 every_attribution: bool = False) -> None:
        self.nlp = nlp
        self.linker = linker
        self.pack = linker.pack
        self.config = llm
        self.asker = asker or asker_for(llm)
        self.every_attribution = every_attribution
        self._fallback: Any = None
        self._schema = extract_schema(self.pack)

    @property
    def fallback(self) -> Any:
        if self._fallback is None:
            options = {"every_attribution": True} if self.every_attribution else {}
            self._fallback = extractors.get(self.config.fallback_extractor)(self.nlp, self.linker, **options)
        return self._fallback

    def extract(self, doc: Document) -> list[Statement]:
        return self.extract_with_notes(doc)[0]

    def extract_with_notes(self, doc: Document) -> tuple[list[Statement], tuple[str, ...]]:
        spans = chunks(doc.text, self.config.chunk_chars)
        published = doc.published.iso() if doc.published else None

        def ask(span: tuple[int, int]) -> dict[str, Any]:
            messages = extract_messages(self.pack, doc.text[span[0] : span[1]], doc.title, published)
            return self.asker.ask("extract", doc.id, messages, self._schema, "statements")

        try:
            if len(spans) > 1 and self.config.concurrency > 1:
                with ThreadPoolExecutor(max_workers=min(self.config.concurrency, len(spans))) as pool:
                    answers = list(pool.map(ask, spans))
            else:
                answers = [ask(span) for span in spans]
        except LLMError as exc:
            statements = self.fallback.extract(doc)
            return statements, (f"{VERSION} extraction failed ({exc.reason}); "
                                f"{self.config.fallback_extractor} ran instead",)
        grounded = self.ground(doc, spans, answers)
        notes: tuple[str, ...] = ()
        if grounded.dropped:
            detail = ", ".join(f"{reason}: {n}" for reason, n in sorted(grounded.dropped.items()))
            notes = (f"{VERSION} dropped ungrounded answers ({detail})",)
        return grounded.statements, notes

    # -- grounding ---------------------------------------------------------------------------
    def ground(self, doc: Document, spans: list[tuple[int, int]], answers: list[dict[str, Any]]) -> Grounded:
        text = doc.text
        dropped: Counter[str] = Counter()
        mentions = find_dates(text, doc.published)
        anchors: dict[str, PartialDate] = {}
        seen: set[tuple[int, int]] = set()
        out: list[Statement] = []
        for (lo, hi), answer in zip(spans, answers, strict=True):
            items = answer.get("statements")
            if not isinstance(items, list):
                dropped["answer without statements"] += 1
                continue
            for item in items:
                if not isinstance(item, dict):
                    dropped["malformed statement"] += 1
                    continue
                statement = self._ground_one(doc, item, lo, hi, mentions, anchors, dropped)
                if statement is None:
                    continue
                if (statement.start, statement.end) in seen:
                    dropped["repeated"] += 1
                    continue
                seen.add((statement.start, statement.end))
                out.append(statement)
        out.sort(key=lambda s: (s.start, s.end))
        return Grounded(out, dropped)

    def _ground_one(self, doc: Document, item: dict[str, Any], lo: int, hi: int, mentions: list[Any],
                    anchors: dict[str, PartialDate], dropped: Counter[str]) -> Statement | None:
        text = doc.text
        evidence = str(item.get("evidence") or "")
        span = locate(text, evidence, lo, hi)
        if span is None:
            dropped["evidence not in text"] += 1
            return None
        start, end = span
        while start < end and text[start] in QUOTES + " ":
            start += 1
        while end > start and text[end - 1] in QUOTES + " ":
            end -= 1
        if end - start < 8:
            dropped["evidence too short"] += 1
            return None
        s_start, s_end = sentence_bounds(text, start, end)
        speaker = self._speaker(doc, str(item.get("speaker") or ""), lo, hi, start, s_start)
        if speaker is None:
            dropped["speaker not in text"] += 1
            return None
        cue = str(item.get("cue") or "").strip()
        cue_at = locate_name(text, cue, s_start, s_end, start) if cue else None
        quoted = (start > 0 and text[start - 1] in QUOTES) or text[start] in QUOTES
        kind: StatementKind = "direct" if quoted else ("mixed" if item.get("kind") == "mixed" and any(
            q in text[start:end] for q in QUOTES[:7]) else "indirect")
        quote_span = (start, end) if kind == "direct" else None
        date, source = date_for(text, cue_at[0] if cue_at else start, (s_start, s_end), quote_span, mentions,
                                speaker.name, anchors, doc.published)
        expression = str(item.get("date_expression") or "").strip()
        if expression:
            where = locate_name(text, expression, s_start - 400 if s_start > 400 else 0, s_end, start)
            stated = [m for m in mentions if where and m.start < where[1] and where[0] < m.end and m.pattern != "year"]
            if stated:
                date, source = stated[0].date, stated[0].source
        if date is not None and source != "publication":
            for part in speaker.name.lower().split():
                anchors[part] = date
        statement = Statement(
            document_id=doc.id, start=start, end=end, text=text[start:end], speaker=speaker,
            cue=text[cue_at[0] : cue_at[1]].lower() if cue_at else None, kind=kind,
            produced_by=self.asker.produced_by, date=date, date_source=source,
            sentence_start=s_start, sentence_end=s_end,
        )
        # Statements on no target are kept with an empty judgement, as the other judges keep them.
        return statement.with_judgements((judgement_from(item, self.pack, text[s_start:s_end],
                                                         self.asker.produced_by, dropped),))

    def _speaker(self, doc: Document, surface: str, lo: int, hi: int, before: int, sentence_start: int) -> Speaker | None:
        surface = surface.strip()
        if not surface or surface.lower() in _PRONOUNS:
            return None
        text = doc.text
        found = locate_name(text, surface, lo, hi, before)
        if found is None:
            # "President Hassan Rouhani" when the text says "Rouhani": any alias of the actor the
            # name links to, provided the text names them.
            link = self.linker.link(surface, doc.published)
            actor = self.pack.actors.get(link.actor_id or "")
            for alias in sorted((actor.name, *actor.aliases), key=len, reverse=True) if actor else ():
                found = locate_name(text, alias, lo, hi, before)
                if found is not None:
                    break
        if found is None:
            return None
        written = text[found[0] : found[1]]
        link = self.linker.link(written, doc.published, context=text[sentence_start : before])
        return linked_speaker(written, link, found[0], found[1])


def make_llm_extractor(nlp: Language, linker: Linker, llm: LLMConfig | None = None,
                       every_attribution: bool = False) -> LLMExtractor:
    if llm is None:
        from stanceline.errors import ConfigError

        raise ConfigError("the llm.v1 extractor needs an endpoint: set STANCELINE_LLM_URL and STANCELINE_LLM_MODEL")
    return LLMExtractor(nlp, linker, llm, every_attribution=every_attribution)


make_llm_extractor.takes_llm = True  # type: ignore[attr-defined]
