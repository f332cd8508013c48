"""ASGI middleware of the web app: response cache keyed by the store revision, request limits, security headers.

Written against the ASGI interface directly (not Starlette's ``BaseHTTPMiddleware``): a cache hit is
answered without routing, parameter parsing or a worker thread, which is what keeps list and
timeline requests cheap under many concurrent clients.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import anyio
from anyio import to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ErrorResponse(Protocol):
    """The app's one error shape: ``error(request, status, message, headers=…)``."""

    def __call__(self, request: Request, status: int, message: str, detail: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> Any: ...


# Pages never run inline script: article text is untrusted, and this makes any escaping slip inert.
CSP = (b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       b"base-uri 'none'; frame-ancestors 'none'")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FAILURE_WINDOW_S = 60.0


@dataclass(frozen=True)
class _Entry:
    """A cached 200 response."""

    headers: list[tuple[bytes, bytes]]
    body: bytes

    def cost(self, key: str) -> int:
        return len(self.body) + len(key) + 200  # headers and bookkeeping, roughly


class ResponseCache:
    """Caches successful GET responses under ``prefix``, keyed by the store revision and the request.

    Every response it passes gets an ETag derived from the revision and the request (so a client that
    sends it back in ``If-None-Match`` gets a 304 without anything being computed). Bodies are kept in
    a least-recently-used map of at most ``max_bytes``; a new revision empties it. Identical requests
    arriving while the first is computed wait for its answer instead of computing it again. Each
    server process has its own cache, and each checks the revision — one primary-key read — on every request, so a
    write made through any process or the CLI is visible at once. When ``inline()`` says that read is
    local and quick (SQLite), it runs on the event loop: a hop to the thread pool, shared with every
    uncached request, costs more than the read itself.
    """

    def __init__(self, app: ASGIApp, revision: Callable[[], str], inline: Callable[[], bool] = lambda: False,
                 prefix: str = "/api/v1/", max_bytes: int = 64 << 20, max_entry_bytes: int = 4 << 20,
                 default_cache_control: str = "no-cache") -> None:
        self.app = app
        self.revision = revision
        self.inline = inline
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.default_cache_control = default_cache_control.encode()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0
        self._revision: str | None = None
        self._inflight: dict[tuple[str, str], anyio.Event] = {}

    @staticmethod
    def key(scope: Scope) -> str:
        """The path and the query with its parameters sorted by name (``?a=1&b=2`` and ``?b=2&a=1`` are one entry).

        The sort is stable and by name only: repeated parameters keep their values and their order, since a
        handler may read the last (or every) value, so ``?a=1&a=2`` and ``?a=2&a=1`` are two entries.
        """
        query = scope.get("query_string", b"").decode("latin-1")
        pairs = sorted(parse_qsl(query, keep_blank_values=True), key=lambda pair: pair[0])
        return f"{scope['path']}?{urlencode(pairs)}"

    def _etag(self, revision: str, key: str) -> bytes:
        digest = hashlib.sha1(f"{revision}|{key}".encode(), usedforsecurity=False).hexdigest()[:20]
        return f'"{digest}"'.encode()

    def _current(self, revision: str) -> None:
        if revision != self._revision:
            self._entries.clear()
            self._size = 0
            self._revision = revision

    def _store(self, key: str, entry: _Entry) -> None:
        if entry.cost(key) > self.max_entry_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= old.cost(key)
        self._entries[key] = entry
        self._size += entry.cost(key)
        while self._size > self.max_bytes and self._entries:
            k, e = self._entries.popitem(last=False)
            self._size -= e.cost(k)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        try:
            revision = self.revision() if self.inline() else await to_thread.run_sync(self.revision)
        except Exception:  # noqa: BLE001 - the store is unreachable: let the route report it properly
            await self.app(scope, receive, send)
            return
        key = self.key(scope)
        etag = self._etag(revision, key)
        self._current(revision)
        if etag in Headers(scope=scope).get("if-none-match", "").encode("latin-1"):
            cached = self._entries.get(key)
            control = _header(cached.headers, b"cache-control") if cached else None
            await _send(send, 304, [(b"etag", etag), (b"cache-control", control or self.default_cache_control)], b"")
            return
        hit = self._entries.get(key)
        if hit is None and (revision, key) in self._inflight:
            # The same request is being answered for this revision: wait for it rather than compute it
            # again (a burst of clients opening the same page would otherwise each run the query).
            await self._inflight[(revision, key)].wait()
            hit = self._entries.get(key) if self._revision == revision else None
        if hit is not None:
            self._entries.move_to_end(key)
            await _send(send, 200, hit.headers, hit.body)
            return
        done = self._inflight.setdefault((revision, key), anyio.Event())
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] == 200:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"etag"]
                    headers.append((b"etag", etag))
                    if _header(headers, b"cache-control") is None:
                        headers.append((b"cache-control", self.default_cache_control))
                    message = {**message, "headers": headers}
                    start["headers"] = headers
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                body = message.get("body", b"")
                size += len(body)
                if size <= self.max_entry_bytes:
                    chunks.append(body)
                if not message.get("more_body", False) and size <= self.max_entry_bytes and self.max_bytes > 0:
                    if self._revision == revision and _header(start["headers"], b"set-cookie") is None:
                        self._store(key, _Entry(list(start["headers"]), b"".join(chunks)))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if self._inflight.get((revision, key)) is done:
                del self._inflight[(revision, key)]
            done.set()


