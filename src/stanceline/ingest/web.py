"""URLs → ``RawInput`` with httpx: timeouts, a size cap, content-type checks, no private targets."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from stanceline.config import Settings
from stanceline.errors import FetchError
from stanceline.records import Quarantine, RawInput

USER_AGENT = "stanceline/0.1 (+research; polite fetcher)"
ACCEPTED_TYPES = ("text/html", "text/plain", "application/xhtml+xml", "application/xml", "text/xml",
                  "application/rss+xml", "application/atom+xml", "application/json")


def check_public(url: str, allow_private: bool) -> None:
    """Refuse loopback, private, link-local and reserved targets (checked on the resolved address)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused: {url!r} is not an http(s) URL")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise FetchError(f"unreachable: cannot resolve host {parts.hostname!r} ({exc.strerror})") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved or address.is_multicast or address.is_unspecified:
            raise FetchError(f"refused: {parts.hostname} resolves to a non-public address ({address}); use --allow-private to allow")


def fetch(url: str, settings: Settings, transport: httpx.BaseTransport | None = None) -> RawInput:
    """Fetch one URL; raise ``FetchError`` with a one-line reason."""
    check_public(url, settings.allow_private)
    try:
        with httpx.Client(transport=transport, timeout=settings.fetch_timeout_s, follow_redirects=True,
                          max_redirects=5, headers={"User-Agent": USER_AGENT}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} from {url}")
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype and not ctype.startswith(ACCEPTED_TYPES):
                    raise FetchError(f"unsupported content type {ctype!r} at {url}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > settings.fetch_max_bytes:
                        raise FetchError(f"too large: more than {settings.fetch_max_bytes:,} bytes at {url}")
                    chunks.append(chunk)
                final = str(response.url)
                if final != url:
                    check_public(final, settings.allow_private)
    except httpx.TimeoutException as exc:
        raise FetchError(f"timeout after {settings.fetch_timeout_s:g}s fetching {url}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"unreachable: {url} ({type(exc).__name__})") from exc
    return RawInput(source=url, data=b"".join(chunks), content_type=ctype or None,
                    fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def fetch_raw(url: str, settings: Settings, transport: httpx.BaseTransport | None = None) -> RawInput | Quarantine:
    try:
        return fetch(url, settings, transport)
    except FetchError as exc:
        return Quarantine(url, str(exc), 0)
