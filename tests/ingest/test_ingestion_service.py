"""End to end through ``services.ingest``: record files, stdin, feeds, near-duplicates, quarantine retry."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import httpx
import pytest

from stanceline import services
from stanceline.config import Settings
from stanceline.storage import open_store

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[2] / "demo" / "corpus"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
GLOBS = "*.txt,*.html,*.json,*.jsonl,*.warc,*.warc.gz"  # the fixtures, not their README
STORY = DEMO / "2019-05-14_khamenei-poison.txt"


def _docs(settings: Settings) -> list[dict]:  # type: ignore[type-arg]
    store = open_store(settings.db)
    try:
        return store.documents()
    finally:
        store.close()


def test_ingestion_bad_input_folder_batch_continues(settings: Settings, resources: object) -> None:
    report = services.ingest([str(BAD)], settings, workers=1, include=GLOBS)
    cases = json.loads((BAD.parent / "bad_inputs_cases.json").read_text(encoding="utf-8"))
    expected = [o for outs in cases.values() for o in outs]
    assert report.quarantined == sum(1 for o in expected if o[0] == "quarantined")
    assert report.new + report.duplicate + report.near_duplicate == sum(1 for o in expected if o[0] == "stored")
    rows = services.quarantine_list(settings)
    assert len(rows) == report.quarantined and all(r["reason"] and "\n" not in r["reason"] for r in rows)
    stored = len(_docs(settings))
    again = services.ingest([str(BAD)], settings, workers=1, include=GLOBS)  # resumable and idempotent
    assert again.new == 0 and len(_docs(settings)) == stored


def test_ingestion_near_duplicate_is_one_story_with_two_sources(tmp_path: Path, settings: Settings, resources: object) -> None:
    text = STORY.read_text(encoding="utf-8")
    (tmp_path / "site_a").mkdir()
    (tmp_path / "site_b").mkdir()
    (tmp_path / "site_a" / "story.txt").write_text(text, encoding="utf-8")
    (tmp_path / "site_b" / "story.txt").write_text("Reprinted from a wire service.\n" + text + "\nShare this story\n", encoding="utf-8")  # noqa: E501
    first = services.ingest([str(tmp_path / "site_a")], settings, workers=1)
    second = services.ingest([str(tmp_path / "site_b")], settings, workers=1)
    assert first.new == 1 and first.statements > 0
    assert (second.new, second.near_duplicate, second.duplicate, second.statements) == (0, 1, 0, 0)
    again = services.ingest([str(tmp_path / "site_b")], settings, workers=1)  # the same bytes: an exact duplicate
    assert (again.new, again.near_duplicate, again.duplicate) == (0, 0, 1)
    docs = _docs(settings)
    originals = [d for d in docs if d["near_duplicate_of"] is None]
    copies = [d for d in docs if d["near_duplicate_of"] is not None]
    assert len(originals) == 1 and len(copies) == 1 and copies[0]["near_duplicate_of"] == originals[0]["id"]
    store = open_store(settings.db)
    try:
        sources = store.document(originals[0]["id"])["sources"]  # type: ignore[index]
        counts = store.counts()
    finally:
        store.close()
    assert sorted(Path(s).parent.name for s in sources) == ["site_a", "site_b"]
    assert counts["statements"] == first.statements  # not a second set of votes


def test_ingestion_stdin_jsonl_and_warc_sources(tmp_path: Path, settings: Settings, resources: object) -> None:
    text = STORY.read_text(encoding="utf-8")
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"text": text, "title": "Poison", "url": "https://example.org/p", "date": "2019-05-14"}) + "\n",
                       encoding="utf-8")
    report = services.ingest([str(records), "-"], settings, workers=1,
                             stdin=io.BytesIO((DEMO / "2013-09-28_rouhani-obama-call.txt").read_bytes()))
    assert report.new == 2
    docs = {d["source"]: d for d in _docs(settings)}
    assert docs["https://example.org/p"]["title"] == "Poison" and docs["https://example.org/p"]["published"] == "2019-05-14"
    assert "stdin" in docs
    shutil.copy(BAD / "broken_record.warc.gz", tmp_path / "a.warc.gz")
    warc = services.ingest([str(tmp_path / "a.warc.gz")], settings, workers=1)
    assert warc.quarantined == 1 and warc.new + warc.duplicate == 2


def test_ingestion_feed_second_run_fetches_only_new_entries(settings: Settings, resources: object) -> None:
    story = STORY.read_bytes()
    other = (DEMO / "2013-09-28_rouhani-obama-call.txt").read_bytes()
    entries = [("/a", story)]
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(request.url.path)
        if request.url.path == "/feed.xml":
            items = "".join(f"<item><title>t{p}</title><link>{p}</link><guid>{p}</guid></item>" for p, _ in entries)
            return httpx.Response(200, headers={"content-type": "application/rss+xml"},
                                  content=f"<rss version='2.0'><channel><title>Wire</title>{items}</channel></rss>".encode())
        return httpx.Response(200, headers={"content-type": "text/plain"}, content=dict(entries)[request.url.path])

    feed = "http://93.184.216.34/feed.xml"
    transport = httpx.MockTransport(handler)
    first = services.ingest([], settings, workers=1, feeds=[feed], transport=transport)
    entries.append(("/b", other))
    requested.clear()
    second = services.ingest([], settings, workers=1, feeds=[feed], transport=transport)
    assert first.new == 1 and second.new == 1 and requested == ["/feed.xml", "/b"]
    assert {d["outlet"] for d in _docs(settings)} == {"Wire"}


def test_ingestion_quarantine_retry_resolves_fixed_sources(tmp_path: Path, settings: Settings, resources: object) -> None:
    path = tmp_path / "later.txt"
    path.write_bytes(b"")
    assert services.ingest([str(path)], settings, workers=1).quarantined == 1
    path.write_bytes(STORY.read_bytes())
    report, resolved = services.quarantine_retry(settings, workers=1)
    assert report.new == 1 and resolved == 1
    assert services.quarantine_list(settings) == []
    assert len(services.quarantine_list(settings, include_resolved=True)) == 1
