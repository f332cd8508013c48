"""Statement extraction: the ``attribution.v1`` extractor and the ``Extractor`` protocol."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from stanceline.actors.linker import Linker
from stanceline.clean.dates import find_dates
from stanceline.extract.attribution import Candidate, extract_from_paragraph
from stanceline.extract.dating import date_for
from stanceline.extract.forms import find_forms
from stanceline.extract.lexicon import (
    CANDIDATE,
    ORG_NOUNS,
    OUTLET_NOUNS,
    PERSON_ROLE_NOUNS,
    PRONOUNS_GROUP,
    PRONOUNS_PERSON,
)
from stanceline.extract.quotes import Quote, find_quotes
from stanceline.extract.speakers import MentionTracker, entity_speaker, linked_speaker
from stanceline.extract.thesis import author_thesis
from stanceline.records import DateSource, Document, PartialDate, Speaker, Statement, StatementKind
from stanceline.registry import extractors

if TYPE_CHECKING:
    from spacy.language import Language

VERSION = "attribution.v1"
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP")
MAX_DIRECT_FOCUS_WORDS = 60
# A "paragraph" this long is a page without line breaks or junk; the parser's cost grows with it
# and spaCy refuses texts over a million characters. Such lines are scanned for names only.
MAX_PARSE_CHARS = 20_000


class Extractor(Protocol):
    name: str

    def extract(self, doc: Document) -> list[Statement]: ...


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _country_hint(text: str, linker: Linker) -> str | None:
    pattern = linker.mention_pattern
    if pattern is None:
        return None
    counts: Counter[str] = Counter()
    for m in pattern.finditer(text[:20000]):
        actor_id = linker.by_alias.get(m.group(0).casefold().replace("’", "'"))
        actor = linker.actor(actor_id) if actor_id else None
        if actor is not None and actor.country:
            counts[actor.country] += 1
    return counts.most_common(1)[0][0] if counts else None


class AttributionExtractor:
    """Rules over spaCy's parse plus line forms; see ``docs/ARCHITECTURE.md``."""

    name = VERSION

    def __init__(self, nlp: Language, linker: Linker, every_attribution: bool = False) -> None:
        self.nlp = nlp
        self.linker = linker
        self.every_attribution = every_attribution  # the rules name their speakers; learned extractors may keep the unnamed

    def extract(self, doc: Document) -> list[Statement]:
        text = doc.text
        # Offices are resolved by date ("the president" in 2014 is Rouhani): an undated document is
        # placed at the latest date it names rather than today.
        when = doc.published or _reference_date(text)
        tracker = MentionTracker(self.linker, when)
        quotes = find_quotes(text)
        hint = _country_hint(text, self.linker)
        paragraphs = _paragraphs(text)
        single = sum(1 for _, line in paragraphs if line.strip()) == 1
        todo = [(pos, line) for pos, line in paragraphs
                if line.strip() and len(line) <= MAX_PARSE_CHARS and self._needs_parse(line)
                and not _is_heading(line, first=(pos == 0 and not single))]
        parsed = dict(zip((pos for pos, _ in todo), self.nlp.pipe(_mask_dateline(line) for _, line in todo), strict=True))
        candidates: list[Candidate] = []
        added: list[Candidate] = []  # a learned stage's statements, resolved in document order, kept after the rules'
        for pos, line in paragraphs:
            if not line.strip():
                continue
            spacy_doc = parsed.get(pos)
            if spacy_doc is None:
                tracker.add_text_mentions(line, pos)
                continue
            learned = self._read_paragraph(spacy_doc)
            for k, sent in enumerate(spacy_doc.sents):
                found = extract_from_paragraph([sent], pos, text, quotes, tracker, hint)
                candidates.extend(found)
                added.extend(self._learned_candidates(learned, k, spacy_doc, pos, text, tracker, hint, [*candidates, *added]))
                self._track_sentence(sent, pos, tracker, hint)
        candidates = self._possessive_positions(candidates, text, when, paragraphs)
        candidates = self._in_words(candidates, text, when, paragraphs, tracker)
        candidates = self._parenthetical(candidates, quotes, text, when)
        candidates = self._pattern_attributions(candidates, quotes, text, when)
        candidates = self._attach_orphan_quotes(candidates, quotes, text, tracker)
        candidates = self._reattribute_carried(candidates, text)
        # The rules' statements stand; a learned one is added where none of theirs covers it.
        candidates = sorted([*candidates, *(a for a in added if not any(_covered(c.start, c.end, a.start, a.end) for c in candidates))],
                            key=lambda c: c.start)
        forms = find_forms(text, self.linker, when)
        statements = self._to_statements(doc, candidates, quotes)
        taken = [(s.start, s.end) for s in statements]
        for form in forms:
            if any(s < form.end and form.start < e for s, e in taken):
                statements = [st for st in statements if not (st.start < form.end and form.start < st.end)]
            date = doc.published
            source: DateSource = "publication" if doc.published else "none"
            statements.append(Statement(
                document_id=doc.id, start=form.start, end=form.end, text=text[form.start:form.end], speaker=form.speaker,
                cue=form.cue, kind="list" if form.cue == "viewpoint" else "direct", produced_by=self.name, date=date,
                date_source=source, sentence_start=form.start, sentence_end=form.end, stated_argument=form.argument,
            ))
        thesis = author_thesis(doc, statements, self.linker)
        if thesis is not None:
            statements.append(thesis)
        statements.sort(key=lambda s: s.start)
        return statements

    def _needs_parse(self, line: str) -> bool:
        """Only paragraphs with an attribution cue reach the parser."""
        return CANDIDATE.search(line) is not None

    def _read_paragraph(self, spacy_doc: object) -> object:
        """What a learned extractor reads off a parsed paragraph once (nothing here)."""
        return None

    def _learned_candidates(self, learned: object, sentence: int, spacy_doc: object, offset: int, text: str,
                            tracker: MentionTracker, hint: str | None, existing: list[Candidate]) -> list[Candidate]:
        """Statements a learned extractor adds in one sentence, the tracker standing just before it (none here)."""
        return []

    def _track_sentence(self, sent: object, offset: int, tracker: MentionTracker, hint: str | None) -> None:
        from stanceline.extract.speakers import Mention, resolve_subject

        if sent.doc.has_annotation("ENT_IOB"):  # type: ignore[attr-defined]
            for ent in sent.ents:  # type: ignore[attr-defined]
                if ent.label_ in ENTITY_LABELS:
                    speaker = entity_speaker(ent.text, ent.label_, offset + ent.start_char, offset + ent.end_char, self.linker, tracker.when)
                    if speaker is not None:
                        tracker.add(Mention(speaker.start or 0, speaker.end or 0, speaker, False))
        else:
            # Without the NER component (the default: it costs as much as the rest of the
            # pipeline), proper-noun runs stand in for entities: pack actors, or full names.
            for start, end in _proper_runs(sent):
                span = sent.doc[start:end]  # type: ignore[attr-defined]
                link = self.linker.link(span.text, tracker.when)
                if link.actor_id is None and end - start < 2:
                    continue
                label = {"person": "PERSON", "government": "GPE"}.get(link.kind, "ORG") if link.actor_id else "PERSON"
                speaker = entity_speaker(span.text, label, offset + span.start_char, offset + span.end_char, self.linker, tracker.when)
                if speaker is not None:
                    tracker.add(Mention(speaker.start or 0, speaker.end or 0, speaker, False))
        for tok in sent:  # type: ignore[attr-defined]
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.pos_ in ("VERB", "AUX"):
                speaker = resolve_subject(tok, offset, tracker, hint)
                if speaker is not None:
                    tracker.add(Mention(offset + tok.idx, offset + tok.idx + len(tok.text), speaker, True))
                elif tok.tag_ in ("NNS", "NNPS"):
                    tracker.plural_subjects.append(offset + tok.idx)
                elif tok.lemma_.lower() in PERSON_ROLE_NOUNS and any(
                        c.dep_ == "det" and c.lower_ in ("a", "an", "one", "another") for c in tok.children):
                    tracker.unnamed_persons.append(offset + tok.idx)  # "A senior U.S. official told …"

    def _attach_orphan_quotes(self, cands: list[Candidate], quotes: list[Quote], text: str,
                              tracker: MentionTracker) -> list[Candidate]:
        """A quotation nobody introduces, opening a paragraph right after a statement, continues it."""
        used = {c.quote.start for c in cands if c.quote is not None}
        out = list(cands)
        for q in quotes:
            if q.start in used or q.words < 6:
                continue
            line_start = text.rfind("\n", 0, q.open_mark) + 1
            lead = text[line_start : q.open_mark].rstrip()
            if lead and not lead.endswith((".", "!", "?")):
                continue  # inside a sentence (or after "X told Y:" we failed to read) it is no continuation
            before = [c for c in out if c.end <= q.open_mark and q.open_mark - c.end < 600]
            if not before:
                continue
            prev = max(before, key=lambda c: c.end)
            closing = _ATTRIBUTED_AFTER.match(text, q.outer_end)
            unnamed_between = any(prev.end <= p < q.open_mark for p in tracker.unnamed_persons)
            if closing and (unnamed_between or not _may_refer_to(closing.group("who"), prev.speaker)):
                continue  # '“…,” the official said' after the President spoke: someone we could not name
            if "\n\n\n" in text[prev.end : q.open_mark]:
                continue
            out.append(Candidate(q.start, q.end, prev.speaker, "continues", "direct", q.open_mark, q.outer_end, q.open_mark, q))
        return sorted(out, key=lambda c: c.start)

    def _in_words(self, cands: list[Candidate], text: str, when: PartialDate | None,
                  paragraphs: list[tuple[int, str]], tracker: MentionTracker) -> list[Candidate]:
        """'In Abe's words, the visit was “a big step forward”', 'in the words of Zarif, …': no speech
        verb, the phrase itself attributes the rest of the sentence."""
        out = list(cands)
        for pos, line in paragraphs:
            for m in _IN_WORDS.finditer(line):
                start, end = pos + m.start("content"), pos + m.end("content")
                if any(c.start < end and start < c.end for c in out):
                    continue
                name = m.group("name") or m.group("name2")
                npos = pos + (m.start("name") if m.group("name") else m.start("name2"))
                link = self.linker.link(name, when)
                speaker: Speaker | None
                if link.actor_id is not None:
                    speaker = linked_speaker(name, link, npos, npos + len(name))
                else:  # a surname of someone named earlier ("Japanese Prime Minister Shinzo Abe … In Abe's words")
                    last = name.split()[-1]
                    speaker = next((mn.speaker for mn in reversed(tracker.mentions) if mn.start < npos
                                    and mn.speaker.kind == "person" and mn.speaker.name.split()[-1] == last), None)
                    if speaker is None and len(name.split()) >= 2:
                        speaker = Speaker(text=name, name=name, kind="person", actor_id=None, start=npos, end=npos + len(name))
                if speaker is None:
                    continue
                content = m.group("content")
                kind: StatementKind = "mixed" if any(ch in content for ch in "“\"«") else "indirect"
                out.append(Candidate(start, end, speaker, "words", kind, pos + m.start(), end, pos + m.start()))
        return sorted(out, key=lambda c: c.start)

    def _possessive_positions(self, cands: list[Candidate], text: str, published: PartialDate | None,
                              paragraphs: list[tuple[int, str]]) -> list[Candidate]:
        """'US president Donald Trump’s threats to “rip up the agreement”', 'Tehran's refusal to negotiate':
        a position noun with a named possessor and its own complement. The parser often misreads
        these phrases, so a pattern finds them; only linked or person-like names count."""
        out = list(cands)
        for pos, line in paragraphs:
            if not line.strip() or _is_heading(line, first=(pos == 0)):
                continue
            for m in _POSSESSIVE_POSITION.finditer(line):
                start, end = pos + m.start("noun"), pos + m.end("clause")
                if any(c.start <= start < c.end or start <= c.start < end for c in out):
                    continue
                name = m.group("name")
                link = self.linker.link(name, published)
                if link.actor_id is None:
                    continue
                speaker = linked_speaker(name, link, pos + m.start("name"), pos + m.end("name"))
                s_start = pos + line.rfind(".", 0, m.start()) + 1
                s_end = pos + (line.find(".", m.end()) if line.find(".", m.end()) >= 0 else len(line))
                out.append(Candidate(start, end, speaker, m.group("noun").lower(), "mixed" if "“" in m.group("clause") or '"' in m.group("clause") else "indirect",
                                     s_start, s_end, start))
        return sorted(out, key=lambda c: c.start)

    def _pattern_attributions(self, cands: list[Candidate], quotes: list[Quote], text: str,
                              published: PartialDate | None) -> list[Candidate]:
        """'“…,” Arman daily affiliated to Rouhani faction reported on May 15.': the parser misreads
        press-review attributions; the classic quote–name–verb pattern still finds them. Only for
        quotations no parsed cue claimed, and only with a name the pack knows or a full name."""
        used = {c.quote.start for c in cands if c.quote is not None}
        covered = [(c.start, c.end) for c in cands]
        out = list(cands)
        for q in quotes:
            if q.start in used or q.words < MIN_QUOTE_WORDS or any(s <= q.start < e for s, e in covered):
                continue
            m = _AFTER_QUOTE.match(text, q.outer_end) if q.close_mark is not None else None
            where = "after"
            if m is None:
                line_start = text.rfind("\n", 0, q.open_mark) + 1
                m = _BEFORE_QUOTE.search(text[line_start : q.open_mark])
                where = "before"
                if m is None:
                    continue
                base = line_start
            else:
                base = 0
            name = m.group("name").strip()
            if name.split()[0].lower() in ("his", "her", "its", "their", "this", "that"):
                continue  # "His Eminence said": an honorific standing for someone named earlier, not a name
            link = self.linker.link(name, published)
            if link.actor_id is None and len(name.split()) < 2:
                continue
            kind = link.kind if link.actor_id else ("outlet" if m.group("outlet") else "person")
            speaker = Speaker(text=name, name=link.name if link.actor_id else name, kind=kind, actor_id=link.actor_id,
                              role=link.role, start=base + m.start("name"), end=base + m.end("name"))
            verb_pos = base + m.start("verb")
            s_start = q.open_mark if where == "after" else base + m.start()
            if where == "after":
                stop = _SENTENCE_STOP.search(text, base + m.end())
                s_end = stop.end() if stop else len(text)
            else:
                s_end = q.outer_end
            cue = _VERB_LEMMA.get(m.group("verb").lower(), m.group("verb").lower())
            out.append(Candidate(q.start, q.end, speaker, cue, "direct", s_start, s_end, verb_pos, q))
        return sorted(out, key=lambda c: c.start)

    def _parenthetical(self, cands: list[Candidate], quotes: list[Quote], text: str,
                       published: PartialDate | None) -> list[Candidate]:
        """'“…” (Khamenei, February 20)': a citation in brackets right after a quotation."""
        used = {c.quote.start for c in cands if c.quote is not None}
        out = list(cands)
        for q in quotes:
            if q.start in used or q.words < 4:
                continue
            m = _PAREN.match(text, q.outer_end)
            if not m:
                continue
            link = self.linker.link(m.group("name"), published)
            if link.actor_id is None and len(m.group("name").split()) < 2:
                continue
            speaker = Speaker(text=m.group("name"), name=link.name, kind=link.kind if link.actor_id else "person",
                              actor_id=link.actor_id, role=link.role, start=m.start("name"), end=m.end("name"))
            out.append(Candidate(q.start, q.end, speaker, "citation", "direct", q.open_mark, m.end(), m.start("name"), q))
        return sorted(out, key=lambda c: c.start)

    def _reattribute_carried(self, cands: list[Candidate], text: str) -> list[Candidate]:
        """'“…,” the X website wrote': words of the person just introduced, carried by the outlet."""
        out = list(cands)
        for i, cand in enumerate(out):
            if cand.speaker.kind != "outlet" or cand.kind != "direct" or cand.cue not in ("write", "report", "publish", "quote", "according to"):
                continue
            line_start = text.rfind("\n", 0, cand.start) + 1
            lead = text[line_start : cand.start].rstrip(" “\"«")
            if lead and not lead.endswith((".", "!", "?", ":")):
                continue  # the quotation must open its sentence
            prev = [c for c in out[:i] if c.speaker.kind == "person" and cand.start - c.end < 900]
            if not prev:
                continue
            person = prev[-1]
            if person.speaker.name == cand.speaker.name:
                continue
            out[i] = Candidate(cand.start, cand.end, person.speaker, cand.cue, cand.kind, cand.sentence_start,
                               cand.sentence_end, cand.cue_pos, cand.quote, cand.speaker)
        return out

    def _focus(self, text: str, start: int, end: int) -> tuple[int, int]:
        """A long quotation is narrowed to its sentences about negotiating, the evidence a reader wants."""
        if len(text[start:end].split()) <= MAX_DIRECT_FOCUS_WORDS:
            return start, end
        from stanceline.judge.targets import matcher_for

        mentions_negotiation = matcher_for(self.linker.pack).is_about_negotiating
        sentences, pos = [], start
        for piece in _split_sentences(text[start:end]):
            sentences.append((pos, pos + len(piece)))
            pos += len(piece)
        hits = [(s, e) for s, e in sentences if mentions_negotiation(text[s:e])]
        if not hits:
            return start, end
        s, e = hits[0][0], hits[-1][1]
        if len(text[s:e].split()) > MAX_DIRECT_FOCUS_WORDS:
            s, e = hits[0]
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        return s, e

    def _to_statements(self, doc: Document, cands: list[Candidate], quotes: list[Quote]) -> list[Statement]:
        text = doc.text
        mentions = find_dates(text, doc.published)
        anchors: dict[str, PartialDate] = {}
        out: list[Statement] = []
        for c in cands:
            start, end = (self._focus(text, c.start, c.end) if c.kind == "direct" else _trim(text, c.start, c.end))
            quote_span = (c.quote.start, c.quote.end) if c.quote else None
            date, source = date_for(text, c.cue_pos, (c.sentence_start, c.sentence_end), quote_span, mentions,
                                    c.speaker.name, anchors, doc.published)
            if date is not None and source != "publication":
                for part in c.speaker.name.lower().split():
                    anchors[part] = date
            speaker = c.speaker
            if c.mention is not None:
                speaker = replace(speaker, start=c.mention[0], end=c.mention[1], text=c.mention[2])
            out.append(Statement(
                document_id=doc.id, start=start, end=end, text=text[start:end], speaker=speaker, cue=c.cue,
                kind=c.kind, produced_by=self.name, date=date, date_source=source,
                carrier=c.carrier.name if c.carrier else None,
                sentence_start=c.sentence_start, sentence_end=c.sentence_end,
            ))
        return out


