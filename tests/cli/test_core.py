"""The CLI contract on the bundled demo corpus: ingest, statements, export, summary, eval."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.conftest import DEMO, DEVSET, DEVSET_GOLD
from typer.testing import CliRunner

from stanceline.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
EXPORT_KEYS = {"id", "source", "document_id", "title", "outlet", "published", "speaker", "speaker_text", "speaker_role",
               "speaker_kind", "cue", "kind", "text", "start", "end", "date", "target", "stance", "conditions",
               "argument", "produced_by"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    result = runner.invoke(app, ["ingest", str(DEMO), "--db", db, "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    return db


def test_cli_ingest_is_idempotent(demo_db: str) -> None:
    before = runner.invoke(app, ["summary", "--db", demo_db]).output
    again = runner.invoke(app, ["ingest", str(DEMO), "--db", demo_db, "--workers", "1"])
    assert again.exit_code == 0
    assert "0 new document(s)" in again.output
    assert runner.invoke(app, ["summary", "--db", demo_db]).output == before


def test_cli_export_jsonl_contract(demo_db: str) -> None:
    result = runner.invoke(app, ["export", "--format", "jsonl", "--db", demo_db])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(rows) >= 30
    assert EXPORT_KEYS <= set(rows[0])
    assert any(r["target"] is None for r in rows), "off-target statements are exported too"
    assert {r["stance"] for r in rows if r["target"]} >= {"support", "oppose", "conditional"}
    for r in rows:
        assert r["source"].startswith(str(DEMO))
        assert r["produced_by"] == "attribution.v1"
        assert isinstance(r["conditions"], list)
        assert r["speaker_kind"] in ("person", "organization", "outlet", "government", "unknown")


def test_cli_export_offsets_point_into_stored_text(demo_db: str) -> None:
    from stanceline.storage import open_store

    store = open_store(demo_db)
    try:
        for row in store.statement_rows():
            doc = store.document(row["document_id"])
            assert doc is not None and doc["text"][row["start"] : row["end"]] == row["text"]
    finally:
        store.close()


def test_cli_export_csv(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    assert runner.invoke(app, ["export", "--format", "csv", "--db", demo_db, "-o", str(out)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and EXPORT_KEYS <= set(rows[0])


def test_cli_statements_filters(demo_db: str) -> None:
    result = runner.invoke(app, ["statements", "--db", demo_db, "--speaker", "Khamenei", "--stance", "oppose"])
    assert result.exit_code == 0
    assert "Khamenei" in result.output


def test_cli_statements_since(demo_db: str) -> None:
    from stanceline.config import load_settings
    from stanceline.services import list_statements
    from stanceline.storage import StatementFilter

    rows = list_statements(load_settings(db=demo_db), StatementFilter(since="2024"))
    assert rows and all((r["date"] or "") >= "2024" for r in rows)


def test_cli_demo_shows_a_stance_shift(demo_db: str) -> None:
    from stanceline.config import load_settings
    from stanceline.services import list_statements
    from stanceline.storage import StatementFilter

    rows = list_statements(load_settings(db=demo_db), StatementFilter(speaker="Khamenei", on_target=True))
    assert {"oppose"} <= {r["stance"] for r in rows} and len({r["stance"] for r in rows}) >= 2


def test_cli_eval_prints_json_last(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", str(DEVSET), "--gold", str(DEVSET_GOLD), "--workers", "1"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(metrics) == {"detect_p", "detect_r", "detect_f1", "speaker_acc", "stance_acc", "stance_macro_f1", "date_acc", "e2e_f1"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "/nonexistent", "--gold", "/nonexistent.jsonl"], "gold file not found"),
        (["export", "--format", "xml"], "unknown format"),
        (["ingest", "/nonexistent/folder", "--db", "sqlite:///{tmp}/cli-test.db", "--quiet"], "not found"),
    ],
)
def test_cli_errors_are_one_line_messages(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert message in result.output
    assert "Traceback" not in result.output
