"""Attributed statements from a parsed paragraph: cue → speaker → content span.

For each sentence the walker finds cues (speech verbs, attitude verbs and
adjectives, "according to", cue nouns with a possessor), resolves the cue's
subject to a speaker, and takes as content the quotation the cue introduces or
closes, else the cue's complement clause. Verbs inside a quotation are never
cues: they belong to the quoted speaker's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stanceline.extract.lexicon import ATTITUDE_ADJECTIVES, ATTITUDE_VERBS, CUE_NOUNS, SPEECH_VERBS
from stanceline.extract.quotes import Quote
from stanceline.extract.speakers import MentionTracker, resolve_subject
from stanceline.records import Speaker, StatementKind

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
MIN_DIRECT_WORDS = 4


@dataclass(frozen=True)
class Candidate:
    """A statement before dating and judging; offsets are document offsets."""

    start: int
    end: int
    speaker: Speaker
    cue: str
    kind: StatementKind
    sentence_start: int
    sentence_end: int
    cue_pos: int
    quote: Quote | None = None
    carrier: Speaker | None = None


def _inside(pos: int, quotes: list[Quote]) -> Quote | None:
    for q in quotes:
        if q.start <= pos < q.end:
            return q
    return None


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    # "X expressed … and stressed that …": a conjoined verb shares the subject.
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)
    # "…, hinting at his readiness": a participle shares the main clause subject.
    if verb.dep_ in ("advcl", "xcomp") and verb.tag_ == "VBG":
        return _subject(verb.head)
    return None


def _acl_subject(verb: Token) -> Token | None:
    """'the IRGC …, opposing any sort of negotiation': the modified noun holds the position."""
    if verb.dep_ in ("acl", "relcl") and verb.tag_ == "VBG" and verb.lemma_.lower() in ATTITUDE_VERBS:
        return verb.head
    return None


def _content_range(verb: Token, subject: Token | None) -> tuple[int, int]:
    """Character range of the cue's content: its subtree without the subject."""
    skip = {t.i for t in subject.subtree} if subject is not None else set()
    tokens = [t for t in verb.subtree if t.i not in skip and not (t.dep_ in ("punct", "cc") and t.i > verb.i and t.head == verb and t.i == verb.right_edge.i)]
    if subject is not None and subject.i < verb.i:
        tokens = [t for t in tokens if t.i > max(skip)] or tokens
    if not tokens:
        return verb.idx, verb.idx + len(verb.text)
    first, last = min(tokens, key=lambda t: t.i), max(tokens, key=lambda t: t.i)
    while last.i > first.i and last.is_punct and last.text not in ("”", '"', "’"):
        last = last.doc[last.i - 1]
    return first.idx, last.idx + len(last.text)


def _quote_for(cue_start: int, cue_end: int, sent_start: int, sent_end: int, text: str, quotes: list[Quote]) -> Quote | None:
    """The quotation this cue introduces (after it) or closes (before it), if any."""
    best: Quote | None = None
    for q in quotes:
        if q.open_mark >= cue_end:
            between = text[cue_end : q.open_mark]
            if (q.open_mark < sent_end or between.rstrip().endswith((":", ","))) and not any(c in between for c in ".!?\n"):
                if best is None or q.open_mark < best.open_mark:
                    best = q
        elif q.outer_end <= cue_start and q.outer_end >= sent_start - 1:
            between = text[q.outer_end : cue_start]
            if len(between) < 160 and "\n" not in between:
                if best is None or best.open_mark >= cue_end or q.start > best.start:
                    best = q
        elif q.close_mark is None and q.outer_end <= cue_start and "\n" not in text[q.end : cue_start] and cue_start - q.end < 160:
            best = best or q
    return best


