"""Cleaning: raw bytes → a ``Document`` (text, metadata, removed lines). Pure functions."""

from __future__ import annotations

from stanceline.clean.boilerplate import strip_boilerplate
from stanceline.clean.decode import binary_kind, control_ratio, declared_charset, decode_bytes, normalize_text
from stanceline.clean.html import extract_html, looks_like_html
from stanceline.clean.language import document_language
from stanceline.clean.metadata import extract_metadata, find_title
from stanceline.errors import IngestError
from stanceline.records import Document, PartialDate, RawInput, content_hash

MIN_TEXT_CHARS = 40
# RawInput.meta key under which the ingest run passes hashes of lines repeated across the source's
# other documents (site chrome); keeps ``clean_input`` pure and its signature unchanged.
REPEATED_LINES_META = "repeated_lines"

__all__ = ["clean_input", "MIN_TEXT_CHARS", "REPEATED_LINES_META"]


def _is_html(raw: RawInput, text: str) -> bool:
    ctype = (raw.content_type or "").lower()
    if "html" in ctype or raw.source.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    if ctype.startswith("text/plain") or raw.source.lower().endswith(".txt"):
        return False
    return looks_like_html(text)


def clean_input(raw: RawInput, max_bytes: int = 20_000_000) -> Document:
    """Decode, extract, strip boilerplate, find metadata and language. Raises ``IngestError``."""
    if len(raw.data) > max_bytes:
        raise IngestError(f"too large: {len(raw.data):,} bytes (limit {max_bytes:,}); split the file or raise max_input_bytes")
    kind = binary_kind(raw.data)
    if kind:
        raise IngestError(f"binary input: looks like a {kind} file, not text")
    text, _encoding = decode_bytes(raw.data, declared_charset(raw.content_type))
    if control_ratio(text) > 0.05:
        raise IngestError("binary input: too many control characters to be text")
    text = normalize_text(text)
    hints = raw.meta_dict()
    repeated = frozenset(hints.get(REPEATED_LINES_META, "").split())
    if _is_html(raw, text):
        page = extract_html(text, url=raw.source if raw.source.startswith("http") else None)
        body, removed = strip_boilerplate(normalize_text(page.text), repeated)
        meta_title, meta_author, meta_outlet, meta_published = page.title, page.author, page.outlet, page.published
        content_type = "text/html"
        if meta_published is None:
            meta_published = extract_metadata(body.split("\n")).published
    else:
        lines = text.split("\n")
        body, removed = strip_boilerplate(text, repeated)
        meta = extract_metadata(lines)
        meta = meta.__class__(find_title(body.split("\n")) or meta.title, meta.author, meta.outlet, meta.published)
        meta_title, meta_author, meta_outlet, meta_published = meta.title, meta.author, meta.outlet, meta.published
        content_type = "text/plain"
    if len(body.strip()) < MIN_TEXT_CHARS:
        raise IngestError(f"no article text: only {len(body.strip())} characters left after cleaning")
    published = PartialDate.parse(hints.get("published")) or meta_published
    return Document(
        id=content_hash(body),
        source=raw.source,
        text=body,
        title=hints.get("title") or meta_title,
        outlet=hints.get("outlet") or meta_outlet,
        author=hints.get("author") or meta_author,
        published=published,
        language=document_language([ln for ln in body.split("\n") if ln.strip()][:200]),
        content_type=content_type,
        removed=removed,
    )
