"""Is a statement about one of the pack's targets, and which?

A statement is on target when it names negotiating (a pack negotiation term)
or a target's topic (the JCPOA …). The target is then the one whose
counterpart or topic phrase the statement names, else its sentence names, else
the document's dominant target — a list of clerics' views under the headline
"Why negotiate with the US again" is about the US even when one line just says
"negotiation".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from stanceline.actors.pack import Pack, Target
from stanceline.records import Document, Statement

_GENERIC_TERMS = (
    "negotiat*", "talks", "dialogue", "diplomacy", "diplomatic", "deal", "agreement", "accord", "negotiating table",
    "meet with", "meeting", "accord", "summit",
)


def phrase_pattern(phrases: tuple[str, ...] | list[str], case_sensitive_short: bool = True) -> re.Pattern[str] | None:
    """Word-bounded alternation; a trailing ``*`` is a prefix; all-caps short phrases match case-sensitively."""
    if not phrases:
        return None
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        prefix = phrase.endswith("*")
        body = re.escape(phrase.rstrip("*")).replace(r"\ ", r"\s+")
        body = body + (r"\w*" if prefix else "")
        if case_sensitive_short and phrase.rstrip("*").isupper() and len(phrase) <= 4:
            body = f"(?-i:{body})"
        parts.append(body)
    return re.compile(r"(?i)(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


_DEFAULT = phrase_pattern(list(_GENERIC_TERMS))
_ANAPHOR = re.compile(r"(?i)\b(those|these|such|this|that)\s+(calls?|demands?|proposals?|ideas?|approach|option|path|policy|step|move|offer|efforts?|campaign|voices?|advocates?|supporters?)\b")


def mentions_negotiation(text: str) -> bool:
    """Pack-independent test used to focus long quotations."""
    return bool(_DEFAULT and _DEFAULT.search(text))


@dataclass(frozen=True)
class TargetMatcher:
    pack: Pack
    negotiation: re.Pattern[str] | None
    context: re.Pattern[str] | None
    counterparts: tuple[tuple[Target, re.Pattern[str]], ...]
    topics: tuple[tuple[Target, re.Pattern[str]], ...]

    def is_about_negotiating(self, text: str) -> bool:
        if self.negotiation is not None and self.negotiation.search(text):
            return True
        return any(p.search(text) for _, p in self.topics)

    def _by_topic(self, text: str) -> list[Target]:
        return [t for t, p in self.topics if p.search(text)]

    def _by_counterpart(self, text: str, speaker_country: str | None) -> list[Target]:
        hits: list[tuple[int, int, Target]] = []
        for target, pattern in self.counterparts:
            if target.speaker_countries and speaker_country not in target.speaker_countries:
                continue
            if speaker_country and target.counterpart_country == speaker_country:
                continue  # "The United States is ready to talk with Iran": the US is the speaker's own side
            m = pattern.search(text)
            if m:
                hits.append((-target.priority, m.start(), target))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [h[2] for h in hits]

    def targets(self, text: str, sentence: str, default: Target | None, speaker_country: str | None,
                context: str = "") -> tuple[list[Target], bool]:
        """Targets of a statement, most specific first (empty when off target), and whether
        they came from context (the previous sentence or the document) rather than the text."""
        if not self.is_about_negotiating(text):
            # "… questioning the credibility of those calls": an anaphor about negotiating
            # in the previous sentence carries the topic over.
            if context and self.is_about_negotiating(context) and _ANAPHOR.search(text):
                found = self._by_topic(context) or self._by_counterpart(context, speaker_country) or ([default] if default else [])
                return found[:1], True
            # In a document about a target, its vocabulary (sanctions, enrichment, the next round)
            # keeps a statement on that target.
            if default is not None and self.context is not None and self.context.search(text):
                return [default], True
            return [], False
        found = self._by_topic(text)
        for candidate in self._by_counterpart(text, speaker_country) or self._by_counterpart(sentence, speaker_country):
            if candidate not in found:
                found.append(candidate)
        contextual = False
        if not found and default is not None:
            found.append(default)
            contextual = True
        if not found:
            generic = next((t for t in self.pack.targets if t.counterparts and not t.speaker_countries), None)
            if generic is not None and self.negotiation is not None and self.negotiation.search(text):
                found.append(generic)
                contextual = True
        found.sort(key=lambda t: -t.priority)
        return found, contextual

    def document_default(self, text: str, title: str | None) -> Target | None:
        """The target a document is mostly about (title counts three times)."""
        return _document_default(self, text, title)

    def _count_default(self, text: str, title: str | None) -> Target | None:
        counts: Counter[str] = Counter()
        by_id = {t.id: t for t in self.pack.targets}
        chunks = [(title or "", 3)] + [(s, 1) for s in re.split(r"(?<=[.!?])\s+", text) if s]
        for chunk, weight in chunks:
            if not chunk or not self.is_about_negotiating(chunk):
                continue
            for target in self._by_counterpart(chunk, None)[:1]:
                counts[target.id] += weight
        if not counts:
            return None
        return by_id[counts.most_common(1)[0][0]]


@lru_cache(maxsize=4)
def _document_default(matcher: TargetMatcher, text: str, title: str | None) -> Target | None:
    """``document_default``, cached: the rules and the model of a cascade ask it of the same document."""
    return matcher._count_default(text, title)


@lru_cache(maxsize=8)
def matcher_for(pack: Pack) -> TargetMatcher:
    return TargetMatcher(
        pack=pack,
        negotiation=phrase_pattern(pack.negotiation_terms or _GENERIC_TERMS),
        context=phrase_pattern(pack.context_terms),
        counterparts=tuple((t, p) for t in pack.targets if (p := phrase_pattern(t.counterparts)) is not None),
        topics=tuple((t, p) for t in pack.targets if (p := phrase_pattern(t.topics)) is not None),
    )


def statement_targets(matcher: TargetMatcher, pack: Pack, doc: Document, statement: Statement, scope: str,
                      default: Target | None) -> tuple[list[Target], bool]:
    """The targets a statement is about: its scope, its sentence, the sentence before it and the
    speaker's country (a speaker is never their own counterpart)."""
    sentence = doc.text[statement.sentence_start or statement.start : statement.sentence_end or statement.end]
    start = statement.sentence_start or statement.start
    before = doc.text[max(0, start - 400) : start].strip()
    previous = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
    actor = pack.actors.get(statement.speaker.actor_id or "")
    return matcher.targets(scope, sentence, default, actor.country if actor else None, previous)
