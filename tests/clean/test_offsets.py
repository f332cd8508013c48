"""Offset maps: normalized, cleaned and folded spans map back into the stored original."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stanceline.clean import clean_input
from stanceline.clean.decode import decode_bytes, normalize_text
from stanceline.clean.offsets import fold_with_map, normalize_with_map, raw_span
from stanceline.records import RawInput

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


@given(st.text(alphabet=st.sampled_from(list("ab é\u0301\r\n\u200b\u00a0“”—…\t\x07\u2028")), max_size=60))
def test_offsets_normalize_with_map_matches_normalize_text(text: str) -> None:
    out, mapping = normalize_with_map(text)
    assert out == normalize_text(text)
    assert len(mapping.sources) == len(out) and all(0 <= s < max(1, len(text)) for s in mapping.sources)


def test_offsets_fold_round_trip() -> None:
    text = "He said “no deal” — again…"
    folded, mapping = fold_with_map(text)
    assert folded == 'He said "no deal" - again...'
    i = folded.index('"')
    s, e = mapping.to_source(i, i + 9)
    assert text[s:e] == "“no deal”"


def test_offsets_raw_span_round_trip_plain_text() -> None:
    raw = "728 x 90\r\nIntro line\u200b here.\r\nHe said\u00a0“e\u0301nough” today.\r\nFont Size:\r\n" + "More article text follows. " * 3  # noqa: E501
    doc = clean_input(RawInput("a.txt", raw.encode("utf-8"), "text/plain"))
    i, j = doc.text.index("“én"), doc.text.index("today") + 5
    span = raw_span(raw, doc.text, i, j)
    assert span is not None and normalize_text(raw[span[0]:span[1]]) == doc.text[i:j]


@pytest.mark.skipif(not (SHARED / "seeds_gold.jsonl").is_file(), reason="shared seeds corpus not present next to the repository")
def test_offsets_raw_span_round_trip_on_seed_evidence() -> None:
    gold = [json.loads(line) for line in (SHARED / "seeds_gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for g in gold:
        data = (SHARED / "seeds" / g["file"]).read_bytes()
        doc = clean_input(RawInput(g["file"], data, "text/plain"))
        raw_text = decode_bytes(data)[0]
        start = doc.text.index(g["evidence"])
        span = raw_span(raw_text, doc.text, start, start + len(g["evidence"]))
        assert span is not None and normalize_text(raw_text[span[0]:span[1]]) == g["evidence"]
