"""An ingest killed with SIGKILL takes its process-pool workers with it (they would otherwise hold the models for ever)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.cli_runner import CLI, clean_env
from tests.reliability.synthetic import write_articles

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")]

WAIT_LIMIT_S = 600  # bounds on waiting, not timing assertions
GONE_LIMIT_S = 60


def _stored_documents(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _status(int(entry.name)).get("PPid", "").strip() == str(parent):
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    state = _status(pid).get("State", "")
    return bool(state) and not state.startswith(("Z", "X"))  # a zombie holds no memory and runs nothing


def test_killing_the_ingest_process_ends_its_workers(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(400))
    db = tmp_path / "kill.db"
    proc = subprocess.Popen([*CLI, "ingest", str(corpus), "--db", f"sqlite:///{db}", "--workers", "2", "--quiet"],
                            cwd=tmp_path, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    workers: set[int] = set()
    try:
        start = time.monotonic()
        while _stored_documents(db) == 0:  # the pool is up and its workers have loaded the models
            assert proc.poll() is None, "ingest ended before it could be killed"
            assert time.monotonic() - start < WAIT_LIMIT_S, "ingest stored nothing"
            time.sleep(0.2)
        workers = _children(proc.pid)
        assert len(workers) >= 2, f"expected the two pool workers, found {workers}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + GONE_LIMIT_S
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived the killed ingest"
    finally:
        for pid in workers:  # never leave them behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_a_worker_asks_the_kernel_to_end_it_with_its_parent(tmp_path: Path) -> None:
    """The initializer sets PR_SET_PDEATHSIG (read back with PR_GET_PDEATHSIG in a real child process)."""
    code = (
        "import ctypes, os, signal\n"
        "from stanceline.pipeline import _exit_with_parent\n"
        "_exit_with_parent()\n"
        "sig = ctypes.c_int(0)\n"
        "ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)\n"  # PR_GET_PDEATHSIG
        "print(sig.value == signal.SIGKILL)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=clean_env())
    assert out.stdout.strip() == "True"
