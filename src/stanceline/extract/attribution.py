"""Attributed statements from a parsed paragraph: cue → speaker → content span.

For each sentence the walker finds cues (speech verbs, attitude verbs and
adjectives, "according to", cue nouns with a possessor), resolves the cue's
subject to a speaker, and takes as content the quotation the cue introduces or
closes, else the cue's complement clause. Verbs inside a quotation are never
cues: they belong to the quoted speaker's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    mention: tuple[int, int, str] | None = None  # where the speaker is written here, when resolved from elsewhere


# Attitude verbs that name an act of asking or offering: negated, they report that nothing was said.
UNSAID_WHEN_NEGATED = frozenset({"call", "urge", "demand", "ask", "push", "order", "instruct", "invite", "offer", "campaign"})

def _inside(pos: int, quotes: list[Quote]) -> Quote | None:
    for q in quotes:
        if q.start <= pos < q.end:
            return q
    return None


RELATIVIZERS = frozenset({"who", "which", "that", "whom"})
MODALS = frozenset({"will", "would", "may", "might", "could", "should", "shall", "must", "can"})
QUOTE_ONLY = frozenset({"continue", "conclude", "reply", "answer", "recall"})


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "nsubjpass":
            if verb.lemma_.lower() not in SPEECH_VERBS and verb.lemma_.lower() not in ATTITUDE_VERBS:
                return None
            # "… is well explained by the newspaper X": the agent speaks, not the subject.
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            if pobj is not None:
                return pobj
            if verb.lemma_.lower() in SPEECH_VERBS and child.lower_ not in ("it",):
                return child  # "X was quoted as saying"
            return None
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if subjects:
        # Two subjects happen on scraped text ("Iran, May 19, 2019 In …, Khamenei told …"):
        # the one nearest the verb is the speaker.
        child = min(subjects, key=lambda c: abs(verb.i - c.i))
        if child.lower_ in RELATIVIZERS and verb.dep_ == "relcl":
            return verb.head  # "the IRGC, which opposes talks"
        return child
    # "Arman daily reported …" is often parsed with "daily" as an adverb and no subject:
    # a name standing right before the verb is its subject.
    for left in verb.lefts:
        if left.dep_ in ("advmod", "npadvmod") and any(t.pos_ == "PROPN" for t in left.subtree) and left.i == verb.i - 1:
            return left
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
    if verb.dep_ == "parataxis" and verb.head.i != verb.i and not any(
            c.dep_ in ("ccomp", "dobj", "xcomp", "prep") for c in verb.children):
        # "Talks with a president …, the paper wrote, would be a gift to him": the attribution sits
        # inside the sentence it reports, which is the content.
        sentence = verb.sent
        first, last = sentence[0], sentence[-1]
        while first.i < last.i and (first.is_punct or first.is_space):
            first = first.doc[first.i + 1]
        while last.i > first.i and last.is_punct and last.text not in ("”", '"', "’"):
            last = last.doc[last.i - 1]
        return first.idx, last.idx + len(last.text)
    if subject is not None and subject.i < verb.i:
        # "Tehran remained ready to revive the deal, President Raisi told reporters": the reported
        # clause comes first, the speaker after it.
        fronted = next((c for c in verb.children if c.dep_ in ("ccomp", "parataxis") and c.i < subject.left_edge.i), None)
        if fronted is not None:
            first, last = fronted.left_edge, fronted.right_edge
            while last.i > first.i and last.is_punct and last.text not in ("”", '"', "’"):
                last = last.doc[last.i - 1]
            return first.idx, last.idx + len(last.text)
    skip = {t.i for t in subject.subtree} if subject is not None else set()
    for tok in verb.subtree:
        # "…, although Pompeo said …" and "…, and X said …" are other speakers' words, even deep
        # inside the first report's parse.
        if tok.i > verb.i and tok.lemma_.lower() in SPEECH_VERBS and tok.dep_ in ("advcl", "conj", "parataxis") and any(
            c.dep_ in SUBJECT_DEPS and c.pos_ in ("PROPN", "NOUN", "PRON") for c in tok.children
        ) and (tok.dep_ != "advcl" or any(c.dep_ == "mark" for c in tok.children)):
            skip.update(t.i for t in tok.subtree)
    tokens = [t for t in verb.subtree if t.i not in skip and not (t.dep_ in ("punct", "cc") and t.i > verb.i and t.head == verb and t.i == verb.right_edge.i)]
    if subject is not None and subject.i < verb.i:
        tokens = [t for t in tokens if t.i > max(skip)] or tokens
    if not tokens:
        return verb.idx, verb.idx + len(verb.text)
    first, last = min(tokens, key=lambda t: t.i), max(tokens, key=lambda t: t.i)
    while last.i > first.i and last.is_punct and last.text not in ("”", '"', "’"):
        last = last.doc[last.i - 1]
    return first.idx, last.idx + len(last.text)


_LEAD_IN = re.compile(r"^[\s,:;—–-]*(?:(?:on|in|at|during|last|this|earlier)\b[^“”\"«»]{0,40}?)?[\s,]*(?:that|as saying|saying|:)?[\s,:;—–-]*$", re.I)


def _quote_for(cue_start: int, cue_end: int, sent_start: int, sent_end: int, text: str, quotes: list[Quote],
               speaker: Speaker) -> Quote | None:
    """The quotation this cue introduces (right after it) or closes (right before it), if any.

    After the cue only a date, "that" or punctuation may stand between cue and quote
    ("said on May 14 that “…”", "told reporters: “…”"); before the cue only the speaker
    and punctuation ("“…,” Bavand said", "“…,” said Bavand, the …").
    """
    for q in quotes:
        if q.open_mark >= cue_end and q.open_mark - cue_end < 120:
            between = text[cue_end : q.open_mark]
            if "\n" in between.strip(" ") and not between.rstrip().endswith(":"):
                continue
            # "told a gathering of citizens in Tehran on Monday: “…”": a colon right before the
            # quotation introduces it, whatever short phrase stands between.
            if between.rstrip().endswith(":") and not re.search(r"[.!?“”\"]", between) and len(between.split()) <= 15:
                return q
            between = _strip_object(between)
            if _LEAD_IN.match(between):
                return q
    return _preceding_quote(cue_start, text, quotes, speaker)


def _preceding_quote(cue_start: int, text: str, quotes: list[Quote], speaker: Speaker) -> Quote | None:
    """The quotation closed right before the speaker and cue ("“…,” Bavand said")."""
    before = [q for q in quotes if q.outer_end <= cue_start and cue_start - q.outer_end < 200]
    if before:
        q = max(before, key=lambda x: x.outer_end)
        if text[q.start : q.end].rstrip().endswith("."):
            return None  # “… need it.” Raisi told …: a full stop inside the marks ends that quotation's sentence
        between = text[q.outer_end : cue_start]
        if "\n" not in between:
            if speaker.start is not None and q.outer_end <= speaker.start < cue_start:
                between = text[q.outer_end : speaker.start]
            if re.fullmatch(r"[\s,.;:!?—–\-”\"’]*", between):
                return q
    return None


def _strip_object(between: str) -> str:
    """'told his concerned cronies: ' → ': ' — the addressee of 'tell' may stand before the quote."""
    m = re.match(r"^\s*(?:his|her|their|the|a|an|its)?\s*(?:[\w’'-]+\s+){0,3}?(?:reporters|journalists|cronies|audience|crowd|lawmakers|officials|students|worshippers|parliament|gathering|people|nation|press|media|him|her|them|us|me|[A-Z][\w-]+)\s*(?=[:,])", between)
    return between[m.end():] if m else between


def _cues(sent: Span, offset: int, quotes: list[Quote]) -> list[tuple[Token, Token | None, str]]:
    """(cue token, subject token, cue kind) for one sentence."""
    found: list[tuple[Token, Token | None, str]] = []
    for tok in sent:
        if _inside(offset + tok.idx, quotes):
            continue
        lemma = tok.lemma_.lower()
        if tok.pos_ in ("VERB", "AUX") and (lemma in SPEECH_VERBS or lemma in ATTITUDE_VERBS):
            if any(c.dep_ == "aux" and c.lower_ in MODALS for c in tok.children):
                continue  # "will say", "would reject": a prediction, not a statement
            if tok.dep_ == "relcl" and lemma not in SPEECH_VERBS and not any(c.dep_ in SUBJECT_DEPS and c.lower_ in RELATIVIZERS for c in tok.children):
                continue  # "the returns that Iran was seeking": the relative clause describes a thing
            if tok.tag_ == "VBG" and tok.dep_ in ("acl", "pcomp", "dobj", "pobj") and lemma in SPEECH_VERBS:
                continue  # "citing Trump saying …": a reported report inside a prepositional phrase
            if ((lemma in SPEECH_VERBS and lemma not in ATTITUDE_VERBS) or lemma in UNSAID_WHEN_NEGATED) and any(
                    c.dep_ == "neg" for c in tok.children):
                # "did not mention negotiations", "did not say", "did not call for the talks to stop": an
                # absence, not a statement ("did not reject talks", by contrast, states a position).
                continue
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
            # "X's refusal to negotiate", "X's threats to 'rip up the agreement'": only a noun with
            # its own complement states a position; "X's condemnation of abuses" reports an act.
            has_complement = any(
                c.dep_ in ("acl", "ccomp", "relcl") or (c.dep_ == "prep" and c.lower_ in ("that",))
                or (c.dep_ == "acl" and any(g.lower_ == "to" for g in c.children))
                for c in tok.children
            )
            if poss is not None and poss.pos_ in ("PROPN", "NOUN") and has_complement:
                found.append((tok, poss, "nominal"))
    return found


COMPLEMENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "pcomp", "prep", "acl", "oprd", "attr", "acomp", "pobj", "advcl"})
_HYPOTHETICAL = frozenset({"if", "unless", "whether", "once"})


def _nested_in(inner: Token, outer: Token) -> bool:
    """Is ``inner`` inside the reported content of ``outer`` (not a side clause)?

    "…, although Pompeo said …" hangs under the first report in the parse but is a second
    speaker's: a concessive or contrastive clause on the path breaks the nesting.
    """
    node, steps = inner, 0  # spaCy makes a new Token object per access: compare indices, not identity
    while node.head.i != node.i and steps < 12:
        # "… told reporters that A, and that Tehran remained ready …": a conjoined that-clause is
        # still the report's content; any other conjunct is a clause of its own.
        that_clause = node.dep_ == "conj" and any(c.dep_ == "mark" and c.lower_ == "that" for c in node.children)
        if (node.dep_ in ("conj", "parataxis") and not that_clause) or (node.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in ("although", "though", "while", "whereas", "but", "whilst") for c in node.children
        )):
            return False
        parent = node.head
        if parent.i == outer.i:
            return node.dep_ in COMPLEMENT_DEPS or that_clause
        node, steps = parent, steps + 1
    return False


def extract_from_paragraph(
    sents: list[Span], offset: int, text: str, quotes: list[Quote], tracker: MentionTracker, country_hint: str | None
) -> list[Candidate]:
    """Candidates of one parsed paragraph (``offset`` = its start in the document)."""
    out: list[Candidate] = []
    for sent in sents:
        s_start, s_end = offset + sent.start_char, offset + sent.end_char
        resolved: list[tuple[Token, str, Candidate | None]] = []  # every cue, resolved or not (blocks nesting)
        according: list[Speaker] = []
        for tok, subj, kind in _cues(sent, offset, quotes):
            if any(c.dep_ == "mark" and c.lower_ in _HYPOTHETICAL for c in tok.children):
                continue  # "if they accept concessions": a hypothesis, not a position
            speaker = resolve_subject(subj, offset, tracker, country_hint) if subj is not None else None
            if speaker is None:
                resolved.append((tok, kind, None))
                continue
            if kind == "according":
                according.append(speaker)
            cand = _candidate(tok, subj, kind, speaker, offset, text, quotes, s_start, s_end)
            if cand is not None and subj is not None and not s_start <= (speaker.start if speaker.start is not None else -1) < s_end:
                cand = replace(cand, mention=_as_written(subj, offset))  # "he", "the spokesman": resolved elsewhere
            resolved.append((tok, kind, cand))
        kept: list[Candidate] = []
        for tok, kind, cand in resolved:
            if cand is None:
                continue
            outer = next((o for o in resolved if o[0].i != tok.i and o[1] == "speech" and _nested_in(tok, o[0])), None)
            if outer is not None:
                outer_cand = outer[2]
                if outer_cand is not None and outer_cand.speaker.kind == "outlet" and cand.speaker.kind != "outlet" and kind == "speech":
                    cand = _with_carrier(cand, outer_cand.speaker)  # "Arman daily reported that Bavand said …"
                else:
                    continue  # part of someone else's report (named or not)
            kept.append(cand)
        per_speaker: dict[str, Candidate] = {}
        for cand in kept:
            if cand.speaker.kind == "outlet" and any(c.carrier is not None and c.carrier.name == cand.speaker.name for c in kept):
                continue  # the outlet only carried someone's words
            prev = per_speaker.get(cand.speaker.name)
            if prev is None or _better(cand, prev):
                per_speaker[cand.speaker.name] = cand
        # "X said …, according to the Y website": the outlet carried X's words.
        for outlet in (a for a in according if a.kind == "outlet"):
            if outlet.name in per_speaker and len(per_speaker) > 1:
                del per_speaker[outlet.name]
                for name, other in list(per_speaker.items()):
                    if other.speaker.kind != "outlet" and other.carrier is None:
                        per_speaker[name] = _with_carrier(other, outlet)
        for cand in per_speaker.values():
            out.append(cand)
            tracker.add_subject(cand.speaker)
    return out


def _candidate(
    tok: Token, subj: Token | None, kind: str, speaker: Speaker, offset: int, text: str, quotes: list[Quote],
    s_start: int, s_end: int,
) -> Candidate | None:
    cue_start, cue_end = offset + tok.idx, offset + tok.idx + len(tok.text)
    quote = _quote_for(cue_start, cue_end, s_start, s_end, text, quotes, speaker)
    if kind == "speech" and tok.lemma_.lower() in QUOTE_ONLY and quote is None:
        return None  # "continues to accelerate": not speech without a quotation
    if kind in ("nominal", "attitude") and quote is not None and quote.words >= MIN_DIRECT_WORDS and quote.start < cue_start:
        quote = None  # a position noun does not close a preceding quotation
    skind: StatementKind
    if quote is not None and quote.open_mark >= cue_end:
        # "“Negotiation,” Khamenei said, “is poison”": one quotation split by its attribution.
        first = _preceding_quote(min(cue_start, speaker.start or cue_start), text, quotes, speaker)
        continues = text[quote.start : quote.start + 1].islower()  # “…,” he said, “is poison …”
        if first is not None and continues and quote.start - first.end < 160:
            quote = Quote(first.start, quote.end, first.open_mark, quote.close_mark, first.words + quote.words)
    if quote is not None and quote.words >= MIN_DIRECT_WORDS:
        start, end, skind = quote.start, quote.end, "direct"
    else:
        if kind == "according":
            start, end = s_start, s_end
        else:
            verb = tok.head if tok.pos_ == "ADJ" else tok
            start, end = _content_range(verb, subj if subj is not None and subj.i != verb.i else None)
            start, end = offset + start, offset + end
            if kind == "nominal":
                start, end = offset + tok.idx, max(end, offset + tok.right_edge.idx + len(tok.right_edge.text))
        skind = "mixed" if any(start <= q.start < end for q in quotes) else "indirect"
        if end - start < 12:
            return None
    cue = tok.lemma_.lower() if kind != "according" else "according to"
    return Candidate(start, end, speaker, cue, skind, s_start, s_end, cue_start, quote if skind == "direct" else None)


def _with_carrier(cand: Candidate, carrier: Speaker) -> Candidate:
    return replace(cand, carrier=carrier)


def _better(new: Candidate, old: Candidate) -> bool:
    rank = {"direct": 3, "mixed": 2, "indirect": 1, "list": 3, "author": 0}
    if rank[new.kind] != rank[old.kind]:
        return rank[new.kind] > rank[old.kind]
    return (new.end - new.start) > (old.end - old.start)


def _as_written(subj: Token, offset: int) -> tuple[int, int, str]:
    """The mention a speaker was read from in this sentence ("he", "the spokesman"): offsets and text."""
    left = min((t.left_edge.i for t in subj.lefts if t.dep_ in ("det", "amod", "compound", "poss")), default=subj.i)
    mention = subj.doc[left : subj.i + 1]
    return offset + mention.start_char, offset + mention.end_char, mention.text
