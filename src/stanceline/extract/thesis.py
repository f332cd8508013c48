"""The author's own thesis in a signed op-ed (``kind = author``).

Only when the document names an author who is not the outlet, and only one
sentence: the unattributed sentence about negotiating that argues most plainly
(a modal of obligation or a verdict, a concluding connective), never a sentence
whose subject is another named actor.
"""

from __future__ import annotations

import re

from stanceline.actors.linker import Linker
from stanceline.records import Document, Speaker, Statement

_STRONG_VERDICT = re.compile(r"(?i)\b(dead in the water|is (?:effectively )?dead|doomed|futile|pointless|has to|must|only way|no choice)\b")
_VERDICT = re.compile(
    r"(?i)\b(must|has to|have to|should|ought to|needs? to|cannot|can't|will never|is (?:effectively )?dead|"
    r"is doomed|is futile|is pointless|is the only|only way|no choice|unlikely|inevitabl\w*|best option)\b"
)
_CONCLUDE = re.compile(r"(?i)^\s*(therefore|thus|hence|in short|in conclusion|ultimately|the conclusion is|it is clear)\b")
_SENT = re.compile(r"[^.!?\n]+[.!?]?")


def author_thesis(doc: Document, statements: list[Statement], linker: Linker) -> Statement | None:
    from stanceline.judge.targets import matcher_for

    mentions_negotiation = matcher_for(linker.pack).is_about_negotiating

    if not doc.author or (doc.outlet and doc.author.lower() in doc.outlet.lower()):
        return None
    covered = [(s.sentence_start or s.start, s.sentence_end or s.end) for s in statements]
    best: tuple[float, int, int] | None = None
    text = doc.text
    total = max(1, len(text))
    for m in _SENT.finditer(text):
        start, end = m.start(), m.end()
        sentence = m.group(0)
        if len(sentence.split()) < 8 or any(s < end and start < e for s, e in covered):
            continue
        if '“' in sentence or '"' in sentence or not mentions_negotiation(sentence):
            continue
        score = 0.0
        score += 2.0 * len(_VERDICT.findall(sentence)) + 1.0 * len(_STRONG_VERDICT.findall(sentence))
        score += 1.0 if _CONCLUDE.search(sentence) else 0.0
        score += 1.0 * (start / total)  # theses sit late as often as early; conclusions win ties
        if linker.mention_pattern is not None and linker.mention_pattern.search(sentence):
            score += 0.5  # the thesis names the parties (any pack's actors)
        if score >= 2.0 and (best is None or score > best[0]):
            best = (score, start, end)
    if best is None:
        return None
    _, start, end = best
    while start < end and text[start].isspace():
        start += 1
    link = linker.link(doc.author, doc.published)
    speaker = Speaker(text=doc.author, name=link.name if link.actor_id else doc.author, kind="person",
                      actor_id=link.actor_id, role=link.role)
    return Statement(
        document_id=doc.id, start=start, end=end, text=text[start:end], speaker=speaker, cue="op-ed", kind="author",
        produced_by="attribution.v1", date=doc.published, date_source="publication" if doc.published else "none",
        sentence_start=start, sentence_end=end,
    )
