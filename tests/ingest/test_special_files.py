"""Pipes, devices and unreadable folders: refused with a reason, never a hang, a memory blow-up or silence."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from stanceline import services
from stanceline.config import Settings
from stanceline.ingest.files import discover, read_file, read_source
from stanceline.records import Quarantine, RawInput
from tests.reliability.synthetic import article

WAIT_LIMIT_S = 60  # a bound on waiting for a hang, not a timing assertion

needs_posix = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(),
                                 reason="named pipes and /dev/zero are POSIX")


def _read_all(paths: list[str], max_bytes: int) -> list[RawInput | Quarantine]:
    """Discover and read ``paths`` in a thread; fail (instead of hanging the suite) if it never returns."""
    out: list[RawInput | Quarantine] = []

    def run() -> None:
        for item in discover(paths):
            out.extend([item] if isinstance(item, Quarantine) else read_source(item, max_bytes))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT_LIMIT_S)
    assert not thread.is_alive(), "reading the folder hangs"
    return out


@pytest.fixture
def special_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "good.txt").write_text(article(1), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    (folder / "zero.warc").symlink_to("/dev/zero")
    return folder


@needs_posix
def test_fifo_and_device_files_in_a_folder_are_quarantined_without_reading(special_folder: Path) -> None:
    got = _read_all([str(special_folder)], 1_000_000)
    reasons = {Path(q.source).name: q.reason for q in got if isinstance(q, Quarantine)}
    assert reasons == {
        "pipe.txt": "not a regular file: a named pipe (FIFO); only regular files are read",
        "zero.txt": "not a regular file: a character device; only regular files are read",
        "zero.jsonl": "not a regular file: a character device; only regular files are read",
        "zero.warc": "not a regular file: a character device; only regular files are read",
    }
    assert [Path(r.source).name for r in got if isinstance(r, RawInput)] == ["good.txt"]


@needs_posix
def test_a_device_given_directly_is_quarantined() -> None:
    got = _read_all(["/dev/zero"], 1_000_000)
    assert got == [Quarantine("/dev/zero", "not a regular file: a character device; only regular files are read", 0)]


def test_read_stops_at_the_limit_even_when_the_size_lies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that grows after it was sized is read to the limit + 1 byte, not to its end."""
    big = tmp_path / "growing.txt"
    big.write_bytes(b"x" * 5_000)
    real_fstat = os.fstat

    def shrunk(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))

    reads: list[int] = []
    real_fdopen = os.fdopen

    def counting_fdopen(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        fh = real_fdopen(fd, *args, **kwargs)  # type: ignore[arg-type]

        class Counting:
            def __enter__(self):  # type: ignore[no-untyped-def]
                return self

            def __exit__(self, *exc: object) -> None:
                fh.close()

            def fileno(self) -> int:
                return fh.fileno()

            def read(self, n: int = -1) -> bytes:
                data = fh.read(n)
                reads.append(len(data))
                return data

        return Counting()

    monkeypatch.setattr(os, "fstat", shrunk)
    monkeypatch.setattr(os, "fdopen", counting_fdopen)
    got = read_file(str(big), 1_000)
    assert isinstance(got, Quarantine) and got.reason == "too large: more than 1,000 bytes (limit 1,000)"
    assert sum(reads) == 1_001


def test_an_unreadable_subfolder_is_quarantined_not_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "a.txt").write_text("text", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text("text", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # tests run as root: permissions alone would not refuse
        if Path(os.fsdecode(path)) == locked:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    got = list(discover([str(tmp_path)]))
    assert str(tmp_path / "open" / "a.txt") in got
    assert Quarantine(str(locked), "unreadable folder: Permission denied; its files were not read", 0) in got
    assert not any(isinstance(g, str) and "b.txt" in g for g in got)


def test_an_unreadable_top_folder_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def scandir(path: object = ".") -> object:
        raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(discover([str(tmp_path)])) == [
        Quarantine(str(tmp_path), "unreadable folder: Permission denied; its files were not read", 0)]


@pytest.mark.slow
@needs_posix
def test_ingest_of_a_folder_with_a_pipe_and_a_device_stores_the_rest(special_folder: Path, settings: Settings,
                                                                     resources: object) -> None:
    report = services.ingest([str(special_folder)], settings, workers=1)
    assert (report.new, report.quarantined) == (1, 4)
    rows = services.quarantine_list(settings)
    assert {Path(r["source"]).name for r in rows} == {"pipe.txt", "zero.txt", "zero.jsonl", "zero.warc"}
    assert all(r["reason"].startswith("not a regular file") for r in rows)
