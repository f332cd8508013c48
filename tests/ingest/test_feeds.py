"""Feeds: entries parsed, seen items remembered, loops stopped — served by a mock transport."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from stanceline.errors import FetchError
from stanceline.ingest.feeds import looks_like_feed, parse_feed
from stanceline.records import PartialDate, RawInput

FEED_URL = "http://93.184.216.34/feed.xml"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{d}</pubDate></item>"
                   for t, link, d in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{body}</channel></rss>'.encode()


def test_feeds_parse_entries_with_dates_and_titles() -> None:
    feed = parse_feed(RawInput(FEED_URL, rss(("A", "/a", "Tue, 08 Apr 2025 10:00:00 GMT"), ("B", "http://93.184.216.34/b", ""))))
    assert feed.title == "Wire"
    assert [(e.link, e.published) for e in feed.entries] == [
        ("http://93.184.216.34/a", PartialDate(2025, 4, 8)), ("http://93.184.216.34/b", None)]


@pytest.mark.parametrize("data, reason", [
    ((BAD / "feed_loop.xml").read_bytes(), "feed loop: an entry of"),
    (b"<html><body>not a feed</body></html>", "broken feed"),
    (b"<rss><channel><item><title>x</title></item></channel></rss>", "empty feed: no entry"),
])
def test_feeds_parse_refuses_loops_and_empty_feeds(data: bytes, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        parse_feed(RawInput("https://example.org/feed.xml", data))


@pytest.mark.parametrize("ctype, data, expected", [
    ("application/rss+xml", b"", True), (None, b"<?xml version='1.0'?><rss>", True), ("text/html", b"<html>", False)])
def test_feeds_looks_like_feed(ctype: str | None, data: bytes, expected: bool) -> None:
    assert looks_like_feed(RawInput("u", data, ctype)) is expected


def test_feeds_feed_inputs_skip_seen_and_old_entries() -> None:
    from stanceline.config import load_settings
    from stanceline.ingest.feeds import feed_inputs
    from stanceline.ingest.web import Fetcher

    pages = {"/a": b"<html><body><p>A</p></body></html>", "/b": b"<html><body><p>B</p></body></html>"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed.xml":
            return httpx.Response(200, headers={"content-type": "application/rss+xml"}, content=rss(
                ("A", "/a", "Tue, 08 Apr 2025 10:00:00 GMT"), ("B", "/b", "Mon, 06 Jan 2020 10:00:00 GMT"),
                ("C", "/c", "Tue, 08 Apr 2025 10:00:00 GMT")))
        if request.url.path == "/c":
            return httpx.Response(200, headers={"content-type": "application/atom+xml"}, content=b"<feed></feed>")
        return httpx.Response(200, headers={"content-type": "text/html"}, content=pages[request.url.path])

    with Fetcher(load_settings(db="sqlite://"), httpx.MockTransport(handler)) as fetcher:
        got = list(feed_inputs(FEED_URL, fetcher, seen=set(), since=PartialDate(2024, 1, 1)))
        assert [type(g).__name__ for g in got] == ["RawInput", "Quarantine"]
        assert got[0].meta_dict()["feed_item"] == "http://93.184.216.34/a" and got[0].meta_dict()["published"] == "2025-04-08"
        assert got[1].reason.startswith("feed loop: entry of")  # type: ignore[union-attr]
        again = list(feed_inputs(FEED_URL, fetcher, seen={"http://93.184.216.34/a"}, since=PartialDate(2024, 1, 1)))
        assert [g.source for g in again] == ["http://93.184.216.34/c"]
