"""Who is speaking: noun phrases → linked speakers, with pronouns, "the latter" and role nouns.

``MentionTracker`` remembers, in document order, every actor mentioned and every
resolved grammatical subject, which is what a reader uses to resolve "he",
"the latter" or "the website".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stanceline.actors.linker import Link, Linker
from stanceline.extract.lexicon import (
    EXEMPLIFIERS,
    ORG_NOUNS,
    OUTLET_NOUNS,
    PERSON_ROLE_NOUNS,
    PRONOUNS_GROUP,
    PRONOUNS_PERSON,
)
from stanceline.records import PartialDate, Speaker, SpeakerKind

if TYPE_CHECKING:
    from spacy.tokens import Token

NAME_DEPS = frozenset({"compound", "flat", "nmod", "amod", "poss", "case", "det", "nummod", "quantmod"})
_ENT_KIND: dict[str, SpeakerKind] = {"PERSON": "person", "ORG": "organization", "GPE": "government", "NORP": "organization"}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    speaker: Speaker
    subject: bool


@dataclass
class MentionTracker:
    linker: Linker
    when: PartialDate | None
    mentions: list[Mention] = field(default_factory=list)

    def add(self, mention: Mention) -> None:
        self.mentions.append(mention)

    def add_subject(self, speaker: Speaker) -> None:
        if speaker.start is not None:
            self.add(Mention(speaker.start, speaker.end or speaker.start, speaker, True))

    def add_text_mentions(self, text: str, offset: int) -> None:
        """Pack aliases in a paragraph the parser skipped."""
        pattern = self.linker.mention_pattern
        if pattern is None:
            return
        for m in pattern.finditer(text):
            link = self.linker.link(m.group(0), self.when)
            if link.actor_id:
                self.add(Mention(offset + m.start(), offset + m.end(), _speaker(m.group(0), link, offset + m.start(), offset + m.end()), False))

    def last(self, before: int, kinds: set[str], subject_only: bool, skip: int = 0, window: int = 4000) -> Speaker | None:
        seen: list[str] = []
        for mention in reversed(self.mentions):
            if mention.start >= before or before - mention.start > window:
                continue
            if subject_only and not mention.subject:
                continue
            if mention.speaker.kind not in kinds:
                continue
            if mention.speaker.name in seen:
                continue
            if len(seen) == skip:
                return mention.speaker
            seen.append(mention.speaker.name)
        return None


def _speaker(text: str, link: Link, start: int, end: int, role: str | None = None) -> Speaker:
    return Speaker(text=text, name=link.name, kind=link.kind, actor_id=link.actor_id, role=role or link.role, start=start, end=end)


def name_tokens(head: Token) -> list[Token]:
    """The head and its name-forming left dependents ("Supreme Leader Ali Khamenei")."""
    tokens = [head]
    for child in head.lefts:
        if child.dep_ in NAME_DEPS:
            tokens.extend(child.subtree)
    for child in head.rights:
        if child.dep_ in ("flat", "compound") or (child.dep_ == "case" and child.text in ("'s", "’s")):
            tokens.extend(child.subtree)
    return sorted(set(tokens), key=lambda t: t.i)


def _span_text(tokens: list[Token]) -> tuple[str, int, int]:
    doc = tokens[0].doc
    start, end = tokens[0].i, tokens[-1].i + 1
    span = doc[start:end]
    return span.text, span.start_char, span.end_char


def _proper_chunk(head: Token) -> list[Token]:
    """Only the proper-noun part: 'Iran regime supreme leader Ali Khamenei' → 'Ali Khamenei'."""
    chunk = [head]
    for left in reversed(list(head.lefts)):
        if left.dep_ in ("compound", "flat") and left.pos_ == "PROPN" and left.i == chunk[0].i - 1:
            chunk.insert(0, left)
        else:
            break
    return chunk


def _appos_role(head: Token) -> tuple[str | None, Token | None]:
    """Role from an apposition: 'X, the spokesman for …,' → role; a name in apposition → name token."""
    for child in head.rights:
        if child.dep_ == "appos":
            if child.pos_ == "PROPN" and head.pos_ != "PROPN":
                return None, child
            sub = list(child.subtree)
            text = head.doc[sub[0].i : sub[-1].i + 1].text.strip(" ,")
            return text, None
    return None, None


def _title_role(tokens: list[Token], proper: list[Token]) -> str | None:
    """'Supreme Leader Ali Khamenei' → 'Supreme Leader'."""
    first = proper[0].i
    before = [t for t in tokens if t.i < first and t.dep_ != "det"]
    if not before:
        return None
    text = tokens[0].doc[before[0].i : first].text.strip(" ,")
    return text or None


def resolve_subject(head: Token, offset: int, tracker: MentionTracker, country_hint: str | None = None) -> Speaker | None:
    """Turn the subject token of a cue into a ``Speaker``; ``None`` for unnamed collectives."""
    linker = tracker.linker
    doc_pos = offset + head.idx
    lower = head.lower_
    if lower in PRONOUNS_PERSON:
        return tracker.last(doc_pos, {"person"}, subject_only=True) or tracker.last(doc_pos, {"person"}, subject_only=False, window=600)
    if lower in PRONOUNS_GROUP:
        return tracker.last(doc_pos, {"outlet", "organization", "government"}, subject_only=True, window=700)
    if lower in ("latter", "former"):
        return tracker.last(doc_pos, {"person", "organization", "outlet", "government"}, subject_only=False, skip=0 if lower == "latter" else 1, window=1500)
    if head.pos_ == "PRON":
        return None
    role, appos_name = _appos_role(head)
    if appos_name is not None:
        sub_tokens = name_tokens(head)
        role = _span_text(sub_tokens)[0]
        head = appos_name
    tokens = name_tokens(head)
    text, start, end = _span_text(tokens)
    link = linker.link(text, tracker.when, country_hint)
    proper = _proper_chunk(head) if head.pos_ == "PROPN" else []
    if link.actor_id is None and proper:
        ptext, pstart, pend = _span_text(proper)
        plink = linker.link(ptext, tracker.when, country_hint)
        if plink.actor_id is not None or len(proper) >= 1:
            link, text, start, end = plink, ptext, pstart, pend
    if link.actor_id is not None:
        role = role or (_title_role(tokens, proper) if proper else None)
        return _speaker(text, link, offset + start, offset + end, role)
    if head.pos_ == "PROPN" or head.ent_type_ in _ENT_KIND:
        kind = _ENT_KIND.get(head.ent_type_, "person" if len(proper) >= 2 else "unknown")
        if any(t.lower_ in OUTLET_NOUNS for t in tokens):
            kind = "outlet"
        name = link.name if link.name else text
        return Speaker(text=text, name=name, kind=kind, actor_id=None, role=role or (_title_role(tokens, proper) if proper else None), start=offset + start, end=offset + end)
    lemma = head.lemma_.lower()
    has_def = any(t.lower_ in ("the", "this", "that") or t.dep_ == "poss" for t in head.lefts)
    if has_def and lemma in OUTLET_NOUNS:
        return tracker.last(doc_pos, {"outlet"}, subject_only=False, window=2500)
    if has_def and (lemma in PERSON_ROLE_NOUNS or lemma in ORG_NOUNS):
        office = linker.link_office(text, tracker.when, country_hint)
        if office is not None:
            return _speaker(text, office, offset + start, offset + end)
        if lemma in PERSON_ROLE_NOUNS:
            recent = tracker.last(doc_pos, {"person"}, subject_only=False, window=1500)
            if recent is not None and recent.role and lemma in recent.role.lower():
                return recent
    for child in head.children:
        for grand in ([child] if child.dep_ == "appos" else []):
            found = resolve_subject(grand, offset, tracker, country_hint)
            if found is not None:
                return found
        if child.dep_ == "prep" and _exemplifier(child):
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    found = resolve_subject(pobj, offset, tracker, country_hint)
                    if found is not None:
                        return found
        if child.dep_ == "prep" and child.lower_ == "by" and head.lemma_.lower() in ("comment", "remark", "statement", "word", "interview"):
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return resolve_subject(pobj, offset, tracker, country_hint)
    return None


def _exemplifier(prep: Token) -> bool:
    text = prep.lower_
    prev = prep.nbor(-1).lower_ if prep.i > 0 else ""
    nxt = prep.nbor(1).lower_ if prep.i + 1 < len(prep.doc) else ""
    return text in EXEMPLIFIERS or f"{prev} {text}" in EXEMPLIFIERS or f"{text} {nxt}" in EXEMPLIFIERS or (text == "as" and prev == "such")


def entity_speaker(text: str, label: str, start: int, end: int, linker: Linker, when: PartialDate | None) -> Speaker | None:
    link = linker.link(text, when)
    if link.actor_id is not None:
        return _speaker(text, link, start, end)
    kind = _ENT_KIND.get(label)
    if kind is None:
        return None
    return Speaker(text=text, name=text, kind=kind, actor_id=None, start=start, end=end)
