"""Synthetic processed documents for store tests: no spaCy, deterministic, fast."""

from __future__ import annotations

from stanceline.records import (
    Document,
    Judgement,
    PartialDate,
    ProcessedDocument,
    Quarantine,
    RawInput,
    RemovedLine,
    Speaker,
    Statement,
    content_hash,
)

SPEAKERS = (
    Speaker("Araghchi", "Abbas Araghchi", "person", "abbas-araghchi", "foreign minister"),
    Speaker("Witkoff", "Steve Witkoff", "person", "steve-witkoff", "envoy"),
    Speaker("a senior official", "a senior official", "unknown", None),
    Speaker("the spokesman", "the spokesman", "person", None),
)
STANCE_CYCLE = ("support", "oppose", "conditional", "neutral")


def make_processed(i: int, n_statements: int = 3, source: str | None = None, text: str | None = None,
                   raw_bytes: bytes | None = None) -> ProcessedDocument:
    """Document ``i`` with ``n_statements`` statements (speakers, stances and dates vary with ``i``)."""
    body = text or " ".join(
        f'Speaker {k} of document {i} said "talks number {k} should go on" in sentence {k}.' for k in range(n_statements))
    raw = RawInput(source or f"doc-{i}.txt", raw_bytes if raw_bytes is not None else body.encode("utf-8"), "text/plain")
    doc_id = content_hash(body)
    year = 2013 + i % 12
    document = Document(doc_id, raw.source, body, title=f"Title {i}", outlet="Wire", published=PartialDate(year, 5, 1),
                        language="en", removed=(RemovedLine(0, "Share this article", "share-button"),))
    statements = []
    pos = 0
    for k in range(n_statements):
        start = body.index('"', pos)
        end = body.index('"', start + 1) + 1
        pos = end
        speaker = SPEAKERS[(i + k) % len(SPEAKERS)]
        on_target = (i + k) % 5 != 4
        judgement = Judgement(
            "direct talks" if on_target else None, STANCE_CYCLE[(i + k) % 4] if on_target else None, 0.8,
            conditions=("sanctions relief",) if (i + k) % 4 == 2 else (), cues=("should",), produced_by="lexicon.v1")
        statements.append(Statement(
            doc_id, start, end, body[start:end], speaker, "say", "direct", "attribution.v1",
            date=PartialDate(year, 5, 1 + k % 28), date_source="explicit", judgements=(judgement,)))
    return ProcessedDocument(raw, document, tuple(statements))


def make_quarantined(source: str = "broken.bin", reason: str = "binary content") -> ProcessedDocument:
    raw = RawInput(source, b"\x00\x01\x02binary", None)
    return ProcessedDocument(raw, None, quarantine=Quarantine(source, reason, len(raw.data)))