class RequestLimits:
    """Request limits in front of the routes.

    - A body larger than ``max_body_bytes`` is refused with 413: at once when ``Content-Length`` says so, else
      (a chunked body) as soon as the bytes read from the receive channel cross the limit.
    - A write (POST, PUT, PATCH, DELETE) is authorised here, from its headers, before any of its body is read:
      ``authorize(authorization_header)`` returns None or the (status, message) refusal.
    - Writes under ``own_auth`` (path prefixes) are not authorised here: their routes write nothing or check a
      credential of their own (the dashboard's review form). Those routes find an ``AuthFailures`` for the
      client in ``request.state.auth_failures``, so their wrong credentials count toward the same limit.
    - Failed tokens are counted per client over a minute; past ``failures_per_min`` a wrong token gets 429.
      A correct token is never refused. The client is the connected peer; ``X-Forwarded-For`` is believed only
      from a peer in ``trusted_proxies``. The table of clients is bounded: entries expire after a minute and
      at most ``max_clients`` are kept (the least recently failing are forgotten first).
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, failures_per_min: int, error: ErrorResponse,
                 authorize: Callable[[str | None], tuple[int, str] | None] = lambda _header: None,
                 trusted_proxies: Iterable[str] = (), max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic, own_auth: Iterable[str] = ()) -> None:
        self.app = app
        self.own_auth = tuple(own_auth)
        self.max_body_bytes = max_body_bytes
        self.failures_per_min = failures_per_min
        self.error = error
        self.authorize = authorize
        self.trusted_proxies = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        self.max_clients = max_clients
        self.clock = clock
        # client → times of its recent failures; ordered by the latest failure, oldest first.
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"request body too large (limit {self.max_body_bytes:,} bytes)"
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        # A length of more digits than any limit is too large without converting it (int() refuses huge strings).
        if length is not None and length.isdigit() and (len(length) > 18 or int(length) > self.max_body_bytes):
            await self.error(Request(scope), 413, too_large)(scope, receive, send)
            return
        if scope["method"] in WRITES and scope["path"].startswith(self.own_auth):
            scope.setdefault("state", {})["auth_failures"] = AuthFailures(self, self.client(scope))
        elif scope["method"] in WRITES:
            refusal = self.authorize(headers.get("authorization"))
            if refusal is not None:
                await self._refuse(scope, receive, send, *refusal)
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # The routes turn it into the error shape; nothing more of the body is read.
                    raise HTTPException(413, too_large)
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        """Answer a write whose token is wrong or missing (401), or that is not allowed at all (403)."""
        if status == 401:
            client, now = self.client(scope), self.clock()
            if self._recent(client, now) >= self.failures_per_min:
                response = self.error(Request(scope), 429, "too many failed attempts; try again in a minute",
                                      headers={"Retry-After": "60"})
                await response(scope, receive, send)
                return
            self._fail(client, now)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        await self.error(Request(scope), status, message, headers=headers)(scope, receive, send)

    def client(self, scope: Scope) -> str:
        """Whom failures are counted against: the peer, or the address a trusted proxy forwarded for."""
        peer = scope["client"][0] if scope.get("client") else "unknown"
        forwarded = [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"x-forwarded-for"]
        if not forwarded:
            return peer
        if self._trusted(peer):
            hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
            # The right-most address that no trusted proxy added is the one nobody could forge.
            return next((h for h in reversed(hops) if not self._trusted(h)), peer)
        # A forwarded address from a peer that is not a trusted proxy is not believed. The server may already
        # have put that address in place of the peer (uvicorn does for loopback peers unless started with
        # proxy headers off), so such requests share one count: changing the header gains nothing.
        return "untrusted-forwarded"

    def _trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted_proxies)

    def _recent(self, client: str, now: float) -> int:
        while self._failures:  # forget clients whose latest failure is over a minute old
            oldest = next(iter(self._failures))
            if now - self._failures[oldest][-1] < FAILURE_WINDOW_S:
                break
            del self._failures[oldest]
        return sum(1 for t in self._failures.get(client, ()) if now - t < FAILURE_WINDOW_S)

    def _fail(self, client: str, now: float) -> None:
        times = [t for t in self._failures.pop(client, []) if now - t < FAILURE_WINDOW_S]
        times.append(now)
        self._failures[client] = times[-max(1, self.failures_per_min):]
        while len(self._failures) > self.max_clients:
            self._failures.popitem(last=False)


@dataclass(frozen=True)
class AuthFailures:
    """Failed-credential accounting for a route that checks its own credential: ``blocked()`` once the client
    has failed ``failures_per_min`` times within a minute, ``failed()`` to count one more."""

    limits: RequestLimits
    client: str

    def blocked(self) -> bool:
        return self.limits._recent(self.client, self.limits.clock()) >= self.limits.failures_per_min

    def failed(self) -> None:
        self.limits._fail(self.client, self.limits.clock())


class SecurityHeaders:
    """``nosniff`` on every response; a strict Content-Security-Policy on HTML pages (not the API docs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith("/docs")

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if _header(headers, b"x-content-type-options") is None:
                    headers.append((b"x-content-type-options", b"nosniff"))
                content_type = _header(headers, b"content-type") or b""
                if content_type.startswith(b"text/html") and not docs and _header(headers, b"content-security-policy") is None:
                    headers.append((b"content-security-policy", CSP))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    if status != 304:
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"] + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
