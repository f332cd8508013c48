"""A store full of hostile article text, and an app over it, for the web tests."""

from __future__ import annotations

from stanceline.records import Document, Judgement, PartialDate, ProcessedDocument, RawInput, Speaker, Statement, content_hash
from stanceline.storage import SqlStore, open_store

TOKEN = "t0ken-for-tests-only"  # noqa: S105 - a test token
PAYLOADS = (
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=2\">",
    "\"><svg onload=window.__pwned=3>",
    "'><iframe src=javascript:window.__pwned=4></iframe>",
    "</title></textarea><script>window.__pwned=5</script>",
    "<a href=\"javascript:window.__pwned=6\">click</a>",
    "<body onpageshow=window.__pwned=7>",
)
HOSTILE = " ".join(PAYLOADS)


def build_hostile_store(url: str) -> tuple[SqlStore, list[str], list[str]]:
    """Articles whose text, title, outlet, speaker and source carry script; returns (store, statement ids, doc ids)."""
    store = open_store(url)
    statement_ids, doc_ids = [], []
    for i, payload in enumerate(PAYLOADS):
        quote = f"talks are over {payload} for now"
        text = f"Ali Khamenei said \"{quote}\" on Tuesday. {HOSTILE} The end of article {i}."
        doc = Document(id=content_hash(text), source=f"javascript:window.__pwned={i}//" if i % 2 else f"https://x.example/{i}?q={payload}",
                       text=text, title=f"Title {payload}", outlet=f"Outlet {payload}", author=payload,
                       published=PartialDate(2019, 5, 14), language="en")
        start = text.index(quote)
        speaker = Speaker(f"Speaker {payload}", f"Speaker {payload}", "person", None, role=payload)
        judgement = Judgement("direct-negotiation-with-us", "oppose", 0.9, (payload,), (), payload, None, (payload,),
                              "lexicon.v1")
        statement = Statement(doc.id, start, start + len(quote), quote, speaker, payload, "direct", "attribution.v1",
                              PartialDate(2019, 5, 14), "explicit", payload, (judgement,), 0, len(text), payload)
        store.save(ProcessedDocument(RawInput(doc.source, text.encode(), "text/plain"), doc, (statement,)))
        statement_ids.append(statement.id)
        doc_ids.append(doc.id)
    return store, statement_ids, doc_ids