def _cues(sent: Span, offset: int, quotes: list[Quote]) -> list[tuple[Token, Token | None, str]]:
    """(cue token, subject token, cue kind) for one sentence."""
    found: list[tuple[Token, Token | None, str]] = []
    for tok in sent:
        if _inside(offset + tok.idx, quotes):
            continue
        lemma = tok.lemma_.lower()
        if tok.pos_ in ("VERB", "AUX") and (lemma in SPEECH_VERBS or lemma in ATTITUDE_VERBS):
            subj = _subject(tok) or _acl_subject(tok)
            if subj is not None:
                found.append((tok, subj, "speech" if lemma in SPEECH_VERBS else "attitude"))
        elif tok.pos_ == "ADJ" and lemma in ATTITUDE_ADJECTIVES and tok.dep_ in ("acomp", "amod", "oprd"):
            subj = _subject(tok.head) if tok.dep_ == "acomp" else None
            if subj is not None:
                found.append((tok, subj, "attitude"))
        elif tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.nbor(1).lower_ == "to":
            pobj = next((c for c in tok.nbor(1).children if c.dep_ == "pobj"), None)
            if pobj is not None:
                found.append((tok, pobj, "according"))
        elif tok.pos_ == "NOUN" and lemma in CUE_NOUNS:
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is not None and poss.pos_ in ("PROPN", "NOUN"):
                found.append((tok, poss, "nominal"))
    return found


def extract_from_paragraph(
    sents: list[Span], offset: int, text: str, quotes: list[Quote], tracker: MentionTracker, country_hint: str | None
) -> list[Candidate]:
    """Candidates of one parsed paragraph (``offset`` = its start in the document)."""
    out: list[Candidate] = []
    for sent in sents:
        s_start, s_end = offset + sent.start_char, offset + sent.end_char
        per_speaker: dict[str, Candidate] = {}
        according: list[tuple[Speaker, int]] = []
        for tok, subj, kind in _cues(sent, offset, quotes):
            speaker = resolve_subject(subj, offset, tracker, country_hint) if subj is not None else None
            if speaker is None:
                continue
            if kind == "according":
                according.append((speaker, offset + tok.idx))
            cue_start, cue_end = offset + tok.idx, offset + tok.idx + len(tok.text)
            quote = _quote_for(min(cue_start, speaker.start or cue_start), cue_end, s_start, s_end, text, quotes)
            if kind in ("nominal", "attitude") and quote is not None and quote.words >= MIN_DIRECT_WORDS and quote.start < cue_start:
                quote = None  # a position noun does not close a preceding quotation
            if quote is not None and quote.words >= MIN_DIRECT_WORDS:
                start, end, skind = quote.start, quote.end, "direct"
            else:
                if kind == "according":
                    start, end = s_start, s_end
                else:
                    verb = tok.head if tok.pos_ == "ADJ" else tok
                    start, end = _content_range(verb, subj if subj.i != verb.i else None)
                    start, end = offset + start, offset + end
                    if kind == "nominal":
                        start, end = offset + tok.idx, max(end, offset + tok.right_edge.idx + len(tok.right_edge.text))
                skind = "mixed" if any(start <= q.start < end for q in quotes) else "indirect"
                if end - start < 12:
                    continue
            cand = Candidate(start, end, speaker, tok.lemma_.lower() if kind != "according" else "according to",
                             skind, s_start, s_end, cue_start, quote if skind == "direct" else None)
            key = speaker.name
            prev = per_speaker.get(key)
            if prev is None or _better(cand, prev):
                per_speaker[key] = cand
        for cand in per_speaker.values():
            out.append(cand)
        # "X said …, according to the Y website": the outlet carried X's words.
        if according and len(per_speaker) > 1:
            for outlet, _ in according:
                if outlet.kind == "outlet" and outlet.name in per_speaker:
                    carried = per_speaker[outlet.name]
                    out.remove(carried)
                    others = [c for c in out if c.sentence_start == s_start and c.speaker.kind != "outlet"]
                    for other in others:
                        out[out.index(other)] = _with_carrier(other, outlet)
        for cand in per_speaker.values():
            if cand in out:
                tracker.add_subject(cand.speaker)
    return out


def _with_carrier(cand: Candidate, carrier: Speaker) -> Candidate:
    return Candidate(cand.start, cand.end, cand.speaker, cand.cue, cand.kind, cand.sentence_start, cand.sentence_end,
                     cand.cue_pos, cand.quote, carrier)


def _better(new: Candidate, old: Candidate) -> bool:
    rank = {"direct": 3, "mixed": 2, "indirect": 1, "list": 3, "author": 0}
    if rank[new.kind] != rank[old.kind]:
        return rank[new.kind] > rank[old.kind]
    return (new.end - new.start) > (old.end - old.start)
