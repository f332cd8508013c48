"""Web attacks: script in article text stays inert, writes need the token, errors show no internals, limits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("stanceline.api.app", reason="the REST API is not built yet")
from fastapi.testclient import TestClient  # noqa: E402

from stanceline.api.app import create_app  # noqa: E402
from stanceline.config import load_settings  # noqa: E402
from tests.reliability.web_fixtures import PAYLOADS, TOKEN, build_hostile_store  # noqa: E402


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str], list[str]]]:
    db = tmp_path_factory.mktemp("web") / "web.db"
    store, statement_ids, doc_ids = build_hostile_store(f"sqlite:///{db}")
    store.close()
    yield str(db), statement_ids, doc_ids


@pytest.fixture(scope="module")
def client(hostile: tuple[str, list[str], list[str]]) -> Iterator[TestClient]:
    # The refusal tests make many bad-token attempts on purpose: no rate limit for this client.
    settings = load_settings(db=f"sqlite:///{hostile[0]}", api_token=TOKEN, api_auth_failures_per_min=10**6)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _inert_problems(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…> event handler")
            squashed = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name in ("href", "src", "action", "formaction", "xlink:href") and squashed.startswith(SCRIPT_SCHEMES):
                problems.append(f"<{tag} {name}={value[:40]!r}> script URL")
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/") and \
                attrs.get("type") not in ("application/json", "application/ld+json"):
            problems.append(f"<script {attrs}> not from /static")
        if tag in ("iframe", "object", "embed", "svg", "base"):
            problems.append(f"<{tag}> from article text")
    for body in parser.scripts:
        if "__pwned" in body:
            problems.append("payload inside a script element")
    return problems


def _pages(hostile: tuple[str, list[str], list[str]]) -> list[str]:
    _db, statement_ids, doc_ids = hostile
    con = sqlite3.connect(_db)
    actor_ids = [r[0] for r in con.execute("SELECT DISTINCT actor_id FROM statements")]
    con.close()
    pages = ["/", "/factions", "/outlets", "/arguments", "/arguments?target=" + quote(PAYLOADS[0]),
             "/search?q=" + quote(PAYLOADS[1]), "/search?q=" + quote(PAYLOADS[2]),
             "/outlets/" + quote("Outlet " + PAYLOADS[0], safe=""), "/actors/" + quote(PAYLOADS[0], safe=""),
             "/statements/" + quote(PAYLOADS[3], safe=""), "/no-such-page/" + quote(PAYLOADS[4], safe="")]
    pages += [f"/statements/{s}" for s in statement_ids] + [f"/documents/{d}" for d in doc_ids]
    pages += [f"/actors/{quote(a, safe='')}" for a in actor_ids]
    return pages


def test_dashboard_renders_article_script_and_event_handlers_inert(client: TestClient,
                                                                 hostile: tuple[str, list[str], list[str]]) -> None:
    problems = {}
    rendered = 0
    for page in _pages(hostile):
        r = client.get(page, headers={"Accept": "text/html"})
        assert r.status_code < 500, (page, r.status_code)
        if not r.headers.get("content-type", "").startswith("text/html"):
            continue
        rendered += 1
        found = _inert_problems(r.text)
        if found:
            problems[page] = found
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, page
    assert rendered >= 10
    assert not problems, problems


def test_dashboard_shows_the_payload_as_escaped_text(client: TestClient, hostile: tuple[str, list[str], list[str]]) -> None:
    r = client.get(f"/statements/{hostile[1][0]}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in r.text or "&lt;script&gt;window.__pwned=1" in r.text


# --- write endpoints -----------------------------------------------------------------------------------

# POST operations that write nothing (a batch too large for a query string): open like every read.
READ_ONLY_POSTS = {"/api/v1/judge"}


def _write_operations(client: TestClient, statement_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    bodies = {"/api/v1/ingest": {"url": "https://news.example/a"},
              "/api/v1/actors/merge": {"source": "a", "target": "b"}}
    ops = []
    for path, methods in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method in methods:
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE") and path not in READ_ONLY_POSTS:
                concrete = path.replace("{statement_id}", statement_id)
                body = bodies.get(path, {"field": "stance", "value": "support", "author": "mallory"})
                ops.append((method.upper(), concrete, body))
    return ops


AUTH_VARIANTS = [
    ("missing", {}),
    ("wrong", {"Authorization": "Bearer not-the-token"}),
    ("empty bearer", {"Authorization": "Bearer "}),
    ("basic scheme", {"Authorization": f"Basic {TOKEN}"}),
    ("token alone", {"Authorization": TOKEN}),
    ("prefix of token", {"Authorization": f"Bearer {TOKEN[:-1]}"}),
    ("token plus suffix", {"Authorization": f"Bearer {TOKEN}x"}),
    ("other case", {"Authorization": f"Bearer {TOKEN.upper()}"}),
    ("in query, not header", {}),
    ("huge", {"Authorization": "Bearer " + "x" * 20_000}),
]


def _content(db: str) -> list[Any]:
    con = sqlite3.connect(db)
    try:
        return [con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
                for t in ("statements", "judgements", "corrections", "actors", "documents", "raw_inputs")]
    finally:
        con.close()


@pytest.mark.parametrize(("variant", "headers"), AUTH_VARIANTS, ids=[v for v, _ in AUTH_VARIANTS])
def test_write_endpoints_refuse_missing_or_invalid_token(client: TestClient, hostile: tuple[str, list[str], list[str]],
                                                         variant: str, headers: dict[str, str]) -> None:
    before = _content(hostile[0])
    ops = _write_operations(client, hostile[1][0])
    assert len(ops) >= 3
    for method, path, body in ops:
        url = path + (f"?token={TOKEN}&api_token={TOKEN}" if variant == "in query, not header" else "")
        r = client.request(method, url, json=body, headers=headers)
        assert r.status_code == 401, (variant, method, path, r.status_code, r.text[:200])
        assert r.json()["error"]["code"] == "unauthorized"
        assert TOKEN not in r.text
    assert _content(hostile[0]) == before


def test_write_endpoints_are_closed_when_no_token_is_configured(hostile: tuple[str, list[str], list[str]]) -> None:
    with TestClient(create_app(load_settings(db=f"sqlite:///{hostile[0]}", api_token=None)), raise_server_exceptions=False) as c:
        for method, path, body in _write_operations(c, hostile[1][0]):
            for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
                assert c.request(method, path, json=body, headers=headers).status_code == 403


def test_read_only_posts_need_no_token_and_change_nothing(client: TestClient, hostile: tuple[str, list[str], list[str]]) -> None:
    before = _content(hostile[0])
    body = {"items": [{"text": "We will never negotiate with America.", "target": "negotiation-with-us"}]}
    for path in READ_ONLY_POSTS:
        r = client.post(path, json=body)
        assert r.status_code == 200, (path, r.text[:200])
    assert _content(hostile[0]) == before


def test_ingest_endpoint_refuses_private_targets(client: TestClient, hostile: tuple[str, list[str], list[str]],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "internal.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 80)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for url in ("http://127.0.0.1:8000/api/v1/statements", "http://169.254.169.254/latest/meta-data/",
                "http://internal.example/admin", "http://[::1]/"):
        r = client.post("/api/v1/ingest", json={"url": url}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["new"] == 0 and r.json()["quarantined"] == 1, r.json()
        assert any("refused" in m for m in r.json().get("messages", [])) or "messages" not in r.json()


# --- errors ----------------------------------------------------------------------------------------------

LEAKS = ("Traceback", "File \"", "site-packages", "sqlite3.", "sqlalchemy", "RuntimeError", "secret-internal-detail")


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_internal_errors_show_no_stack_trace(client: TestClient, monkeypatch: pytest.MonkeyPatch, accept: str) -> None:
    from stanceline.services import analysis

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret-internal-detail at /srv/stanceline/db.py line 12")

    for name in ("documents", "statement_page", "statements", "actors"):
        if hasattr(analysis, name):
            monkeypatch.setattr(analysis, name, boom)
    for path in ("/api/v1/documents", "/api/v1/statements", "/api/v1/actors", "/"):
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code == 500, (path, r.status_code)
        assert not [leak for leak in LEAKS if leak in r.text], (path, r.text[:300])


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("GET", "/api/v1/statements?limit=99999999999999999999999", {}),
    ("GET", "/api/v1/statements?since=%00%ff", {}),
    ("GET", "/api/v1/statements?q=" + quote('"))) OR 1=1; DROP TABLE statements; --'), {}),
    ("GET", "/api/v1/statements/" + quote("../../etc/passwd", safe=""), {}),
    ("GET", "/api/v1/documents/" + "a" * 5000, {}),
    ("GET", "/api/v1/timeline?grain=" + quote("<script>"), {}),
    ("POST", "/api/v1/actors/merge", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/v1/actors/merge", {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/api/v1/actors/merge", {"json": {"source": ["x"], "target": {"$ne": 1}}}),
    ("POST", "/api/v1/ingest", {"json": {"url": "http://" + "a" * 3000}}),
])
def test_malformed_requests_get_a_clean_answer(client: TestClient, hostile: tuple[str, list[str], list[str]], method: str,
                                               path: str, kwargs: dict[str, Any]) -> None:
    """A client error with the one error shape, or (for odd but harmless values) an ordinary answer; never a 5xx."""
    before = _content(hostile[0])
    headers = {"Authorization": f"Bearer {TOKEN}", **kwargs.pop("headers", {})}
    r = client.request(method, path, headers=headers, **kwargs)
    assert r.status_code < 500, (path, r.status_code, r.text[:200])
    assert not [leak for leak in LEAKS if leak in r.text]
    if r.status_code >= 400:
        assert "error" in r.json()
    assert _content(hostile[0]) == before


# --- limits ----------------------------------------------------------------------------------------------

def test_oversized_request_body_is_refused_with_413(client: TestClient, hostile: tuple[str, list[str], list[str]]) -> None:
    body = b'{"field": "stance", "author": "a", "value": "' + b"x" * 5_000_000 + b'"}'
    r = client.post(f"/api/v1/statements/{hostile[1][0]}/corrections", content=body,
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"error": {"code": "payload_too_large", "message": "request body too large (limit 1,000,000 bytes)"}}


def test_repeated_bad_token_attempts_are_rate_limited(hostile: tuple[str, list[str], list[str]]) -> None:
    settings = load_settings(db=f"sqlite:///{hostile[0]}", api_token=TOKEN)
    with TestClient(create_app(settings), raise_server_exceptions=False) as limited:
        answers = [limited.post("/api/v1/actors/merge", json={"source": "a", "target": "b"},
                                headers={"Authorization": f"Bearer guess-{i}"}) for i in range(200)]
    limited_answers = [r for r in answers if r.status_code == 429]
    assert limited_answers
    assert limited_answers[0].headers["retry-after"] == "60"
    assert set(limited_answers[0].json()["error"]) == {"code", "message"}
    assert limited_answers[0].json()["error"]["code"] == "too_many_requests"


def test_responses_carry_nosniff(client: TestClient) -> None:
    for path in ("/api/v1/statements", "/"):
        assert client.get(path).headers.get("x-content-type-options") == "nosniff"


def test_database_path_is_not_exposed(client: TestClient, hostile: tuple[str, list[str], list[str]]) -> None:
    for path in ("/api/v1/statements", "/openapi.json", "/"):
        assert str(Path(hostile[0]).parent) not in client.get(path).text