MIN_QUOTE_WORDS = 4
_IN_WORDS = re.compile(
    r"\b[Ii]n (?:(?P<name>(?:[A-Z][\w.\-’']+\s){0,3}[A-Z][\w.\-]+)(?:'s|’s) (?:own )?words"
    r"|the words of (?P<name2>(?:[A-Z][\w.\-’']+\s){0,3}[A-Z][\w.\-]+)),\s*(?P<content>[^.!?\n]{10,400}[.!?”\"]*)")
# A wire dateline opening a paragraph: "TEHRAN, Feb. 8 (National News Agency) –", "DOHA/DUBAI, Sept 18
# (Gulf Wire) -", "WASHINGTON (AP) —". The parser reads it as part of the first sentence and may hang the
# sentence's subject on the city.
_DATELINE = re.compile(
    r"[A-Z][A-Z'’.\-]{2,}(?:[ /][A-Z][A-Z'’.\-]+)*"
    r"(?:(?:,\s+[A-Z][A-Za-z.]+(?:\s+\d{1,2})?(?:,?\s+\d{4})?|,\s+\d{1,2}\s+[A-Z][a-z]+(?:\s+\d{4})?)+"
    r"\s*(?:\([^()\n]{2,60}\))?|\s*\([^()\n]{2,60}\))\s*[-–—]+\s+"
)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _reference_date(text: str) -> PartialDate | None:
    """Where to place a document without a date: the latest full date it names, when no year it
    mentions is later (an anniversary, "since 1979", or a deadline "by 2030" makes the guess unsafe)."""
    named = [m.date for m in find_dates(text) if m.source == "explicit" and m.date.day is not None]
    latest = max(named, key=lambda d: d.sort_key(), default=None)
    if latest is None or any(int(y) > latest.year for y in _YEAR.findall(text)):
        return None
    return latest


