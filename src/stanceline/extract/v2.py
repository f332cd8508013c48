"""``attribution.v2``: the rules of ``attribution.v1`` plus a CRF trained on real annotated news.

A cascade: the rules run first and keep what they find (their forms — list and colon lines,
quotations continued across paragraphs, outlets carrying a person's words — are precise); the
CRF (``extract/crf.py``) then reads every parsed paragraph and adds the attributions the rules
missed, mostly indirect speech and cues the word lists never held. Its source span is resolved
to a speaker with the same mention tracker the rules use (pronouns, role nouns, surnames, offices
by date); a content span with no cue or source of its own continues the statement just before it.
The speaker keeps the offsets of the mention it was read from ("he"), its name is the resolved
actor.

The tagger learned PolNeAR's notion of attribution, which is broader than a statement: it counts
beliefs, plans and feelings ("Tehran hopes …") and unidentified sources ("a source said"). A
statement needs an act of saying or a stated position: the cue must be a speech or attitude word
of the lexicon (or the content a quotation), not a modal future ("will maintain"), and the source
must be identified. ``every_attribution`` keeps everything the tagger found, for scoring every
attribution.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from stanceline.actors.linker import Linker
from stanceline.extract import AttributionExtractor, _covered
from stanceline.extract.attribution import Candidate
from stanceline.extract.crf import Found, load_tagger
from stanceline.extract.lexicon import (
    ATTITUDE_VERBS,
    CUE_NOUNS,
    PRONOUNS_GROUP,
    PRONOUNS_PERSON,
    SPEECH_VERBS,
)
from stanceline.extract.speakers import MentionTracker, resolve_subject
from stanceline.records import Document, Speaker, Statement, StatementKind
from stanceline.registry import extractors

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

VERSION = "attribution.v2"
MIN_CONTENT_TOKENS = 3
CONTINUATION_CHARS = 600
JOIN_GAP_CHARS = 80
_QUOTE_MARKS = frozenset("“”\"«»")
_HONORIFICS = frozenset({"eminence", "excellency", "holiness", "majesty", "highness"})
_MODALS = frozenset({"will", "would", "could", "may", "might", "should", "must", "can", "'ll", "’ll"})


class LearnedAttributionExtractor(AttributionExtractor):
    """Rules first, then the trained tagger for what they missed; see the module doc."""

    name = VERSION

    def __init__(self, nlp: Language, linker: Linker, every_attribution: bool = False, model_folder: str | None = None) -> None:
        super().__init__(nlp, linker, every_attribution)
        self.tagger = load_tagger(model_folder)

    def extract(self, doc: Document) -> list[Statement]:
        statements = super().extract(doc)
        return _join_continued_quotes(statements, doc.text) if self.every_attribution else statements

    def _read_paragraph(self, spacy_doc: object) -> object:
        doc: Doc = spacy_doc  # type: ignore[assignment]
        from stanceline.extract.crf import decode

        return decode(doc, self.tagger.tag(doc))

    def _learned_candidates(self, learned: object, sentence: int, spacy_doc: object, offset: int, text: str,
                            tracker: MentionTracker, hint: str | None, existing: list[Candidate]) -> list[Candidate]:
        found: list[Found] = [f for f in learned if f.sentence == sentence]  # type: ignore[attr-defined]
        doc: Doc = spacy_doc  # type: ignore[assignment]
        out: list[Candidate] = []
        for f in found:
            cand = self._candidate(f, doc, offset, text, tracker, hint, [*existing, *out])
            if cand is not None:
                out.append(cand)
        return out

    def _candidate(self, f: Found, doc: Doc, offset: int, text: str, tracker: MentionTracker, hint: str | None,
                   existing: list[Candidate]) -> Candidate | None:
        first, last = doc[f.start], doc[f.end - 1]
        start, end = offset + first.idx, offset + last.idx + len(last.text)
        start, end = _strip(text, start, end)
        if end - start < 2 or sum(1 for t in doc[f.start : f.end] if not t.is_punct) < MIN_CONTENT_TOKENS:
            return None
        if any(_covered(c.start, c.end, start, end) for c in existing):
            return None
        sent = doc[first.i].sent
        s_start, s_end = offset + sent.start_char, offset + sent.end_char
        cue_text = doc[f.cue[0] : f.cue[1]].text if f.cue else None
        cue_pos = offset + doc[f.cue[0]].idx if f.cue else start
        if not self.every_attribution and not self._is_statement(doc, f, text[start:end]):
            return None
        speaker = self._speaker(f, doc, offset, tracker, hint)
        mention = None
        if speaker is not None and f.source is not None:
            span = doc[f.source[0] : f.source[1]]
            mention = (offset + span.start_char, offset + span.end_char, span.text)
        if speaker is None:
            if f.cue is not None or f.source is not None or text[start] not in _QUOTE_MARKS:
                return None
            # A quotation paragraph of its own: the words of whoever spoke just before.
            line_start = text.rfind("\n", 0, start) + 1
            if text[line_start:start].strip(" \t“\"«"):
                return None  # not opening its paragraph ("Analysis from our editor, X: “…”"): not a continuation
            prev = [c for c in existing if c.end <= start and start - c.end < CONTINUATION_CHARS]
            if not prev or "\n\n\n" in text[prev[-1].end : start]:
                return None
            speaker = max(prev, key=lambda c: c.end).speaker
            cue_text = "continues"
        kind = _kind(text[start:end])
        lemma = doc[f.cue[0]].lemma_.lower() if f.cue and f.cue[1] - f.cue[0] == 1 else (cue_text or "").lower()
        return Candidate(start, end, speaker, lemma, kind, min(s_start, start), max(s_end, end), cue_pos, mention=mention)

    @staticmethod
    def _is_statement(doc: Doc, f: Found, content: str) -> bool:
        """A speech act or a stated position, not a belief or a plan the author ascribes (see the module doc)."""
        if f.cue is None:
            return content[:1] in _QUOTE_MARKS
        cue = doc[f.cue[0] : f.cue[1]]
        if cue[0].lower_ == "according" or cue.text.strip() == ":":
            return True
        head = next((t for t in cue if t.pos_ in ("VERB", "AUX", "NOUN")), cue.root)
        if any(c.dep_ == "aux" and c.lower_ in _MODALS for c in head.children):
            return False
        lemma = head.lemma_.lower()
        return lemma in SPEECH_VERBS or lemma in ATTITUDE_VERBS or lemma in CUE_NOUNS

    def _speaker(self, f: Found, doc: Doc, offset: int, tracker: MentionTracker, hint: str | None) -> Speaker | None:
        if f.source is None:
            return None
        span = doc[f.source[0] : f.source[1]]
        root = span.root
        s_start = offset + span.start_char
        if span[0].lower_ in ("his", "her") and root.lower_ in _HONORIFICS:
            # "His Eminence stated": the person just spoken of, never someone named "Eminence"
            return tracker.last(s_start, {"person"}, subject_only=False, window=1500)
        if root.lower_ in ("who", "which", "that") and root.head.dep_ in ("relcl", "acl") and root.head.head is not root.head:
            root = root.head.head  # "Sanders, who said …": the noun the relative clause describes
        speaker = resolve_subject(root, offset, tracker, hint)
        if speaker is None and root.lower_ in PRONOUNS_PERSON:
            speaker = tracker.last(s_start, {"person"}, subject_only=False, window=1500)
        if speaker is None and root.lower_ in PRONOUNS_GROUP:
            speaker = tracker.last(s_start, {"organization", "government", "outlet"}, subject_only=False, window=1500)
        if speaker is None:
            link = self.linker.link(span.text, tracker.when)
            if link.actor_id is not None:
                speaker = Speaker(text=span.text, name=link.name, kind=link.kind, actor_id=link.actor_id, role=link.role)
            elif self.every_attribution:
                speaker = Speaker(text=span.text, name=span.text, kind="unknown")
            else:
                return None
        return speaker


def _join_continued_quotes(statements: list[Statement], text: str) -> list[Statement]:
    """'“A,” Smith said. “B.”' is one attribution whose content runs from A to B (attribution corpora
    record it with two segments): join a quotation that continues the one before it in the same
    paragraph, the attribution between them."""
    out: list[Statement] = []
    for st in sorted(statements, key=lambda s: s.start):
        prev = out[-1] if out else None
        if (prev is not None and st.cue in ("continues", "add") and prev.kind in ("direct", "mixed")
                and st.kind in ("direct", "mixed") and prev.speaker.name == st.speaker.name
                and 0 <= st.start - prev.end <= JOIN_GAP_CHARS and "\n" not in text[prev.end : st.start]):
            out[-1] = replace(prev, end=st.end, text=text[prev.start : st.end], kind="direct",
                              sentence_end=max(prev.sentence_end or prev.end, st.sentence_end or st.end))
            continue
        out.append(st)
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:—–-":
        start += 1
    while end > start and text[end - 1] in " ,;:—–-":
        end -= 1
    return start, end


def _kind(content: str) -> StatementKind:
    marks = sum(1 for ch in content if ch in _QUOTE_MARKS)
    if not marks:
        return "indirect"
    stripped = content.strip(" .,")
    return "direct" if stripped[:1] in _QUOTE_MARKS and stripped[-1:] in _QUOTE_MARKS | {"."} and marks <= 2 else "mixed"


@extractors.register(VERSION)
def make_learned_extractor(nlp: Language, linker: Linker, every_attribution: bool = False) -> LearnedAttributionExtractor:
    return LearnedAttributionExtractor(nlp, linker, every_attribution)
