"""Request limits of the API as a server runs them: streamed (chunked) bodies, the token checked before the
body is read, failed-token counting that a forged X-Forwarded-For cannot escape and a correct token never hits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from stanceline.api.app import create_app
from stanceline.api.middleware import RequestLimits
from stanceline.config import load_settings
from stanceline.errors import ConfigError
from tests.api.factory import build_store

TOKEN = "limits-token"  # noqa: S105 - a test token
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'limits.db'}"
    build_store(url).close()
    yield url


def _served(db_url: str, **overrides: Any) -> Any:
    """The app as ``stanceline serve`` runs it: behind uvicorn's proxy-header handling with its defaults."""
    return ProxyHeadersMiddleware(create_app(load_settings(db=db_url, api_token=TOKEN, **overrides)),
                                  trusted_hosts="127.0.0.1,::1")


def _run(app: Any, requests: list[dict[str, Any]], peer: str = "127.0.0.1") -> list[httpx.Response]:
    answers: list[httpx.Response] = []

    async def main() -> None:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://stanceline.test") as c:
            for r in requests:
                answers.append(await c.request(**r))

    anyio.run(main)
    return answers


class Chunks:
    """A chunked request body of ``total`` bytes that counts how much of it the server read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.read < self.total:
            self.read += CHUNK
            yield b"x" * CHUNK


def _merge(body: Chunks, headers: dict[str, str]) -> dict[str, Any]:
    return {"method": "POST", "url": "/api/v1/actors/merge", "content": body,
            "headers": {"Content-Type": "application/json", **headers}}


def test_chunked_body_over_the_limit_is_refused_as_soon_as_it_crosses_it(db_url: str) -> None:
    body = Chunks(300 << 20)  # 300 MB announced by no Content-Length
    [r] = _run(_served(db_url), [_merge(body, {"Authorization": f"Bearer {TOKEN}"})])
    assert r.status_code == 413
    assert r.json() == {"error": {"code": "payload_too_large", "message": "request body too large (limit 1,000,000 bytes)"}}
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert body.read <= 1_000_000 + CHUNK  # read up to the first chunk past the limit, no further


def test_chunked_body_under_the_limit_is_read_whole(db_url: str) -> None:
    body = Chunks(5 * CHUNK)
    [r] = _run(_served(db_url), [_merge(body, {"Authorization": f"Bearer {TOKEN}"})])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameters"  # not JSON, but read whole
    assert body.read == 5 * CHUNK


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}], ids=["no token", "wrong token"])
def test_the_token_is_checked_before_any_of_the_body_is_read(db_url: str, headers: dict[str, str]) -> None:
    body = Chunks(300 << 20)
    [r] = _run(_served(db_url), [_merge(body, headers)])
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    assert body.read == 0


def test_writes_are_refused_before_the_body_when_no_token_is_configured(db_url: str) -> None:
    body = Chunks(300 << 20)
    app = ProxyHeadersMiddleware(create_app(load_settings(db=db_url, api_token=None)), trusted_hosts="127.0.0.1")
    [r] = _run(app, [_merge(body, {"Authorization": "Bearer anything"})])
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert body.read == 0


def _guess(i: int, forwarded: str | None = None, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token or f'guess-{i}'}"}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    return {"method": "POST", "url": "/api/v1/actors/merge", "json": {"source": "nobody", "target": "nobody-else"},
            "headers": headers}


def test_rotating_forwarded_for_from_loopback_does_not_escape_the_limit(db_url: str) -> None:
    answers = _run(_served(db_url, api_auth_failures_per_min=5),
                   [_guess(i, forwarded=f"198.51.100.{i}") for i in range(30)])
    assert [r.status_code for r in answers[:5]] == [401] * 5
    assert {r.status_code for r in answers[5:]} == {429}
    limited = answers[5]
    assert limited.headers["retry-after"] == "60"
    assert limited.json()["error"]["code"] == "too_many_requests"


def test_forwarded_for_is_believed_from_a_configured_proxy_only(db_url: str) -> None:
    app = create_app(load_settings(db=db_url, api_token=TOKEN, api_auth_failures_per_min=3,
                                   api_trusted_proxies=["10.0.0.0/8"]))
    # Behind the proxy: each client has its own count; what the client itself put to the left is ignored.
    answers = _run(app, [_guess(i, forwarded=f"203.0.113.{i % 2 + 1}") for i in range(6)]
                   + [_guess(i, forwarded=f"192.0.2.{i}, 203.0.113.1") for i in range(3)], peer="10.1.2.3")
    assert [r.status_code for r in answers[:6]] == [401] * 6
    assert [r.status_code for r in answers[6:]] == [429] * 3
    # The same header from a peer that is not the proxy is not believed.
    direct = _run(app, [_guess(i, forwarded=f"203.0.113.{i + 10}") for i in range(5)], peer="198.51.100.7")
    assert [r.status_code for r in direct] == [401, 401, 401, 429, 429]


def test_a_correct_token_is_never_locked_out(db_url: str) -> None:
    app = _served(db_url, api_auth_failures_per_min=3)
    answers = _run(app, [_guess(i) for i in range(10)]
                   + [_guess(0, token=TOKEN), _guess(1, forwarded="198.51.100.1", token=TOKEN)])
    assert {r.status_code for r in answers[3:10]} == {429}
    # The merge itself is refused (no such actors), but by the route: the token was accepted.
    assert [r.status_code for r in answers[10:]] == [404, 404]


def _limits(clock: list[float], max_clients: int = 3) -> RequestLimits:
    async def ok(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("a refused write reached the app")

    from stanceline.api.app import _error

    return RequestLimits(ok, 1000, 2, _error, authorize=lambda header: (401, "bad token"), max_clients=max_clients,
                         clock=lambda: clock[0])


def _refused(limits: RequestLimits, client: str, headers: list[tuple[bytes, bytes]] | None = None) -> int:
    scope = {"type": "http", "method": "POST", "path": "/api/v1/actors/merge", "raw_path": b"/api/v1/actors/merge",
             "query_string": b"", "headers": headers or [], "client": (client, 1), "server": ("t", 80), "scheme": "http",
             "http_version": "1.1", "root_path": ""}
    out: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        out.append(message)

    anyio.run(limits, scope, receive, send)
    return int(out[0]["status"])


def test_the_failure_table_is_bounded_and_forgets_after_a_minute() -> None:
    clock = [1000.0]
    limits = _limits(clock)
    for i in range(50):
        assert _refused(limits, f"192.0.2.{i}") == 401
    assert len(limits._failures) == 3  # the least recently failing were forgotten
    assert [_refused(limits, "192.0.2.49") for _ in range(2)] == [401, 429]
    clock[0] += 61
    assert _refused(limits, "192.0.2.200") == 401
    assert list(limits._failures) == ["192.0.2.200"]  # every expired entry is gone
    assert _refused(limits, "192.0.2.49") == 401  # its failures expired


def test_trusted_proxies_must_be_addresses_or_networks(tmp_path: Path) -> None:
    assert load_settings(api_trusted_proxies=["10.0.0.1", "fd00::/8"]).api_trusted_proxies == ("10.0.0.1", "fd00::/8")
    with pytest.raises(ConfigError):
        load_settings(api_trusted_proxies=["proxy.example"])


def test_every_client_error_has_a_specific_code() -> None:
    from starlette.requests import Request

    from stanceline.api.app import _error

    request = Request({"type": "http", "method": "GET", "path": "/api/v1/x", "headers": [], "query_string": b""})
    codes = {int(status): json.loads(_error(request, status, "m").body)["error"]["code"]
             for status in HTTPStatus if 400 <= status < 500}
    assert codes[413] == "payload_too_large" and codes[429] == "too_many_requests" and codes[408] == "request_timeout"
    assert "error" not in codes.values()


@pytest.mark.parametrize("length", [b"1001", b"9" * 19, b"9" * 5000])
def test_an_announced_length_over_the_limit_is_refused_unread(length: bytes) -> None:
    assert _refused(_limits([0.0]), "192.0.2.1", [(b"content-length", length)]) == 413