def _mask_dateline(line: str) -> str:
    """``line`` with a leading wire dateline blanked out (same length, so offsets still hold)."""
    m = _DATELINE.match(line)
    return " " * m.end() + line[m.end():] if m else line
# What a reported-speech span should not begin or end with: the comma after an appositive ("X, in his
# first speech, said …"), a dash, or a conjunction left dangling where the span was cut ("…, but").
_LEADING = re.compile(r"[\s,;:\-–—]+")
_TRAILING = re.compile(r"(?:[\s,;:\-–—]+(?:and|but|or|while|as)?)+$")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    lead = _LEADING.match(text, start, end)
    if lead:
        start = lead.end()
    tail = _TRAILING.search(text[start:end])
    if tail and tail.start() > 0:
        end = start + tail.start()
    return (start, end) if start < end else (start, max(start, end))
_SENTENCE_STOP = re.compile(r"[.!?](?=\s|$)|\n")
_VERB_LEMMA = {"said": "say", "says": "say", "wrote": "write", "writes": "write", "reported": "report", "reports": "report",
               "added": "add", "adds": "add", "told": "tell", "tells": "tell", "stated": "state", "states": "state",
               "declared": "declare", "tweeted": "tweet", "noted": "note", "argued": "argue", "warned": "warn",
               "insisted": "insist", "stressed": "stress"}
