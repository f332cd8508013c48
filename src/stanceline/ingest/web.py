"""URLs → ``RawInput`` with httpx: timeouts, a size cap, content-type checks, no private targets.

Politeness and safety rules of the fetcher, and why:
- every hop of a redirect chain is checked before it is requested, and the address actually
  connected to is checked again after connecting, so a name that resolves to a public address for
  the check and to a private one for the connection (DNS rebinding) is still refused;
- redirects are followed by hand, at most ``MAX_REDIRECTS``; a loop is reported as such;
- 5xx, 429 and timeouts are retried with exponential backoff; 4xx are not (they will not change);
- ``fetch_timeout_s`` bounds each network operation, ``fetch_deadline_s`` the whole URL (redirects,
  retries and pauses included), so a server that drips a byte at a time cannot hold a run;
- at most ``PER_HOST`` requests run at once against one host, whatever the number of threads.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import httpx

from stanceline.config import Settings
from stanceline.errors import FetchError
from stanceline.records import Quarantine, RawInput

USER_AGENT = "stanceline/0.1 (+research; polite fetcher)"
ACCEPTED_TYPES = ("text/html", "text/plain", "application/xhtml+xml", "application/xml", "text/xml",
                  "application/rss+xml", "application/atom+xml", "application/json", "application/feed+json")
MAX_REDIRECTS = 5
RETRIES = 3  # attempts after the first one
BACKOFF_S = 0.5  # first pause; doubled after each failed attempt
PER_HOST = 2
RETRY_STATUS = {429, 500, 502, 503, 504}


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix: the last 32 bits are an IPv4 address
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use NAT64 prefixes: never public


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries: IPv4-mapped, 6to4 (2002::/16), NAT64, Teredo."""
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # "not global" also covers 100.64.0.0/10 (shared address space: carrier NAT, some cloud metadata).
    if (not address.is_global or address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified):
        return True
    # An IPv6 address that wraps an IPv4 one reaches that IPv4 host through a relay or a translator:
    # 2002:a9fe:a9fe:: is 169.254.169.254 by 6to4, 64:ff9b::7f00:1 is 127.0.0.1 by NAT64.
    if isinstance(address, ipaddress.IPv6Address):
        return address in NAT64_LOCAL or any(_non_public(inner) for inner in _embedded_ipv4(address))
    return False


