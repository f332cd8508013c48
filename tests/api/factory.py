"""A small store built from constructed records (no spaCy): documents, statements, judgements."""

from __future__ import annotations

from stanceline.records import Document, Judgement, PartialDate, ProcessedDocument, RawInput, Speaker, Statement
from stanceline.storage import SqlStore, open_store

XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def _doc(i: int, text: str, outlet: str, published: str, source: str | None = None) -> Document:
    from stanceline.records import content_hash

    return Document(id=content_hash(text), source=source or f"https://news.example/{i}", text=text, title=f"Article {i}",
                    outlet=outlet, published=PartialDate.parse(published), language="en")


def _statement(doc: Document, quote: str, speaker: str, actor_id: str | None, date: str, stance: str | None,
               target: str | None = "direct negotiation with US", argument: str | None = None,
               argument_id: str | None = None, kind: str = "person", carrier: str | None = None) -> Statement:
    start = doc.text.index(quote)
    judgement = Judgement(target, stance, 0.9, ("sanctions relief",) if stance == "conditional" else (), (), argument,
                          argument_id, ("said",), "lexicon.v1") if target else Judgement(None, None, produced_by="lexicon.v1")
    return Statement(doc.id, start, start + len(quote), quote, Speaker(speaker, speaker, kind, actor_id),  # type: ignore[arg-type]
                     "say", "direct", "attribution.v1", PartialDate.parse(date), "explicit", carrier, (judgement,),
                     sentence_start=0, sentence_end=len(doc.text))


ARTICLES = [
    # (published, outlet, text, [(quote, speaker, actor_id, stance, argument, argument_id)])
    ("2019-05-14", "Kayhan", 'Ali Khamenei said "negotiation with America is poison" on Tuesday.',
     [("negotiation with America is poison", "Ali Khamenei", "ali-khamenei", "oppose", "Talks are futile", "futility")]),
    ("2019-06-02", "Arman-e Melli", 'Hassan Rouhani said "we are ready for talks if sanctions are lifted".',
     [("we are ready for talks if sanctions are lifted", "Hassan Rouhani", "hassan-rouhani", "conditional", None, None)]),
    ("2025-04-12", "Tehran Times", 'Ali Khamenei said "the talks in Muscat may go ahead" after the meeting.',
     [("the talks in Muscat may go ahead", "Ali Khamenei", "ali-khamenei", "support", None, None)]),
    ("2025-04-13", "Kayhan", f'A reader wrote {XSS} and Mohammad Javad Zarif said "diplomacy is the cheapest way {XSS}".',
     [(f"diplomacy is the cheapest way {XSS}", "Mohammad Javad Zarif", "mohammad-javad-zarif", "support", "Diplomacy avoids war",
       "avoid-war")]),
]


def build_store(url: str) -> SqlStore:
    """Open ``url`` and store the constructed articles; returns the open store."""
    from stanceline.actors.pack import load_pack
    from stanceline.config import BUNDLED_PACK

    store = open_store(url)
    pack = load_pack(BUNDLED_PACK)
    store.sync_actors([(a.id, a.name, a.kind, a.country, list(a.aliases)) for a in pack.actors.values()])
    for i, (published, outlet, text, quotes) in enumerate(ARTICLES):
        doc = _doc(i, text, outlet, published)
        statements = tuple(_statement(doc, q, sp, aid, published, st, argument=arg, argument_id=aid_)
                           for q, sp, aid, st, arg, aid_ in quotes)
        store.save(ProcessedDocument(RawInput(doc.source, text.encode("utf-8"), "text/plain"), doc, statements))
    return store