_VERBS = r"said|says|wrote|writes|reported|reports|added|adds|told|tells|stated|states|declared|tweeted|noted|argued|warned|insisted|stressed"
# A quotation closed by its own attribution: '“…,” the official said', '“…,” said a senior diplomat'.
_ATTRIBUTED_AFTER = re.compile(r"[\s,]*(?P<who>(?:[\w’'.\-]+\s+){0,6}?)(?:" + _VERBS + r")\b", re.IGNORECASE)


def _may_refer_to(who: str, speaker: Speaker) -> bool:
    """Can the words closing a quotation ("he", "the website", "the senior official", "Zarif") name ``speaker``?"""
    words = [w.lower().strip(".,’'") for w in who.split()]
    if not words:
        return False  # '“…,” said oil analyst X': whoever follows the verb, the parser reads it
    head = words[-1]
    if words[0] in ("his", "her") and head in ("eminence", "excellency", "holiness", "majesty", "highness"):
        return speaker.kind == "person"  # "His Eminence said": an honorific for the person just quoted
    if head in PRONOUNS_PERSON or head in PRONOUNS_GROUP:
        return False  # a pronoun is resolved from the sentences before, not from the last statement
    if head in OUTLET_NOUNS:
        return speaker.kind == "outlet"
    if head in PERSON_ROLE_NOUNS:
        # "the spokesman", or a fresh description of the person just quoted ("the university lecturer")
        return speaker.kind == "person" and (head in (speaker.role or "").lower() or words[0] == "the")
    if head in ORG_NOUNS:
        return speaker.kind != "outlet" and (head in (speaker.role or "").lower() or head in speaker.name.lower())
    return any(w in speaker.name.lower().split() for w in words if len(w) > 2)
