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
    plural_subjects: list[int] = field(default_factory=list)  # positions of unnamed plural subjects
    unnamed_persons: list[int] = field(default_factory=list)  # "a senior official", "an analyst" as subjects

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
                self.add(Mention(offset + m.start(), offset + m.end(), linked_speaker(m.group(0), link, offset + m.start(), offset + m.end()), False))

    def last(self, before: int, kinds: set[str], subject_only: bool, skip: int = 0, window: int = 4000) -> Speaker | None:
        """The most recent mention (by position) before ``before``; ``skip`` = 1 gives 'the former'."""
        seen: list[str] = []
        ordered = sorted((m for m in self.mentions if m.start < before and before - m.start <= window), key=lambda m: m.start)
        for mention in reversed(ordered):
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


def linked_speaker(text: str, link: Link, start: int, end: int, role: str | None = None) -> Speaker:
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
    """Only the proper-noun part: 'Iran regime supreme leader Ali Khamenei' → 'Ali Khamenei'.

    Hyphenated names stay whole ('Nasser Bahrami-Kia'), and leading titles are dropped
    ('Chairman Michael McCaul' → 'Michael McCaul').
    """
    doc = head.doc
    start = head.i
    while start > 0:
        prev = doc[start - 1]
        if prev.pos_ == "PROPN" and prev.dep_ in ("compound", "flat", "nmod", "appos") and prev.head.i >= start:
            start -= 1
        elif prev.text in ("-", "‐") and start > 1 and doc[start - 2].pos_ == "PROPN" and not prev.whitespace_:
            start -= 2
        else:
            break
    end = head.i + 1
    while end + 1 < len(doc) and doc[end].text in ("-", "‐") and not doc[end - 1].whitespace_ and doc[end + 1].pos_ == "PROPN":
        end += 2
    chunk = list(doc[start:end])
    while len(chunk) > 2 and chunk[0].lower_ in _TITLE_PREFIX:
        chunk = chunk[1:]
    return chunk


