"""The review queue end to end: ingest marks judgements, a second judge's disagreement counts, corrections
win over any model output and survive re-ingesting and re-judging, and become training items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from stanceline import services
from stanceline.config import Settings, load_settings
from stanceline.judge import LexiconJudge
from stanceline.records import Document, Statement
from stanceline.registry import judges
from stanceline.services import analysis
from stanceline.storage import StatementFilter

pytestmark = pytest.mark.slow
ARTICLE = """Tehran rejects talks with Washington

TEHRAN, May 14, 2019 - Supreme Leader Ali Khamenei said on Tuesday that "negotiation with America is poison" \
and that Iran would never negotiate with the United States under pressure.

President Hassan Rouhani said Iran was ready for talks with the United States if sanctions were lifted first.

Foreign Minister Mohammad Javad Zarif said "diplomacy with Washington is the cheapest way" to resolve the dispute.
"""
FLIP = {"support": "oppose", "oppose": "support", "conditional": "neutral", "neutral": "conditional"}


class ContrarianJudge(LexiconJudge):
    """Finds the same targets as lexicon.v1 and takes the other side on the Khamenei statement."""

    name = "contrarian.v0"

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        return [s.with_judgements(tuple(replace(j, stance=FLIP[j.stance]) if j.stance and "poison" in s.text else j
                                        for j in s.judgements)) for s in super().judge(doc, statements)]


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def contrarian() -> Iterator[None]:
    judges.register("contrarian.v0")(ContrarianJudge)
    yield


def _rows(settings: Settings) -> dict[str, dict[str, Any]]:
    return {r["speaker"]: r for r in services.list_statements(settings, StatementFilter(on_target=True))}


def _queue(settings: Settings) -> list[str]:
    with analysis.opened(settings) as store:
        return [r["speaker"] for r in analysis.review_page(store, analysis.pack_of(settings)).items]


@pytest.mark.parametrize("threshold", [0.0, 0.6, 1.0])
def test_ingest_marks_judgements_below_the_threshold(tmp_path: Path, article: Path, threshold: float) -> None:
    settings = load_settings(db=f"sqlite:///{tmp_path / 't.db'}", workers=1, review_threshold=threshold)
    services.ingest([str(article)], settings, workers=1)
    rows = _rows(settings)
    assert len(rows) == 3
    expected = sorted(name for name, r in rows.items() if r["confidence"] < threshold)
    assert sorted(name for name, r in rows.items() if r["needs_review"]) == expected
    assert sorted(_queue(settings)) == expected
    if threshold == 1.0:
        assert len(expected) == 3
    if threshold == 0.0:
        assert expected == []


def test_a_second_judge_that_disagrees_sends_the_statement_to_review(tmp_path: Path, article: Path,
                                                                     contrarian: None) -> None:
    settings = load_settings(db=f"sqlite:///{tmp_path / 't.db'}", workers=1, review_threshold=0.0,
                             review_judge="contrarian.v0")
    services.ingest([str(article)], settings, workers=1)
    assert _queue(settings) == ["Ali Khamenei"]
    assert _rows(settings)["Ali Khamenei"]["stance"] == "oppose"  # the primary judge's stance is stored


def test_a_correction_survives_re_ingesting_and_re_judging(tmp_path: Path, article: Path, contrarian: None) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    settings = load_settings(db=db, workers=1, review_threshold=1.0)
    services.ingest([str(article)], settings, workers=1)
    khamenei = _rows(settings)["Ali Khamenei"]
    assert khamenei["stance"] == "oppose" and "Ali Khamenei" in _queue(settings)
    with analysis.opened(settings) as store:
        analysis.correct_statement(store, analysis.pack_of(settings), khamenei["id"], "stance", "conditional", "reader")

    # The same article again, from another source, with another judge configured: the correction stays.
    again = tmp_path / "again.txt"
    again.write_text(ARTICLE, encoding="utf-8")
    for s in (settings, load_settings(db=db, workers=1, judge="contrarian.v0", review_threshold=1.0)):
        services.ingest([str(article), str(again)], s, workers=1)
        _check_corrected(s, khamenei["id"])

    # Re-judging rewrites the model's output in place (new stance, marked for review): the correction still wins.
    with analysis.opened(settings) as store, store.engine.begin() as conn:
        for table in ("statements", "judgements"):
            key = "id" if table == "statements" else "statement_id"
            conn.execute(text(f"UPDATE {table} SET stance = 'support', needs_review = :yes WHERE {key} = :id"),  # noqa: S608
                         {"yes": True, "id": khamenei["id"]})
        conn.execute(text("UPDATE store_meta SET value = value + 1 WHERE key = 'revision'"))
    _check_corrected(settings, khamenei["id"])


def _check_corrected(s: Settings, statement_id: str) -> None:
    """The corrected stance on every read (list, export), and the statement out of the review queue."""
    row = _rows(s)["Ali Khamenei"]
    assert row["id"] == statement_id and row["stance"] == "conditional" and row["corrected"]
    assert row["needs_review"] is False and "Ali Khamenei" not in _queue(s)
    exported = [json.loads(line) for line in services.export(s, "jsonl").splitlines()]
    assert next(r for r in exported if r["id"] == statement_id)["stance"] == "conditional"


def test_corrections_become_labelled_items_in_the_domain_format(tmp_path: Path, article: Path) -> None:
    settings = load_settings(db=f"sqlite:///{tmp_path / 't.db'}", workers=1)
    assert services.corrections_as_training(settings) == []
    services.ingest([str(article)], settings, workers=1)
    rows = _rows(settings)
    pack = analysis.pack_of(settings)
    with analysis.opened(settings) as store:
        for speaker, field, value in (("Ali Khamenei", "stance", "oppose"),  # the model's stance, confirmed
                                      ("Hassan Rouhani", "stance", "support"),
                                      ("Hassan Rouhani", "stance", "conditional"),  # the latest correction wins
                                      ("Mohammad Javad Zarif", "target", None)):  # no stance label: left out
            analysis.correct_statement(store, pack, rows[speaker]["id"], field, value, "reader")
    items = {i["id"]: i for i in services.corrections_as_training(settings)}
    assert set(items) == {rows["Ali Khamenei"]["id"], rows["Hassan Rouhani"]["id"]}
    keys = ["id", "text", "target", "stance", "conditions", "condition_ids", "argument", "speaker_type", "style", "group"]
    for sid, item in items.items():
        assert list(item) == keys and item["group"] == f"correction:{sid}" and item["target"] == "negotiation with US"
        assert item["speaker_type"] == "iran_official"
    rouhani = items[rows["Hassan Rouhani"]["id"]]
    assert rouhani["stance"] == "conditional"
    assert rouhani["text"].startswith("President Hassan Rouhani said Iran was ready for talks")
    assert rouhani["conditions"] and all(c in rouhani["text"] for c in rouhani["conditions"])
    khamenei = items[rows["Ali Khamenei"]["id"]]
    assert khamenei["stance"] == "oppose" and khamenei["conditions"] == [] == khamenei["condition_ids"]
