"""RSS/Atom feeds (feedparser) → the links of their entries, then each entry's page.

``parse_feed`` is pure; ``feed_inputs`` fetches the feed and the pages with a ``Fetcher`` (so the
same address checks, retries and limits apply) and skips the entries a store has already seen.
A feed whose entries link back to the feed itself, to another feed, or to one page over and over
is a loop: it is stopped and quarantined instead of being followed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin

from stanceline.errors import FetchError
from stanceline.ingest.web import Fetcher
from stanceline.records import PartialDate, Quarantine, RawInput

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
MAX_ENTRIES = 500  # a feed longer than this is cut: real news feeds hold tens of items


@dataclass(frozen=True)
class FeedEntry:
    key: str  # entry id, else its link
    link: str
    title: str | None
    published: PartialDate | None


@dataclass(frozen=True)
class Feed:
    url: str
    title: str | None
    entries: tuple[FeedEntry, ...]


def _norm(url: str) -> str:
    return urldefrag(url)[0].rstrip("/")


def _entry_date(entry: Any) -> PartialDate | None:
    with warnings.catch_warnings():  # feedparser warns about its own published/updated fallback
        warnings.simplefilter("ignore", DeprecationWarning)
        for key in ("published_parsed", "updated_parsed", "created_parsed"):
            value = entry.get(key)
            if value:
                return PartialDate(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def parse_feed(raw: RawInput) -> Feed:
    """Entries of an RSS/Atom document (pure). Raises ``FetchError`` when it is not a feed or loops."""
    import feedparser  # lazy: only feeds need it

    parsed = feedparser.parse(raw.data, response_headers={"content-location": raw.source})
    if not parsed.entries:
        if parsed.bozo:
            raise FetchError(f"broken feed: {type(parsed.bozo_exception).__name__} in {raw.source}")
        raise FetchError(f"empty feed: no entries in {raw.source}")
    entries: list[FeedEntry] = []
    seen_links: set[str] = set()
    for entry in parsed.entries[:MAX_ENTRIES]:
        link = entry.get("link")
        if not link:
            continue
        link = urljoin(raw.source, link)
        if _norm(link) == _norm(raw.source):
            raise FetchError(f"feed loop: an entry of {raw.source} links back to the feed itself")
        if _norm(link) in seen_links:
            continue
        seen_links.add(_norm(link))
        key = str(entry.get("id") or link)
        entries.append(FeedEntry(key, link, entry.get("title"), _entry_date(entry)))
    if not entries:
        raise FetchError(f"empty feed: no entry of {raw.source} has a link")
    return Feed(raw.source, parsed.feed.get("title"), tuple(entries))


def looks_like_feed(raw: RawInput) -> bool:
    """A page that is itself a feed (by content type or by its first element)."""
    ctype = (raw.content_type or "").lower()
    if ctype.startswith(FEED_TYPES):
        return True
    head = raw.data[:1000].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head) or head.startswith((b"<rss", b"<feed"))


def entry_input(page: RawInput, feed: Feed, entry: FeedEntry) -> RawInput:
    """An entry's page with the feed's metadata as hints (title, date, outlet, feed item key)."""
    meta = dict(page.meta)
    if entry.title:
        meta["title"] = entry.title
    if entry.published:
        meta["published"] = entry.published.iso()
    if feed.title:
        meta["outlet"] = feed.title
    meta["feed"] = feed.url
    meta["feed_item"] = entry.key
    return RawInput(page.source, page.data, page.content_type, page.fetched_at, tuple(sorted(meta.items())))


def feed_inputs(url: str, fetcher: Fetcher, seen: set[str], since: PartialDate | None = None,
                on_skip: Callable[[FeedEntry], None] | None = None) -> Iterator[RawInput | Quarantine]:
    """Fetch ``url`` as a feed, then every entry not in ``seen`` (and not older than ``since``)."""
    raw = fetcher.fetch_raw(url)
    if isinstance(raw, Quarantine):
        yield raw
        return
    try:
        feed = parse_feed(raw)
    except FetchError as exc:
        yield Quarantine(url, str(exc), len(raw.data))
        return
    todo = [e for e in feed.entries if e.key not in seen and e.link not in seen]
    if since is not None:
        for entry in todo:
            if entry.published is not None and entry.published.sort_key() < since.sort_key() and on_skip:
                on_skip(entry)
        todo = [e for e in todo if e.published is None or e.published.sort_key() >= since.sort_key()]
    for entry, page in zip(todo, fetcher.fetch_many(e.link for e in todo), strict=True):
        if isinstance(page, Quarantine):
            yield page
        elif looks_like_feed(page):
            yield Quarantine(entry.link, f"feed loop: entry of {url} links to another feed, not to an article", len(page.data))
        else:
            yield entry_input(page, feed, entry)