def check_public(url: str, allow_private: bool) -> None:
    """Refuse loopback, private, link-local and reserved targets (checked on the resolved address)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "http://[" or a port out of range: a malformed URL is refused, not a crash
        raise FetchError(f"refused: {url[:200]!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused: {url!r} is not an http(s) URL")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise FetchError(f"unreachable: cannot resolve host {parts.hostname!r} ({exc.strerror})") from exc
    except UnicodeError:  # an empty, over-long or invalid label (IDNA): no such host can exist
        raise FetchError(f"unreachable: invalid host name {parts.hostname[:100]!r}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if _non_public(address):
            raise FetchError(f"refused: {parts.hostname} resolves to a non-public address ({address}); "
                             "use --allow-private to allow")


def _check_peer(response: httpx.Response, url: str, allow_private: bool) -> None:
    """The address actually connected to must be public too (defeats DNS rebinding)."""
    if allow_private:
        return
    stream = response.extensions.get("network_stream")
    if stream is None:  # mock transports have no socket
        return
    peer = stream.get_extra_info("server_addr")
    if not peer:
        return
    try:
        address = ipaddress.ip_address(peer[0])
    except ValueError:
        return
    if _non_public(address):
        raise FetchError(f"refused: {urlsplit(url).hostname} connected to a non-public address ({address})")


class HostLimiter:
    """At most ``per_host`` concurrent requests per host name, shared by all threads."""

    def __init__(self, per_host: int = PER_HOST) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._sems: dict[str, threading.BoundedSemaphore] = {}
        self.active: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            sem = self._sems.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with sem:
            with self._lock:
                self.active[host] = self.active.get(host, 0) + 1
                self.peak[host] = max(self.peak.get(host, 0), self.active[host])
            try:
                yield
            finally:
                with self._lock:
                    self.active[host] -= 1


class Fetcher:
    """One HTTP client for a run: shared connection pool, host limiter, retry policy."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, limiter: HostLimiter | None = None,
                 retries: int = RETRIES, backoff_s: float = BACKOFF_S) -> None:
        self.settings = settings
        self.sleep = sleep
        self.limiter = limiter or HostLimiter()
        self.retries = retries
        self.backoff_s = backoff_s
        # No keep-alive: every request opens its own connection, which the deadline watchdog can cut.
        self.client = httpx.Client(transport=transport, timeout=settings.fetch_timeout_s, follow_redirects=False,
                                   limits=httpx.Limits(max_keepalive_connections=0),
                                   headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,"
                                            "application/rss+xml,application/atom+xml,text/plain;q=0.9,*/*;q=0.5"})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def fetch(self, url: str) -> RawInput:
        """Fetch one URL (redirects, retries, checks); raise ``FetchError`` with a one-line reason."""
        seen = [url]
        current = url
        deadline = time.monotonic() + self.settings.fetch_deadline_s
        for _hop in range(MAX_REDIRECTS + 1):
            check_public(current, self.settings.allow_private)
            location, raw = self._with_retries(current, deadline)
            if location is None:
                assert raw is not None
                return RawInput(source=url, data=raw.data, content_type=raw.content_type, fetched_at=raw.fetched_at,
                                meta=(("final_url", current),) if current != url else ())
            nxt = urljoin(current, location)
            if nxt in seen:
                raise FetchError(f"redirect loop: {url} leads back to {nxt}")
            seen.append(nxt)
            current = nxt
        raise FetchError(f"too many redirects: more than {MAX_REDIRECTS} from {url}")

    def _too_slow(self, url: str) -> FetchError:
        return FetchError(f"too slow: {url} took longer than the deadline of {self.settings.fetch_deadline_s:g}s")

    def _with_retries(self, url: str, deadline: float) -> tuple[str | None, RawInput | None]:
        delay = self.backoff_s
        for attempt in range(self.retries + 1):
            try:
                return self._once(url, deadline)
            except _Retryable as exc:
                if attempt == self.retries:
                    raise FetchError(f"{exc} (after {self.retries + 1} attempts)") from None
                if time.monotonic() + delay >= deadline:
                    raise FetchError(f"{exc}; no time left for another attempt within the deadline of "
                                     f"{self.settings.fetch_deadline_s:g}s") from None
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, deadline: float) -> tuple[str | None, RawInput | None]:
        host = urlsplit(url).hostname or ""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._too_slow(url)
        # No single operation may wait past the deadline; the body loop checks it between reads.
        timeout = min(self.settings.fetch_timeout_s, remaining)
        limit = self.settings.fetch_max_bytes
        watchdog = _Watchdog(deadline)
        try:
            with self.limiter.slot(host), self.client.stream("GET", url, timeout=timeout,
                                                             extensions={"trace": watchdog.trace}) as response:
                _check_peer(response, url, self.settings.allow_private)
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {response.status_code} without a Location header from {url}")
                    return location, None
                if response.status_code in RETRY_STATUS:
                    raise _Retryable(f"HTTP {response.status_code} from {url}")
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} from {url}")
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype and not ctype.startswith(ACCEPTED_TYPES):
                    raise FetchError(f"unsupported content type {ctype!r} at {url}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"too large: {int(declared):,} bytes announced at {url} (limit {limit:,})")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    if time.monotonic() > deadline:
                        raise self._too_slow(url)
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"too large: more than {limit:,} bytes at {url}")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            if watchdog.fired or time.monotonic() >= deadline:  # cut by the watchdog, or a read waited until the deadline
                raise self._too_slow(url) from None
            if isinstance(exc, httpx.TimeoutException):
                raise _Retryable(f"timeout after {timeout:g}s fetching {url}") from None
            if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
                raise _Retryable(f"truncated response from {url} ({type(exc).__name__})") from None
            if isinstance(exc, httpx.ConnectError):
                raise _Retryable(f"unreachable: cannot connect to {host}") from None
            raise FetchError(f"unreachable: {url} ({type(exc).__name__})") from exc
        finally:
            watchdog.cancel()
        return None, RawInput(source=url, data=b"".join(chunks), content_type=ctype or None,
                              fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def fetch_raw(self, url: str) -> RawInput | Quarantine:
        """Like ``fetch``, with failures as a quarantine record."""
        try:
            return self.fetch(url)
        except FetchError as exc:
            return Quarantine(url, str(exc), 0)

    def fetch_many(self, urls: Iterable[str], threads: int = 8) -> Iterator[RawInput | Quarantine]:
        """Fetch URLs concurrently (per-host limit applies), yielding in the order given."""
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            yield from pool.map(self.fetch_raw, urls)


class _Watchdog:
    """Cuts a request's connection at the deadline, whatever it is waiting for.

    Timeouts bound each read; a server sending a byte of its headers every second never trips
    them. httpx reports each new connection to the request's ``trace`` callback: a timer shuts
    that socket down at the deadline, and the blocked read returns at once.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.timers: list[threading.Timer] = []
        self.fired = False

    def trace(self, event: str, info: dict[str, object]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if hasattr(stream, "get_extra_info") else None
        if isinstance(sock, socket.socket):
            timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._cut, (sock,))
            timer.daemon = True
            timer.start()
            self.timers.append(timer)

    def _cut(self, sock: socket.socket) -> None:
        self.fired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass

    def cancel(self) -> None:
        for timer in self.timers:
            timer.cancel()


class _Retryable(Exception):
    """A failure worth another attempt (server error, throttling, timeout, dropped connection)."""


def fetch(url: str, settings: Settings, transport: httpx.BaseTransport | None = None) -> RawInput:
    """Fetch one URL; raise ``FetchError`` with a one-line reason."""
    with Fetcher(settings, transport) as fetcher:
        return fetcher.fetch(url)


def fetch_raw(url: str, settings: Settings, transport: httpx.BaseTransport | None = None) -> RawInput | Quarantine:
    """Fetch one URL; failures become a quarantine record."""
    with Fetcher(settings, transport) as fetcher:
        return fetcher.fetch_raw(url)
