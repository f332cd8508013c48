"""``services.reprocess`` / ``stanceline reprocess``: newer models over stored documents.

Small registered fakes stand in for an old and a new extractor and judge, so every test knows
exactly which statements each model makes: ``fake.v1`` quotes ``Name said "…"``; ``fake.v2`` does
the same with spans one character shorter and gives Carol's words to Dave; ``fake.v3`` is ``fake.v1``
under a new name. ``fakejudge.a`` says support, ``fakejudge.b`` oppose.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from stanceline import services
from stanceline.actors.pack import load_pack
from stanceline.config import Settings
from stanceline.errors import ConfigError, IngestError
from stanceline.records import Document, Judgement, RawInput, Speaker, Statement
from stanceline.registry import extractors, judges
from stanceline.storage import open_store
from stanceline.storage import tables as t
from stanceline.storage.reprocess import processed_by

QUOTE = re.compile(r'(?P<name>[A-Z][a-z]+) said (?P<quote>"[^"]+")')
N_DOCS = 5


class FakeExtractor:
    def __init__(self, name: str, shrink: int = 0, renames: dict[str, str] | None = None) -> None:
        self.name, self.shrink, self.renames = name, shrink, renames or {}

    def extract(self, doc: Document) -> list[Statement]:
        out = []
        for m in QUOTE.finditer(doc.text):
            start, end = m.start("quote"), m.end("quote") - self.shrink
            who = self.renames.get(m.group("name"), m.group("name"))
            speaker = Speaker(m.group("name"), who, "person", None, start=m.start("name"), end=m.end("name"))
            out.append(Statement(doc.id, start, end, doc.text[start:end], speaker, "say", "direct", self.name))
        return out


class FakeJudge:
    def __init__(self, name: str, stance: str) -> None:
        self.name, self.stance = name, stance

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        return [s.with_judgements((Judgement("direct talks", self.stance, 0.9, produced_by=self.name),))  # type: ignore[arg-type]
                for s in statements]


@pytest.fixture(autouse=True, scope="module")
def fakes() -> None:
    extractors.register("fake.v1")(lambda nlp, linker: FakeExtractor("fake.v1"))
    extractors.register("fake.v2")(lambda nlp, linker: FakeExtractor("fake.v2", shrink=1, renames={"Carol": "Dave"}))
    extractors.register("fake.v3")(lambda nlp, linker: FakeExtractor("fake.v3"))
    judges.register("fakejudge.a")(lambda pack, linker: FakeJudge("fakejudge.a", "support"))
    judges.register("fakejudge.b")(lambda pack, linker: FakeJudge("fakejudge.b", "oppose"))


def _article(i: int) -> str:
    return f'Alice said "we talk {i}".\n\nBob said "no way {i}".\n\nCarol said "maybe {i}".\n'


@pytest.fixture
def store_v1(settings: Settings) -> Settings:
    """Five documents ingested with fake.v1 + fakejudge.a; the last one has no publication date."""
    settings = settings.model_copy(update={"extractor": "fake.v1", "judge": "fakejudge.a"})
    inputs = [RawInput(f"doc-{i}.txt", _article(i).encode(), "text/plain",
                       meta=(("published", f"{2014 + i}-03-01"),) if i < N_DOCS - 1 else ())
              for i in range(N_DOCS)]
    report = services.ingest([], settings, inputs=inputs)
    assert report.new == N_DOCS and report.statements == 3 * N_DOCS
    return settings


def _by_speaker(settings: Settings, name: str, doc: int = 0) -> dict[str, Any]:
    rows = [r for r in services.list_statements(settings) if r["source"] == f"doc-{doc}.txt"]
    return next(r for r in rows if r["speaker_text"] == name)


def _snapshot(settings: Settings) -> dict[str, Any]:
    store = open_store(settings.db)
    try:
        with store.engine.connect() as conn:
            return {table.name: sorted(tuple(map(str, r)) for r in conn.execute(select(table))) for table in (
                t.statements, t.judgements, t.corrections, t.document_processing, t.replaced_statements, t.documents)}
    finally:
        store.close()


def test_reprocess_replaces_statements_and_records_the_new_models(store_v1: Settings) -> None:
    report = services.reprocess(store_v1, extractor="fake.v3", judge="fakejudge.b")
    assert (report.reprocessed, report.up_to_date, report.failed) == (N_DOCS, 0, 0)
    assert (report.statements_before, report.statements_after) == (3 * N_DOCS, 3 * N_DOCS)
    rows = services.list_statements(store_v1)
    assert len(rows) == 3 * N_DOCS
    assert {r["produced_by"] for r in rows} == {"fake.v3"} and {r["judged_by"] for r in rows} == {"fakejudge.b"}
    assert {r["stance"] for r in rows} == {"oppose"}
    exported = [json.loads(line) for line in services.export(store_v1, "jsonl").splitlines()]
    assert {(r["produced_by"], r["judged_by"]) for r in exported} == {("fake.v3", "fakejudge.b")}
    store = open_store(store_v1.db)
    try:
        assert {processed_by(store, r["document_id"]) for r in rows} == {("fake.v3", "fakejudge.b")}
    finally:
        store.close()


def _revision(settings: Settings) -> int:
    store = open_store(settings.db)
    try:
        return store.revision()
    finally:
        store.close()


def test_reprocess_twice_changes_nothing_the_second_time(store_v1: Settings) -> None:
    services.reprocess(store_v1, extractor="fake.v2", judge="fakejudge.b")
    before, revision = _snapshot(store_v1), _revision(store_v1)
    again = services.reprocess(store_v1, extractor="fake.v2", judge="fakejudge.b")
    assert (again.reprocessed, again.up_to_date) == (0, N_DOCS)
    assert _snapshot(store_v1) == before
    assert _revision(store_v1) == revision, "not even a write transaction"


def test_reprocess_with_the_models_that_ingested_does_nothing(store_v1: Settings) -> None:
    before = _snapshot(store_v1)
    report = services.reprocess(store_v1)  # the settings' extractor and judge: fake.v1 + fakejudge.a
    assert (report.reprocessed, report.up_to_date) == (0, N_DOCS)
    assert _snapshot(store_v1) == before


def test_users_corrections_survive_and_win_over_the_new_model(store_v1: Settings) -> None:
    alice, carol = _by_speaker(store_v1, "Alice"), _by_speaker(store_v1, "Carol")
    store = open_store(store_v1.db)
    try:
        pack = load_pack(store_v1.pack)
        services.analysis.correct_statement(store, pack, alice["id"], "stance", "conditional", "analyst")
        services.analysis.correct_statement(store, pack, carol["id"], "stance", "neutral", "analyst")
    finally:
        store.close()
    report = services.reprocess(store_v1, extractor="fake.v2", judge="fakejudge.b")
    assert (report.reattached, report.orphaned) == (1, 1)
    assert any("doc-0.txt" in m and "no successor" in m for m in report.messages)
    # Alice's statement has a new id (new extractor, shorter span): the correction moved with it and wins.
    new_alice = _by_speaker(store_v1, "Alice")
    assert new_alice["id"] != alice["id"] and new_alice["produced_by"] == "fake.v2"
    assert new_alice["stance"] == "conditional" and new_alice["corrected"] is True
    # fake.v2 gives Carol's words to Dave: her correction is kept and listed as orphaned, with its evidence.
    assert _by_speaker(store_v1, "Carol")["speaker"] == "Dave"
    orphans = services.orphaned_corrections(store_v1)
    assert [(o["statement_id"], o["value"]) for o in orphans] == [(carol["id"], "neutral")]
    assert orphans[0]["statement"]["text"] == carol["text"] and orphans[0]["statement"]["speaker"] == "Carol"
    # A model that attributes it to Carol again takes the orphaned correction back.
    back = services.reprocess(store_v1, extractor="fake.v3", judge="fakejudge.b")
    assert (back.reattached, back.orphaned) == (2, 0)
    assert services.orphaned_corrections(store_v1) == []
    assert _by_speaker(store_v1, "Carol")["stance"] == "neutral"
    assert _by_speaker(store_v1, "Alice")["stance"] == "conditional"


def test_an_interrupted_run_leaves_whole_documents_and_a_rerun_finishes_the_rest(store_v1: Settings) -> None:
    seen: list[str] = []

    def interrupt_after_two(done: int, total: int, source: str) -> None:
        seen.append(source)
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        services.reprocess(store_v1, extractor="fake.v2", judge="fakejudge.b", progress=interrupt_after_two)
    by_doc: dict[str, set[str]] = {}
    for r in services.list_statements(store_v1):
        by_doc.setdefault(r["source"], set()).add(f'{r["produced_by"]}+{r["judged_by"]}')
    # Each document is either wholly old or wholly new; the two reported done are new.
    assert all(len(v) == 1 for v in by_doc.values())
    assert {s for s, v in by_doc.items() if v == {"fake.v2+fakejudge.b"}} == set(seen)
    assert sum(v == {"fake.v1+fakejudge.a"} for v in by_doc.values()) == N_DOCS - 2
    rest = services.reprocess(store_v1, extractor="fake.v2", judge="fakejudge.b")
    assert (rest.reprocessed, rest.up_to_date) == (N_DOCS - 2, 2)
    assert {r["produced_by"] for r in services.list_statements(store_v1)} == {"fake.v2"}


def test_since_limits_to_documents_published_then_or_undated_and_stored_then(store_v1: Settings) -> None:
    report = services.reprocess(store_v1, extractor="fake.v3", judge="fakejudge.a", since="2016-01")
    # doc-2 (2016), doc-3 (2017) by publication date; doc-4 has none and was stored today.
    assert (report.in_scope, report.reprocessed) == (3, 3)
    new = {r["source"] for r in services.list_statements(store_v1) if r["produced_by"] == "fake.v3"}
    assert new == {"doc-2.txt", "doc-3.txt", "doc-4.txt"}
    with pytest.raises(IngestError, match="invalid --since"):
        services.reprocess(store_v1, extractor="fake.v3", since="March")


def test_force_reprocesses_documents_already_current(store_v1: Settings) -> None:
    report = services.reprocess(store_v1, force=True)
    assert report.reprocessed == N_DOCS
    assert len(services.list_statements(store_v1)) == 3 * N_DOCS


def test_unknown_model_names_are_refused_before_any_work(store_v1: Settings) -> None:
    before = _snapshot(store_v1)
    with pytest.raises(ConfigError, match="no judge named 'nope'"):
        services.reprocess(store_v1, judge="nope")
    with pytest.raises(ConfigError, match="no extractor named"):
        services.reprocess(store_v1, extractor="nope.v9")
    assert _snapshot(store_v1) == before


def test_a_model_failing_on_a_document_keeps_its_old_statements(store_v1: Settings) -> None:
    class Failing(FakeExtractor):
        def extract(self, doc: Document) -> list[Statement]:
            if "we talk 1" in doc.text:
                raise ValueError("model crashed")
            return super().extract(doc)

    extractors.register("fake.failing")(lambda nlp, linker: Failing("fake.failing"))
    report = services.reprocess(store_v1, extractor="fake.failing", judge="fakejudge.a")
    assert (report.reprocessed, report.failed) == (N_DOCS - 1, 1)
    assert any("doc-1.txt" in m and "model crashed" in m for m in report.messages)
    assert {r["produced_by"] for r in services.list_statements(store_v1) if r["source"] == "doc-1.txt"} == {"fake.v1"}
    # Not recorded as done: the next run tries it again.
    assert services.reprocess(store_v1, extractor="fake.failing", judge="fakejudge.a").failed == 1


def test_reprocess_in_a_process_pool_gives_the_same_statements(store_v1: Settings, tmp_path: Path) -> None:
    pytest.importorskip("multiprocessing")
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        pytest.skip("the fakes are registered in this process only")  # a spawned worker would not know them
    report = services.reprocess(store_v1, extractor="fake.v3", judge="fakejudge.b", workers=2)
    assert report.reprocessed == N_DOCS
    assert {(r["produced_by"], r["judged_by"]) for r in services.list_statements(store_v1)} == {("fake.v3", "fakejudge.b")}


# -- speaker offsets in exports ------------------------------------------------------------------

def test_exports_carry_the_speaker_mention_offsets(store_v1: Settings) -> None:
    rows = services.list_statements(store_v1)
    store = open_store(store_v1.db)
    try:
        for r in rows:
            text = store.document(r["document_id"])["text"]  # type: ignore[index]
            assert text[r["speaker_start"] : r["speaker_end"]] == r["speaker_text"]
    finally:
        store.close()
    jsonl = [json.loads(line) for line in services.export(store_v1, "jsonl").splitlines()]
    assert {(r["id"], r["speaker_start"], r["speaker_end"]) for r in jsonl} == {
        (r["id"], r["speaker_start"], r["speaker_end"]) for r in rows}
    table = list(csv.DictReader(io.StringIO(services.export(store_v1, "csv"))))
    assert {(r["id"], int(r["speaker_start"]), int(r["speaker_end"])) for r in table} == {
        (r["id"], r["speaker_start"], r["speaker_end"]) for r in rows}
    assert table[0]["speaker_text"] in ("Alice", "Bob", "Carol")
    pq = pytest.importorskip("pyarrow.parquet")
    parquet = pq.read_table(io.BytesIO(services.export_parquet(store_v1))).to_pylist()
    assert str(pq.read_schema(io.BytesIO(services.export_parquet(store_v1))).field("speaker_start").type) == "int64"
    assert {(r["id"], r["speaker_start"], r["speaker_end"]) for r in parquet} == {
        (r["id"], r["speaker_start"], r["speaker_end"]) for r in rows}


# -- the command -----------------------------------------------------------------------------------

def test_cli_reprocess_reports_and_lists_orphaned_corrections(store_v1: Settings) -> None:
    from stanceline.cli import app

    runner = CliRunner()
    carol = _by_speaker(store_v1, "Carol", doc=3)
    store = open_store(store_v1.db)
    try:
        store.add_correction(carol["id"], "stance", "neutral", "analyst")
    finally:
        store.close()
    args = ["reprocess", "--db", store_v1.db, "--extractor", "fake.v2", "--judge", "fakejudge.b", "--workers", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert f"reprocessed {N_DOCS} document(s) with fake.v2 + fakejudge.b" in first.output
    assert "1 orphaned" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "reprocessed 0 document(s)" in second.output
    assert f"({N_DOCS} already up to date" in second.output
    listed = runner.invoke(app, ["reprocess", "--db", store_v1.db, "--orphans"])
    assert listed.exit_code == 0 and "1 orphaned correction(s)" in listed.output and "maybe 3" in listed.output
    bad = runner.invoke(app, ["reprocess", "--db", store_v1.db, "--judge", "nope"])
    assert bad.exit_code == 2 and "no judge named 'nope'" in bad.output and "Traceback" not in bad.output


def test_reprocess_keeps_near_duplicates_without_statements(settings: Settings) -> None:
    settings = settings.model_copy(update={"extractor": "fake.v1", "judge": "fakejudge.a"})
    body = ("The foreign ministers met in Geneva on Tuesday for a second round of talks about the nuclear programme, "
            "the sanctions that weigh on the economy and the prisoners held by both sides, and agreed to meet again "
            "after consulting their governments about the proposals each delegation had brought to the table.")
    original = f'{body}\n\nAlice said "we talk".\n'
    services.ingest([], settings, inputs=[RawInput("a.txt", original.encode(), "text/plain")])
    services.ingest([], settings, inputs=[RawInput("b.txt", (original + "Extra line.\n").encode(), "text/plain")])
    assert len(services.list_statements(settings)) == 1
    report = services.reprocess(settings, extractor="fake.v3")
    assert (report.in_scope, report.reprocessed) == (1, 1)
    assert [r["source"] for r in services.list_statements(settings)] == ["a.txt"]



def test_api_statements_carry_the_speaker_mention_offsets(store_v1: Settings) -> None:
    from fastapi.testclient import TestClient

    from stanceline.api.app import create_app

    expected = {r["id"]: (r["speaker_start"], r["speaker_end"]) for r in services.list_statements(store_v1)}
    with TestClient(create_app(store_v1)) as client:
        items = client.get("/api/v1/statements?limit=100").json()["items"]
        one = client.get(f"/api/v1/statements/{items[0]['id']}").json()
    assert {i["id"]: (i["speaker_start"], i["speaker_end"]) for i in items} == expected
    assert (one["speaker_start"], one["speaker_end"]) == expected[one["id"]]
    assert all(isinstance(v, int) for pair in expected.values() for v in pair)


def test_a_new_judge_alone_keeps_statement_ids_and_their_corrections(store_v1: Settings) -> None:
    alice = _by_speaker(store_v1, "Alice")
    store = open_store(store_v1.db)
    try:
        store.add_correction(alice["id"], "stance", "conditional", "analyst")
    finally:
        store.close()
    report = services.reprocess(store_v1, judge="fakejudge.b")
    assert (report.reprocessed, report.reattached, report.orphaned) == (N_DOCS, 1, 0)
    after = _by_speaker(store_v1, "Alice")
    assert after["id"] == alice["id"] and after["judged_by"] == "fakejudge.b"
    assert after["stance"] == "conditional" and after["corrected"] is True
    assert _by_speaker(store_v1, "Bob")["stance"] == "oppose"