def _appos_role(head: Token) -> tuple[str | None, Token | None]:
    """Role from an apposition: 'X, the spokesman for …,' → role; a name in apposition → name token."""
    for child in head.rights:
        if child.dep_ == "appos" and not (child.left_edge.i > 0 and child.doc[child.left_edge.i - 1].text == "("):
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
    """Turn the subject token of a cue into a ``Speaker``; ``None`` for unnamed collectives.

    Evidence in order: pronouns and "the latter/former" through the tracker; a name in
    apposition to a title ("the IRGC's Commander-in-Chief, Mohammad Ali Jafari"); the noun
    phrase as a pack alias; its proper-noun part; an outlet named by a compound ("the
    Entekhab website"); a named entity (provisional actor); a definite role noun ("the
    spokesman", "the website") resolved by office and date or by the last such mention; a
    named member of a collective ("Conservatives, along with the Revolutionary Guards").
    """
    linker = tracker.linker
    doc_pos = offset + head.idx
    lower = head.lower_
    if lower in PRONOUNS_PERSON:
        same_clause = _clause_antecedent(head, offset, tracker, {"person"}, country_hint)
        if same_clause is not None:
            return same_clause
        found = (tracker.last(doc_pos, {"person"}, subject_only=True)
                 or tracker.last(doc_pos, {"person"}, subject_only=False, window=600))
        if found is not None and any((found.start or 0) < p < doc_pos for p in tracker.unnamed_persons):
            return None  # "A senior official told reporters … “…,” he said": he is the unnamed official
        return found
    if lower in PRONOUNS_GROUP:
        if head.dep_ in ("expl", "nsubjpass") or (lower == "it" and head.head.lemma_ in ("be", "seem", "appear")):
            return None  # "it can be argued that …", "it is clear that …": no speaker
        found = (_clause_antecedent(head, offset, tracker, {"outlet", "organization", "government"}, country_hint)
                 or tracker.last(doc_pos, {"outlet", "organization", "government"}, subject_only=True, window=700))
        if found is not None and lower == "they" and any(
            (found.start or 0) < p < doc_pos for p in tracker.plural_subjects
        ):
            return None  # "Opponents of talks … They argue …": they are the unnamed opponents
        return found
    if lower in ("latter", "former"):
        return tracker.last(doc_pos, {"person", "organization", "outlet", "government"}, subject_only=False,
                            skip=0 if lower == "latter" else 1, window=1500)
    if head.pos_ == "PRON":
        return None
    if head.lemma_.lower() in ORG_NOUNS:
        # "President Biden … His administration said": the named person's administration, when the pack has it.
        poss = next((c for c in head.children if c.dep_ == "poss" and c.lower_ in ("his", "her")), None)
        if poss is not None:
            person = tracker.last(doc_pos, {"person"}, subject_only=False, window=1500)
            if person is not None:
                link = linker.link(f"{person.name.split()[-1]} {head.lower_}", tracker.when, country_hint)
                if link.actor_id is not None:
                    return linked_speaker(f"{poss.text} {head.text}", link, offset + poss.idx, offset + head.idx + len(head.text))
    role, appos_name = _appos_role(head)
    if appos_name is None and head.lemma_.lower() in (PERSON_ROLE_NOUNS | OUTLET_NOUNS | ORG_NOUNS | TITLE_WORDS):
        appos_name = next((c for c in head.rights if c.dep_ == "appos" and c.pos_ == "PROPN"
                           and not (c.left_edge.i > 0 and c.doc[c.left_edge.i - 1].text == "(")), None)
    if appos_name is not None:
        named = resolve_subject(appos_name, offset, tracker, country_hint)
        if named is not None:
            title = _span_text(name_tokens(head))[0]
            return named if named.role and named.actor_id else _with_role(named, title)
    tokens = name_tokens(head)
    text, start, end = _span_text(tokens)
    link = linker.link(text, tracker.when, country_hint)
    if link.actor_id is not None:
        proper = _proper_chunk(head) if head.pos_ == "PROPN" else []
        return linked_speaker(text, link, offset + start, offset + end, role or (_title_role(tokens, proper) if proper else None))
    lemma = head.lemma_.lower()
    if head.tag_ in ("NNPS", "NNS") or lemma in COLLECTIVES or head.lower_ in COLLECTIVES:
        return _named_member(head, offset, tracker, country_hint)
    if head.pos_ == "PROPN":
        proper = _proper_chunk(head)
        ptext, pstart, pend = _span_text(proper)
        plink = linker.link(ptext, tracker.when, country_hint)
        if plink.actor_id is not None:
            return linked_speaker(ptext, plink, offset + pstart, offset + pend, role or _title_role(tokens, proper))
        kind = _ENT_KIND.get(head.ent_type_, "person" if len(proper) >= 2 else "unknown")
        if any(t.lower_ in OUTLET_NOUNS for t in tokens):
            kind = "outlet"
        if (kind == "unknown" and lemma in TITLE_WORDS) or not proper or ptext.lower() in ("his eminence", "his excellency", "eminence"):
            return None  # a bare capitalised title ("Commander", "His Eminence") names nobody
        if any(t.lower_ in NOT_SPEAKERS for t in tokens):
            return None  # "The Joint Plan of Action agreed …", "the Vienna talks showed …": a text or an event
        return Speaker(text=ptext, name=ptext, kind=kind, actor_id=None, role=role or _title_role(tokens, proper),
                       start=offset + pstart, end=offset + pend)
    if head.pos_ == "NOUN":
        compound = [t for t in tokens if t.pos_ == "PROPN" and t.dep_ in ("compound", "nmod", "amod")]
        if not compound and lemma in ORG_NOUNS:
            # "Qatar's foreign ministry said": the possessor names the government or body.
            compound = [t for t in tokens if t.pos_ == "PROPN" and t.dep_ == "poss"]
        if compound:
            ctext, cstart, cend = _span_text(compound)
            clink = linker.link(ctext, tracker.when, country_hint)
            if clink.actor_id is None and lemma in OUTLET_NOUNS:
                clink = linker.link(f"{ctext} {head.text}", tracker.when, country_hint)
            if clink.actor_id is not None and (lemma in OUTLET_NOUNS or lemma in ORG_NOUNS or clink.kind == "outlet"):
                return linked_speaker(text, clink, offset + start, offset + end, role)
            if lemma in OUTLET_NOUNS:
                return Speaker(text=text, name=ctext, kind="outlet", actor_id=None, role=role, start=offset + cstart, end=offset + cend)
    if head.ent_type_ in _ENT_KIND and head.pos_ != "NOUN":
        return Speaker(text=text, name=text, kind=_ENT_KIND[head.ent_type_], actor_id=None, role=role,
                       start=offset + start, end=offset + end)
    has_def = any(t.lower_ in ("the", "this", "that") or t.dep_ == "poss" for t in head.lefts)
    if has_def and lemma in OUTLET_NOUNS:
        return tracker.last(doc_pos, {"outlet"}, subject_only=False, window=2500)
    if has_def and (lemma in PERSON_ROLE_NOUNS or lemma in ORG_NOUNS):
        # The article's own context first ("Hassan Rohani … The president said"), then the
        # office holder on the article's date.
        if lemma in PERSON_ROLE_NOUNS:
            recent = tracker.last(doc_pos, {"person"}, subject_only=False, window=1500)
            if recent is not None and recent.role and lemma in recent.role.lower():
                return recent
        office = linker.link_office(text, tracker.when, country_hint)
        if office is not None and tracker.when is not None:  # no date, no office holder to pick
            return linked_speaker(text, office, offset + start, offset + end)
    if lemma in CONTENT_NOUNS:
        # "Comments by Hermidas Bavand …", "Bavand's remarks …": the author of the words speaks.
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ == "by":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        return resolve_subject(pobj, offset, tracker, country_hint)
            if child.dep_ == "poss":
                return resolve_subject(child, offset, tracker, country_hint)
    return _named_member(head, offset, tracker, country_hint)


