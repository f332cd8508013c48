"""The schema, in SQLAlchemy Core. Migrations in ``storage/migrations`` build it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

raw_inputs = Table(
    "raw_inputs", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the bytes
    Column("source", Text, nullable=False),
    Column("content_type", String(100)),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary),
    Column("fetched_at", String(40)),
    Column("ingested_at", String(40), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cleaned text
    Column("raw_id", String(64), ForeignKey("raw_inputs.id")),
    Column("source", Text, nullable=False),
    Column("title", Text),
    Column("outlet", Text),
    Column("author", Text),
    Column("published", String(10)),  # ISO, to the precision known
    Column("published_sort", String(10)),
    Column("language", String(12)),
    Column("content_type", String(40)),
    Column("text", Text, nullable=False),
    Column("minhash", LargeBinary),
    Column("near_duplicate_of", String(64)),
    Column("ingested_at", String(40), nullable=False),
    Index("ix_documents_published", "published_sort"),
)

document_sources = Table(
    "document_sources", metadata,
    Column("document_id", String(64), ForeignKey("documents.id"), primary_key=True),
    Column("source", Text, primary_key=True),
)

removed_lines = Table(
    "removed_lines", metadata,
    Column("document_id", String(64), ForeignKey("documents.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("reason", String(200), nullable=False),
)

actors = Table(
    "actors", metadata,
    Column("id", String(120), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("provisional", Boolean, nullable=False, default=False),
    Column("country", String(8)),
    Column("aliases", JSON),
    Column("merged_into", String(120)),
)

statements = Table(
    "statements", metadata,
    Column("id", String(16), primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("speaker", Text, nullable=False),
    Column("speaker_text", Text),
    Column("speaker_kind", String(20)),
    Column("speaker_role", Text),
    Column("actor_id", String(120)),
    Column("cue", String(60)),
    Column("kind", String(20), nullable=False),
    Column("date", String(10)),
    Column("date_sort", String(10)),
    Column("date_source", String(20)),
    Column("carrier", Text),
    Column("stated_argument", Text),
    Column("sentence_start", Integer),
    Column("sentence_end", Integer),
    Column("produced_by", String(60), nullable=False),
    # The primary judgement's target and stance, copied here when the statement is stored (revision
    # 0004): filters, counts and timelines then read one table through covering indexes.
    Column("target", Text),
    Column("stance", String(20)),
    # Offsets in the document text of the mention the speaker was resolved from (revision 0006;
    # NULL for statements stored before it, and for speakers not named in the text).
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    # The primary judgement awaits review (revision 0007); a correction takes it out of the queue on reads.
    Column("needs_review", Boolean, nullable=False, server_default=false()),
    Index("ix_statements_document", "document_id"),
    Index("ix_statements_speaker", "speaker"),
    # Read paths (revision 0004): each filter's rows in list order (date, id), with what counts and
    # timelines need, so a page is read from an index and a count or timeline from the index alone.
    Index("ix_statements_by_date", "date_sort", "id", "stance", "target"),
    Index("ix_statements_by_stance", "stance", "date_sort", "id", "target"),
    Index("ix_statements_by_target", "target", "date_sort", "id", "stance"),
    Index("ix_statements_by_actor", "actor_id", "date_sort", "id", "stance", "target"),
    Index("ix_statements_review", "needs_review", "date_sort", "id"),
)

judgements = Table(
    "judgements", metadata,
    Column("statement_id", String(16), ForeignKey("statements.id"), primary_key=True),
    Column("rank", Integer, primary_key=True),  # 0 = primary target
    Column("target", Text),
    Column("stance", String(20)),
    Column("confidence", Float),
    Column("conditions", JSON),
    Column("condition_ids", JSON),
    Column("argument", Text),
    Column("argument_id", String(80)),
    Column("cues", JSON),
    Column("produced_by", String(60), nullable=False),
    Column("needs_review", Boolean, nullable=False, server_default=false()),  # revision 0006
    Index("ix_judgements_target_stance", "target", "stance"),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("statement_id", String(16), nullable=False),
    Column("field", String(40), nullable=False),
    Column("value", Text),
    Column("author", String(120), nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_corrections_statement", "statement_id"),
)

quarantine = Table(
    "quarantine", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("size", Integer, nullable=False, default=0),
    Column("detail", Text),
    Column("created_at", String(40), nullable=False),
    Column("resolved", Boolean, nullable=False, default=False),
    UniqueConstraint("source", "reason", name="uq_quarantine_source_reason"),
)

# -- ingestion (revision 0002) -------------------------------------------------------------
feed_items = Table(
    "feed_items", metadata,
    Column("feed", Text, primary_key=True),  # the feed URL as given
    Column("item_key", Text, primary_key=True),  # entry id, else its link
    Column("link", Text),
    Column("published", String(40)),
    Column("seen_at", String(40), nullable=False),
)

source_lines = Table(
    "source_lines", metadata,
    Column("source_key", String(300), primary_key=True),  # host of a URL, or folder of a file
    Column("line_hash", String(16), primary_key=True),  # hash of the case-folded, space-collapsed line
    Column("document_id", String(64), primary_key=True),
)

# -- read paths (revision 0004) --------------------------------------------------------------
# One row per counter. ``revision`` goes up in every write transaction of the store: readers key
# their caches (API responses, aggregates, ETags) on it with one primary-key lookup.
store_meta = Table(
    "store_meta", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Integer, nullable=False, default=0),
)


# -- re-processing (revision 0005) -----------------------------------------------------------
# Which extractor and judge produced a document's current statements (written by ingest and by
# ``reprocess``, in the transaction that stores the statements). No row: stored before revision 0005.
document_processing = Table(
    "document_processing", metadata,
    Column("document_id", String(64), ForeignKey("documents.id"), primary_key=True),
    Column("extractor", String(60), nullable=False),
    Column("judge", String(60), nullable=False),
    Column("processed_at", String(40), nullable=False),
    # Why a document's statements are not all the configured extractor's or judge's (revision
    # 0008): an LLM that failed for it and the fallback that ran, ungrounded answers dropped.
    Column("note", Text),
)

# Statements that ``reprocess`` replaced, as they were (row, judgements, corrections' target), so
# that nothing stored is lost and a correction whose statement has no successor can still be shown
# with the evidence it was made on. ``replaced_by`` is the new statement the corrections moved to.
replaced_statements = Table(
    "replaced_statements", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("statement_id", String(16), nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("statement", JSON, nullable=False),  # the statement row and its judgements
    Column("replaced_by", String(16)),
    Column("extractor", String(60), nullable=False),  # what replaced it
    Column("judge", String(60), nullable=False),
    Column("replaced_at", String(40), nullable=False),
    Index("ix_replaced_statements_statement", "statement_id"),
    Index("ix_replaced_statements_document", "document_id"),
)


# -- language-model answers (revision 0008) -----------------------------------------------------
# ``llm.v1``'s responses, so that re-processing, evaluation and re-runs never pay for the same
# request twice. ``key`` hashes the task, the document, the prompt version, the model and the
# request itself; the other columns say what it is, for inspection and for clearing by model.
llm_cache = Table(
    "llm_cache", metadata,
    Column("key", String(64), primary_key=True),
    Column("document_id", String(64), nullable=False),
    Column("task", String(20), nullable=False),
    Column("prompt_version", String(40), nullable=False),
    Column("model", String(200), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_llm_cache_document", "document_id"),
)
