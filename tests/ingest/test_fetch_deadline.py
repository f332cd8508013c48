"""The fetch deadline bounds a whole URL, retries included, against real slow servers on loopback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from stanceline.config import Settings, load_settings
from stanceline.ingest.web import Fetcher
from stanceline.records import Quarantine

BODY_BYTES = 200  # at DRIP_S a byte, the whole body takes 10 s: far past the deadline
DRIP_S = 0.05


class _Slow(http.server.BaseHTTPRequestHandler):
    sent: list[int] = []
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        _Slow.hits.append(self.path)
        if self.path == "/busy":
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        stop = threading.Event()
        if self.path == "/drip-headers":  # the status line, then a header that never ends
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(BODY_BYTES))
            self.end_headers()
        self.wfile.flush()
        for _ in range(BODY_BYTES):  # one byte at a time, each well within the per-read timeout
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:  # the client hung up
                return
            _Slow.sent[0] += 1
            stop.wait(DRIP_S)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    _Slow.sent, _Slow.hits = [0], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def short_deadline() -> Settings:
    return load_settings(db="sqlite:///unused.db", allow_private=True, fetch_timeout_s=2.0, fetch_deadline_s=1.0)


def test_a_dripping_server_is_cut_off_at_the_deadline(slow_server: str, short_deadline: Settings) -> None:
    with Fetcher(short_deadline) as fetcher:
        got = fetcher.fetch_raw(f"{slow_server}/drip")
    assert isinstance(got, Quarantine), "the whole dripped body was accepted"
    assert got.reason == f"too slow: {slow_server}/drip took longer than the deadline of 1s"
    assert _Slow.sent[0] < BODY_BYTES
    assert _Slow.hits == ["/drip"], "a deadline is not retried"


def test_a_server_dripping_its_headers_is_cut_off_at_the_deadline(slow_server: str, short_deadline: Settings) -> None:
    with Fetcher(short_deadline) as fetcher:
        got = fetcher.fetch_raw(f"{slow_server}/drip-headers")
    assert isinstance(got, Quarantine)
    assert got.reason == f"too slow: {slow_server}/drip-headers took longer than the deadline of 1s"
    assert _Slow.sent[0] < BODY_BYTES
    assert _Slow.hits == ["/drip-headers"]


def test_retries_stop_when_the_deadline_leaves_no_time(slow_server: str, short_deadline: Settings) -> None:
    with Fetcher(short_deadline, backoff_s=0.4) as fetcher:  # pauses 0.4 s, then 0.8 s: the second ends past 1 s
        got = fetcher.fetch_raw(f"{slow_server}/busy")
    assert isinstance(got, Quarantine)
    assert got.reason.endswith("no time left for another attempt within the deadline of 1s")
    assert 1 <= len(_Slow.hits) < 4, "every retry was made despite the deadline"


def test_the_deadline_is_a_setting() -> None:
    assert load_settings(fetch_deadline_s=7).fetch_deadline_s == 7
    from stanceline.errors import ConfigError

    with pytest.raises(ConfigError):
        load_settings(fetch_deadline_s=0)
