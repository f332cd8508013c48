"""``stanceline judge`` (JSONL in, JSONL out) and ``stanceline train-judge`` (its checks and the trainer call)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.api.factory import build_store
from typer.testing import CliRunner

from stanceline.cli import app
from stanceline.config import Settings

runner = CliRunner()
GOOD = {"text": "We will never negotiate with America.", "target": "negotiation-with-us", "speaker": "Khamenei"}


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_judge_file_to_stdout_with_one_record_per_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({**GOOD, "id": str(i)}) for i in range(3)) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["judge", str(src), "--quiet"])
    assert result.exit_code == 0, result.output
    out = _lines(result.stdout)
    assert [o["id"] for o in out] == ["0", "1", "2"]
    assert all(o["stance"] == "oppose" and o["judged_by"] == Settings().judge and o["speaker"] == "Khamenei" for o in out)


def test_judge_bad_lines_are_error_records_with_line_numbers_and_exit_1(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD) + "\n{not json\n\n" + json.dumps({"target": "jcpoa"}) + "\n"
                   + json.dumps({"text": "Talks.", "target": "atlantis"}) + "\n[1, 2]\n" + json.dumps(GOOD) + "\n",
                   encoding="utf-8")
    out_file = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["judge", str(src), "-o", str(out_file)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    out = _lines(out_file.read_text(encoding="utf-8"))
    assert [o.get("line") for o in out] == [None, 2, 4, 5, 6, None]
    assert out[1]["error"].startswith("not JSON") and "missing 'text'" in out[2]["error"]
    assert "unknown target 'atlantis'" in out[3]["error"] and "JSON object" in out[4]["error"]
    assert out[0]["stance"] == out[5]["stance"] == "oppose"
    assert "4 line(s) failed" in result.stderr


def test_judge_reads_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_text(json.dumps(GOOD) + "\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["judge", str(src), "--quiet"])
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout)[0]["stance"] == "oppose"


def test_judge_reads_stdin(tmp_path: Path) -> None:
    result = runner.invoke(app, ["judge", "-", "--quiet"], input=json.dumps(GOOD) + "\n")
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout)[0]["stance"] == "oppose"


@pytest.mark.parametrize(("args", "message"), [
    (["judge", "missing.jsonl"], "input file not found: missing.jsonl"),
    (["judge", "-", "--judge", "nope"], "no judge named 'nope'"),
])
def test_judge_refuses_bad_arguments_in_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args, input="")
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


# -- train-judge ------------------------------------------------------------------------------
def _corrected_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = build_store(url)
    sid = next(r["id"] for r in store.statement_rows() if r["speaker"] == "Hassan Rouhani")
    store.add_correction(sid, "stance", "oppose", "tester")
    store.close()
    return url


def test_train_judge_without_scikit_learn_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a))
    result = runner.invoke(app, ["train-judge"])
    assert result.exit_code == 2 and "scikit-learn" in result.output and "Traceback" not in result.output


def _with_trainer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the training extra is installed: these tests replace the trainer's process, so they
    must not depend on whether scikit-learn is (a test install does not carry the train extra)."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name in ("sklearn", "stanceline.training.stance") else real(name, *a))


def test_train_judge_without_the_corpus_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with_trainer(monkeypatch)
    result = runner.invoke(app, ["train-judge", "--corpus", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "training corpus not found" in result.output


def test_train_judge_with_corrections_hands_them_to_the_trainer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with_trainer(monkeypatch)
    calls: list[tuple[list[str], list[dict[str, Any]]]] = []

    def trainer(command: list[str]) -> int:
        extra = Path(command[command.index("--extra") + 1])
        calls.append((command, _lines(extra.read_text(encoding="utf-8"))))
        return 0

    monkeypatch.setattr(subprocess, "call", trainer)
    result = runner.invoke(app, ["train-judge", "--with-corrections", "--db", _corrected_db(tmp_path),
                                 "--corpus", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [(command, items)] = calls
    assert command[1:4] == ["-m", "stanceline.training", "stance"] and f"--corpus={tmp_path}" in command
    [item] = items
    assert item["stance"] == "oppose" and item["group"] == f"correction:{item['id']}"
    assert "1 corrected statement(s)" in result.stderr


def test_train_judge_passes_the_trainers_failure_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with_trainer(monkeypatch)
    monkeypatch.setattr(subprocess, "call", lambda command: 3)
    assert runner.invoke(app, ["train-judge", "--corpus", str(tmp_path)]).exit_code == 3
