"""HTML → main text and metadata, with trafilatura (text, title, author, site) and htmldate."""

from __future__ import annotations

from dataclasses import dataclass

from stanceline.errors import IngestError
from stanceline.records import PartialDate


@dataclass(frozen=True)
class HtmlContent:
    text: str
    title: str | None
    author: str | None
    outlet: str | None
    published: PartialDate | None


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head) or head.count("<p>") >= 2


def extract_html(html: str, url: str | None = None) -> HtmlContent:
    """Main text of a page. Raises ``IngestError`` when the page holds no article text."""
    import trafilatura  # heavy import: only when HTML arrives

    try:
        result = trafilatura.bare_extraction(
            html, url=url, include_comments=False, include_tables=False, favor_precision=False, with_metadata=True
        )
    except Exception as exc:  # noqa: BLE001 - broken markup must become a quarantine reason
        raise IngestError(f"broken HTML: the page could not be parsed ({type(exc).__name__})") from exc
    if result is None:
        raise IngestError("no article text found in the HTML page")
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = (data.get("text") or "").strip()
    if not text:
        raise IngestError("no article text found in the HTML page")
    published = PartialDate.parse(data.get("date")) if data.get("date") else None
    if published is None:
        published = _htmldate(html)
    return HtmlContent(
        text=text,
        title=data.get("title") or None,
        author=data.get("author") or None,
        outlet=data.get("sitename") or None,
        published=published,
    )


def _htmldate(html: str) -> PartialDate | None:
    try:
        from htmldate import find_date

        found = find_date(html, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - no date is an answer, not an error
        return None
    return PartialDate.parse(found) if found else None
