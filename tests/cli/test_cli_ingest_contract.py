"""What ``ingest`` and ``statements`` tell a user: counts kept apart, exit codes, refusals that say why."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.reliability.synthetic import article
from typer.testing import CliRunner

from stanceline.cli import app
from stanceline.ingest.warc import parse_warc

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'contract.db'}"


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "notadate"], "--since must be a date like 2019, 2019-05 or 2019-05-14, got 'notadate'"),
    (["--since", "2019-5-1x"], "--since must be a date like 2019, 2019-05 or 2019-05-14, got '2019-5-1x'"),
    (["--stance", "bogus"], "unknown stance 'bogus'; use one of support, oppose, conditional, neutral"),
])
def test_statements_refuses_a_filter_that_cannot_match(args: list[str], message: str, db: str) -> None:
    result = runner.invoke(app, ["statements", "--db", db, *args])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {message}"


def test_statements_accepts_good_filters(db: str) -> None:
    result = runner.invoke(app, ["statements", "--db", db, "--since", "2019-05", "--stance", "oppose"])
    assert result.exit_code == 0 and "0 statement(s)" in result.output


def test_ingest_exits_3_when_every_input_is_quarantined(tmp_path: Path, db: str) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.json").write_text("{", encoding="utf-8")
    (bad / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(bad), "--db", db, "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "0 new document(s)" in result.output and "2 quarantined" in result.output
    assert "every input was quarantined (exit 3)" in result.output


@pytest.mark.slow
def test_ingest_exits_0_when_something_was_read(tmp_path: Path, db: str, resources: object) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "broken.json").write_text("{", encoding="utf-8")
    (mixed / "story.txt").write_text(article(7), encoding="utf-8")
    first = runner.invoke(app, ["ingest", str(mixed), "--db", db, "--workers", "1"])
    assert first.exit_code == 0, first.output
    assert "1 new document(s), 0 near-duplicate(s) stored as other sources, 0 exact duplicate(s) skipped, 1 quarantined" \
        in first.output
    again = runner.invoke(app, ["ingest", str(mixed / "story.txt"), "--db", db, "--workers", "1"])
    assert again.exit_code == 0 and "1 exact duplicate(s) skipped" in again.output  # already stored is not a failure


def test_a_file_url_is_refused_with_the_path_to_give(tmp_path: Path, db: str) -> None:
    story = tmp_path / "story.txt"
    story.write_text(article(3), encoding="utf-8")
    result = runner.invoke(app, ["ingest", story.as_uri(), "--db", db, "--workers", "1"])
    assert result.exit_code == 3
    assert f"file URLs are not fetched: give the path instead ({story})" in result.output
    assert "not found" not in result.output


def test_another_url_scheme_is_refused_as_such(db: str) -> None:
    result = runner.invoke(app, ["ingest", "ftp://example.org/story.txt", "--db", db, "--workers", "1"])
    assert result.exit_code == 3
    assert "unsupported URL scheme 'ftp': only http and https URLs are fetched" in result.output


def test_a_cut_off_warc_record_has_a_readable_reason() -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://example.org/a", "response",
                                                  payload=io.BytesIO(b"<p>Hello</p>"), http_headers=headers))
    got = list(parse_warc(buf.getvalue()[:60], "cut.warc", 1_000_000))  # ends inside the record's headers
    assert len(got) == 1
    assert got[0].reason == "broken web archive record: record cut off or malformed at byte 0"  # type: ignore[union-attr]
    assert "Error" not in got[0].reason  # type: ignore[union-attr]
