"""Bad databases, output paths and options: one clear line and a non-zero exit, never a traceback or a password."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stanceline.cli import app
from stanceline.storage.sql import is_in_memory, masked, masked_url

runner = CliRunner()
PASSWORD = "s3cret-Pa55word"  # noqa: S105 - a made-up password that must never be printed


@pytest.fixture(autouse=True)
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 'serve' that gets past its checks fails here instead of listening for ever."""
    import uvicorn

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the server was started")

    monkeypatch.setattr(uvicorn, "run", refuse)


def _one_line_error(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.mark.parametrize("url", ["mysql://reader:" + PASSWORD + "@localhost/news", "mssql+pyodbc://sa:" + PASSWORD + "@dsn"])
def test_a_database_without_its_driver_is_one_line(url: str) -> None:
    line = _one_line_error(["summary", "--db", url])
    assert "its driver is not installed" in line
    assert PASSWORD not in line and ":***@" in line


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://bob:{PASSWORD}@127.0.0.1:1/news",  # connection refused
    f"postgresql://bob:{PASSWORD}@[bad/news",  # an unresolvable host
])
def test_a_postgresql_password_is_never_printed(url: str) -> None:
    line = _one_line_error(["summary", "--db", url])
    assert line.startswith("error: cannot open database")
    assert PASSWORD not in line and "bob:***@" in line


def test_masking_covers_urls_and_bare_passwords() -> None:
    url = f"postgresql://bob:{PASSWORD}@db.example/news"
    assert masked_url(url) == "postgresql://bob:***@db.example/news"
    assert masked(f"failed for {url}; password {PASSWORD!r} refused", url) == \
        "failed for postgresql://bob:***@db.example/news; password '***' refused"
    assert masked_url("sqlite:///tmp/a.db") == "sqlite:///tmp/a.db"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://", "sqlite:///file::memory:?cache=shared",
                                 "sqlite:///file:x?mode=memory&uri=true"])
def test_in_memory_sqlite_urls_are_recognised(url: str) -> None:
    assert is_in_memory(url)


@pytest.mark.parametrize("url", ["sqlite:///a.db", "sqlite:////tmp/memory.db", "postgresql://u@h/memory"])
def test_file_and_server_databases_are_not_in_memory(url: str) -> None:
    assert not is_in_memory(url)


@pytest.mark.parametrize("args", [
    ["ingest", "{file}"],
    ["quarantine", "--retry"],
    ["actors", "merge", "provisional:someone", "khamenei"],
    ["serve", "--port", "8765"],
])
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_writing_commands_refuse_an_in_memory_database(args: list[str], url: str, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Iran said on Monday it was ready to talk.", encoding="utf-8")
    line = _one_line_error([a.replace("{file}", str(story)) for a in args] + ["--db", url])
    assert "is an in-memory database: nothing written to it would be kept" in line


@pytest.fixture
def empty_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_to_a_missing_folder_is_one_line(fmt: str, tmp_path: Path, empty_db: str) -> None:
    target = tmp_path / "no" / "such" / "out.data"
    line = _one_line_error(["export", "-f", fmt, "--db", empty_db, "-o", str(target)])
    assert line == f"error: cannot write {target}: folder {target.parent} does not exist"


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_export_to_a_folder_is_one_line(fmt: str, tmp_path: Path, empty_db: str) -> None:
    line = _one_line_error(["export", "-f", fmt, "--db", empty_db, "-o", str(tmp_path)])
    assert line == f"error: cannot write {tmp_path}: it is a folder; give a file name"


def test_report_to_a_missing_folder_is_one_line(tmp_path: Path, empty_db: str) -> None:
    target = tmp_path / "missing" / "report.md"
    assert _one_line_error(["report", "--db", empty_db, "-o", str(target)]).startswith(f"error: cannot write {target}")


@pytest.mark.parametrize("port", ["0", "65536", "99999", "-1"])
def test_serve_refuses_a_port_out_of_range(port: str, empty_db: str) -> None:
    result = runner.invoke(app, ["serve", "--port", port, "--db", empty_db])
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.output and "Traceback" not in result.output


def test_a_database_from_a_newer_version_is_one_line(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "newer.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    con.commit()
    con.close()
    line = _one_line_error(["summary", "--db", f"sqlite:///{db}"])
    assert "its schema is not one this version of stanceline knows" in line and "9999_from_the_future" in line