_AFTER_QUOTE = re.compile(
    r"[\s,]*(?:(?P<verb0>" + _VERBS + r")\s+)?(?:the\s+)?(?P<name>[A-Z][\w&’'.\-]*(?:\s+(?:&\s+)?[A-Z][\w&’'.\-]*){0,5})"
    r"(?:\s+(?P<outlet>website|daily|newspaper|news agency|agency|paper|weekly))?(?:,?\s+(?!(?:" + _VERBS + r")\b)[^.“”\"\n]{0,90}?)?"
    r"[\s,]+(?P<verb>" + _VERBS + r")\b"
)
_BEFORE_QUOTE = re.compile(
    r"(?:^|[.!?]\s+)(?:the\s+)?(?P<name>[A-Z][\w&’'.\-]*(?:\s+(?:&\s+)?[A-Z][\w&’'.\-]*){0,5})"
    r"(?:\s+(?P<outlet>website|daily|newspaper|news agency|agency|paper|weekly))?"
    r"(?:,[^.“”\"\n]{0,90},)?\s+(?P<verb>" + _VERBS + r")(?:\s+(?:on|in|at)\s+[^,:“”\"]{1,30})?\s*[:,]\s*$"
)
_POSSESSIVE_POSITION = re.compile(
    r"(?P<name>(?:[A-Z][\w.\-]+\s){0,3}[A-Z][\w.\-]+)[’']s\s+(?:[a-z]+\s+){0,2}?"
    r"(?P<noun>threats?|refusal|calls?|demands?|offers?|insistence|pledges?|promises?|vows?|proposals?|warnings?|rejection|readiness|willingness)"
    r"\s+(?:to|that|for)\b(?P<clause>[^.;:!?]{5,200}?)(?=[,.;:!?]\s|[,.;:!?]$|$)"
)
_PAREN = re.compile(r"[\s.,]*\((?P<name>[A-Z][\w'’.\- ]{2,40}?)(?:,\s*(?P<when>[^()]{3,40}))?\)")