def _with_role(speaker: Speaker, role: str) -> Speaker:
    from dataclasses import replace

    return replace(speaker, role=speaker.role or role)


# Head words of names that are texts, events or places, never speakers (unless the pack lists the name).
NOT_SPEAKERS = frozenset("""
plan action agreement deal accord treaty resolution act framework programme program protocol convention charter
law bill talks summit conference round declaration statute
""".split())

TITLE_WORDS = frozenset("""
commander commander-in-chief secretary minister president spokesman spokeswoman chief director head adviser advisor
leader ayatollah general envoy ambassador chairman speaker deputy representative official
""".split())
CONTENT_NOUNS = frozenset("comment remark statement word interview speech article letter message tweet editorial".split())


_TITLE_PREFIX = frozenset("""
chairman chairwoman president minister secretary senator sen. rep. representative ambassador general gen. commander
mp hardline hardliner reformist conservative lawmaker former deputy vice his her eminence excellency
spokesman spokeswoman ayatollah dr. mr. mrs. ms. prof. professor envoy director chief speaker sheikh hojatoleslam
""".split())

COLLECTIVES = frozenset("""
conservative hardliner hard-liner reformist moderate principlist official opponent supporter critic analyst expert
observer people lawmaker cleric element faction force group camp circle media outlet source diplomat leader member
""".split())


def _named_member(head: Token, offset: int, tracker: MentionTracker, country_hint: str | None) -> Speaker | None:
    """'Media close to the fundamentalists, such as the Vatan-e Emrooz newspaper': the example
    may hang anywhere inside the collective's phrase, not only on its head."""
    for child in head.subtree:
        if child.dep_ == "prep" and _exemplifier(child) and child.i > head.i:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    found = resolve_subject(pobj, offset, tracker, country_hint)
                    if found is not None:
                        return found
    return None


def _clause_antecedent(pron: Token, offset: int, tracker: MentionTracker, kinds: set[str], country_hint: str | None) -> Speaker | None:
    """'the positions espoused by Khamenei suggest that he is keen …': the antecedent sits in the
    subject of a governing clause. Only named entities there count."""
    node = pron.head
    seen = 0
    while node.head.i != node.i and seen < 6:
        node = node.head
        seen += 1
        subj = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or pron in subj.subtree:
            continue
        for tok in subj.subtree:
            named = tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or not tok.doc.has_annotation("ENT_IOB")
            if tok.pos_ == "PROPN" and named and tok.dep_ not in ("compound", "flat"):
                found = resolve_subject(tok, offset, tracker, country_hint)
                if found is not None and found.kind in kinds:
                    return found
    return None


def _exemplifier(prep: Token) -> bool:
    text = prep.lower_
    prev = prep.nbor(-1).lower_ if prep.i > 0 else ""
    nxt = prep.nbor(1).lower_ if prep.i + 1 < len(prep.doc) else ""
    return text in EXEMPLIFIERS or f"{prev} {text}" in EXEMPLIFIERS or f"{text} {nxt}" in EXEMPLIFIERS or (text == "as" and prev == "such")


def entity_speaker(text: str, label: str, start: int, end: int, linker: Linker, when: PartialDate | None) -> Speaker | None:
    link = linker.link(text, when)
    if link.actor_id is not None:
        return linked_speaker(text, link, start, end)
    kind = _ENT_KIND.get(label)
    if kind is None:
        return None
    return Speaker(text=text, name=text, kind=kind, actor_id=None, start=start, end=end)
