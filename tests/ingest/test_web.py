"""The polite fetcher: retries, redirects, address refusal, size and type checks — on mock transports only."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from stanceline.config import Settings, load_settings
from stanceline.errors import FetchError
from stanceline.ingest.web import USER_AGENT, Fetcher, HostLimiter, _check_peer, check_public
from stanceline.records import Quarantine, RawInput

PUBLIC = "http://93.184.216.34"  # an IP literal: resolves offline, and is public


@pytest.fixture
def fsettings(tmp_path: Path) -> Settings:
    return load_settings(db=f"sqlite:///{tmp_path / 'w.db'}", fetch_timeout_s=2.0, fetch_max_bytes=10_000)


def fetcher(settings: Settings, handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None) -> Fetcher:
    return Fetcher(settings, httpx.MockTransport(handler), sleep=(sleeps.append if sleeps is not None else lambda _s: None))


def html(body: str = "<p>Iran said it was ready to talk.</p>", status: int = 200) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "text/html; charset=utf-8"}, content=body.encode())


def test_web_fetch_sends_user_agent_and_returns_bytes(fsettings: Settings) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return html()

    raw = fetcher(fsettings, handler).fetch(f"{PUBLIC}/a")
    assert isinstance(raw, RawInput) and raw.data.startswith(b"<p>Iran") and raw.content_type == "text/html"
    assert seen == [USER_AGENT]


def test_web_fetch_retries_server_errors_with_exponential_backoff(fsettings: Settings) -> None:
    calls, sleeps = [], []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return html(status=503) if len(calls) < 3 else html()

    raw = fetcher(fsettings, handler, sleeps).fetch(f"{PUBLIC}/flaky")
    assert raw.data.startswith(b"<p>") and len(calls) == 3 and sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "handler, reason",
    [
        (lambda r: html(status=404), "HTTP 404 from"),
        (lambda r: html(status=500), "HTTP 500 from http://93.184.216.34/x (after 4 attempts)"),
        (lambda r: httpx.Response(200, headers={"content-type": "image/png"}, content=b"\x89PNG"), "unsupported content type 'image/png'"),  # noqa: E501
        (lambda r: httpx.Response(200, headers={"content-type": "text/html"}, content=b"x" * 20_000), "too large"),
        (lambda r: httpx.Response(301, headers={"location": "/x"}), "redirect loop"),
        (lambda r: httpx.Response(302, headers={"location": r.url.path + "y"}), "too many redirects"),
        (lambda r: httpx.Response(302, headers={"location": "http://127.0.0.1/admin"}), "refused: 127.0.0.1 resolves to a non-public"),  # noqa: E501
        (lambda r: httpx.Response(302), "HTTP 302 without a Location header"),
    ],
)
def test_web_fetch_failures_are_one_line_quarantines(fsettings: Settings, handler: Callable[[httpx.Request], httpx.Response],
                                                       reason: str) -> None:
    got = fetcher(fsettings, handler).fetch_raw(f"{PUBLIC}/x")
    assert isinstance(got, Quarantine) and reason in got.reason and "\n" not in got.reason


def test_web_fetch_timeout_is_retried_then_quarantined(fsettings: Settings) -> None:
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    got = fetcher(fsettings, handler, sleeps).fetch_raw(f"{PUBLIC}/slow")
    assert isinstance(got, Quarantine) and got.reason.startswith("timeout after 2s fetching") and sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://[::1]/",
                                 "file:///etc/passwd", "ftp://93.184.216.34/"])
def test_web_check_public_refuses_internal_targets(url: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        check_public(url, allow_private=False)


def test_web_check_public_allows_private_when_asked() -> None:
    check_public("http://127.0.0.1:8000/", allow_private=True)


class _Stream:
    def __init__(self, address: str) -> None:
        self.address = address

    def get_extra_info(self, name: str) -> object:
        return (self.address, 80) if name == "server_addr" else None


@pytest.mark.parametrize("address, refused", [("10.0.0.5", True), ("127.0.0.1", True), ("93.184.216.34", False)])
def test_web_peer_address_is_checked_after_connect(address: str, refused: bool) -> None:
    response = httpx.Response(200, extensions={"network_stream": _Stream(address)})
    if refused:
        with pytest.raises(FetchError, match="connected to a non-public address"):
            _check_peer(response, "http://rebind.example/", allow_private=False)
    else:
        _check_peer(response, "http://rebind.example/", allow_private=False)


def test_web_per_host_limit_holds_under_concurrency(fsettings: Settings) -> None:
    lock = threading.Lock()
    active = {"now": 0, "peak": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            active["now"] += 1
            active["peak"] = max(active["peak"], active["now"])
        time.sleep(0.02)
        with lock:
            active["now"] -= 1
        return html()

    limiter = HostLimiter(per_host=2)
    f = Fetcher(fsettings, httpx.MockTransport(handler), limiter=limiter)
    got = list(f.fetch_many([f"{PUBLIC}/{i}" for i in range(12)], threads=8))
    assert all(isinstance(g, RawInput) for g in got) and [g.source for g in got] == [f"{PUBLIC}/{i}" for i in range(12)]
    assert active["peak"] <= 2 and limiter.peak["93.184.216.34"] <= 2


def test_web_fetch_from_local_server_with_allow_private(tmp_path: Path) -> None:
    import http.server
    import socketserver

    (tmp_path / "a.html").write_text("<html><body><p>Iran said it was ready to talk.</p></body></html>", encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *_args: object) -> None:
            pass

    with socketserver.TCPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/a.html"
        try:
            allowed = load_settings(db="sqlite://", allow_private=True)
            with Fetcher(allowed) as f:
                assert f.fetch(url).data.startswith(b"<html>")
            with Fetcher(load_settings(db="sqlite://")) as f:
                got = f.fetch_raw(url)
                assert isinstance(got, Quarantine) and got.reason.startswith("refused")
        finally:
            server.shutdown()