def _proper_runs(sent: object) -> list[tuple[int, int]]:
    """Token ranges of consecutive proper nouns (hyphenated names kept whole)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    tokens = list(sent)  # type: ignore[call-overload]
    for k, tok in enumerate(tokens):
        joins = tok.text in ("-", "‐") and start is not None and k + 1 < len(tokens) and tokens[k + 1].pos_ == "PROPN"
        if tok.pos_ == "PROPN" or joins:
            start = tok.i if start is None else start
            continue
        if start is not None:
            runs.append((start, tok.i))
            start = None
    if start is not None:
        runs.append((start, tokens[-1].i + 1))
    return runs


def _is_heading(line: str, first: bool) -> bool:
    """Titles and section headings carry no attributed statements of their own."""
    text = line.strip()
    if first and len(text.split()) < 25 and not text.endswith((".", "!", "?", ".”", '."', "?”", '?"')):
        return True  # a title; a first line that ends as a sentence does is read like any paragraph
    return len(text.split()) < 15 and not text.endswith((".", "!", "?", "”", '"', ":")) and not any(c in text for c in "“\"")


# How much of a learned span a rule statement must cover for the rule's reading to stand for both.
SAME_SPAN = 0.5


def _covered(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Does the statement [a0, a1) already stand for the span [b0, b1)?"""
    inter = min(a1, b1) - max(a0, b0)
    return inter > 0 and inter >= SAME_SPAN * min(a1 - a0, b1 - b0)


def _split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])(\s+)(?=[A-Z“\"‘'])", text)
    out: list[str] = []
    for piece in parts:
        if out and (not piece.strip()):
            out[-1] += piece
        else:
            out.append(piece)
    return out


@extractors.register(VERSION)
def make_attribution_extractor(nlp: Language, linker: Linker, every_attribution: bool = False) -> AttributionExtractor:
    return AttributionExtractor(nlp, linker, every_attribution)
