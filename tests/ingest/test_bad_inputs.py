"""Every bad-input fixture becomes what ``cases.json`` says: stored, or quarantined with a clear reason."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from stanceline.clean import clean_input
from stanceline.errors import IngestError
from stanceline.ingest.files import discover, read_source
from stanceline.records import Quarantine

BAD = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
CASES: dict[str, list[list[str]]] = json.loads((BAD.parent / "bad_inputs_cases.json").read_text(encoding="utf-8"))


def outcomes(path: Path, max_bytes: int = 20_000_000) -> list[tuple[str, str]]:
    """(``stored`` + start of text) or (``quarantined`` + reason) for each input a file yields."""
    out = []
    for item in read_source(str(path), max_bytes):
        if isinstance(item, Quarantine):
            out.append(("quarantined", item.reason))
            continue
        try:
            out.append(("stored", clean_input(item, max_bytes).text))
        except IngestError as exc:
            out.append(("quarantined", str(exc)))
    return out


def test_bad_inputs_fixture_folder_has_twenty_cases() -> None:
    assert len(CASES) >= 20
    assert {p.name for p in BAD.iterdir() if p.name in CASES} == set(CASES)
    assert {p.name for p in BAD.iterdir()} - set(CASES) == {"README.md", "feed_loop.xml"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_inputs_case(name: str) -> None:
    got = outcomes(BAD / name)
    expected = CASES[name]
    assert [g[0] for g in got] == [e[0] for e in expected], got
    for (outcome, text), (_, prefix) in zip(got, expected, strict=True):
        assert text.startswith(prefix), (text[:120], prefix)
        if outcome == "quarantined":
            assert "\n" not in text  # a one-line message


def test_bad_inputs_too_large_file_is_quarantined(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Iran said it was ready to talk. " * 40_000)
    assert outcomes(big, max_bytes=1_000_000) == [("quarantined", f"too large: {big.stat().st_size:,} bytes (limit 1,000,000)")]


def test_bad_inputs_warc_decompression_bomb_is_capped(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://example.org/bomb", "response",
                                                  payload=io.BytesIO(b" " * 30_000_000), http_headers=headers))
    bomb = tmp_path / "bomb.warc.gz"
    bomb.write_bytes(buf.getvalue())
    assert bomb.stat().st_size < 200_000  # small on disk, 30 MB inflated
    got = list(read_source(str(bomb), 1_000_000))
    assert len(got) == 1 and isinstance(got[0], Quarantine)
    assert got[0].reason.startswith("too large: more than 1,000,000 bytes in web archive record")


def test_bad_inputs_gzip_text_is_not_decompressed() -> None:
    assert gzip.decompress((BAD / "gzip_named_txt.txt").read_bytes()).startswith(b"Foreign Minister")


def test_bad_inputs_missing_path_is_quarantined() -> None:
    assert list(discover(["no/such/folder"])) == [Quarantine("no/such/folder", "not found: no such file or folder", 0)]
