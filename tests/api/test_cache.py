"""The response cache: keyed by the store revision, so every write — through the API or any other
process sharing the database — shows at once; ETags and 304s on every cached read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stanceline.api.app import create_app
from stanceline.config import load_settings
from stanceline.storage import open_store
from tests.api.factory import build_store

TOKEN = "cache-token"  # noqa: S105 - a test token
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    build_store(url).close()
    return url


@pytest.fixture(params=[64, 0], ids=["cache", "no-cache"])
def client(request: pytest.FixtureRequest, db_url: str) -> Iterator[TestClient]:
    app = create_app(load_settings(db=db_url, api_token=TOKEN, api_cache_mb=request.param))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_same_request_same_etag_and_parameter_order_does_not_matter(client: TestClient) -> None:
    a = client.get("/api/v1/statements?stance=oppose&limit=10")
    b = client.get("/api/v1/statements?limit=10&stance=oppose")
    assert a.status_code == b.status_code == 200
    assert a.headers["etag"] == b.headers["etag"] and a.content == b.content
    assert client.get("/api/v1/statements?limit=11&stance=oppose").headers["etag"] != a.headers["etag"]


def test_if_none_match_gives_304_on_lists_and_aggregates(client: TestClient) -> None:
    for path in ("/api/v1/statements", "/api/v1/timeline?grain=year", "/api/v1/actors/ali-khamenei"):
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
        assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_correction_through_the_api_shows_at_once(client: TestClient) -> None:
    before = client.get("/api/v1/statements?stance=oppose")
    sid = before.json()["items"][0]["id"]
    timeline = client.get("/api/v1/timeline?by=actor&key=ali-khamenei&grain=year")
    r = client.post(f"/api/v1/statements/{sid}/corrections", json={"field": "stance", "value": "neutral", "author": "ana"},
                    headers=AUTH)
    assert r.status_code == 201
    after = client.get("/api/v1/statements?stance=oppose")
    assert after.headers["etag"] != before.headers["etag"]
    assert sid not in [i["id"] for i in after.json()["items"]]  # the filter sees the corrected stance
    assert after.json()["total"] == before.json()["total"] - 1
    assert [i["stance"] for i in client.get("/api/v1/statements?stance=neutral").json()["items"] if i["id"] == sid] == ["neutral"]
    # The old ETag no longer matches: the client gets the new body.
    assert client.get("/api/v1/statements?stance=oppose", headers={"If-None-Match": before.headers["etag"]}).status_code == 200
    assert client.get("/api/v1/timeline?by=actor&key=ali-khamenei&grain=year").headers["etag"] != timeline.headers["etag"]


def test_a_write_by_another_process_shows_at_once(client: TestClient, db_url: str) -> None:
    before = client.get("/api/v1/statements?actor=hassan-rouhani").json()
    assert before["total"] == 1
    other = open_store(db_url)  # e.g. `stanceline actors merge` run from a shell while the server runs
    try:
        other.merge_actor("hassan-rouhani", "ali-khamenei")
    finally:
        other.close()
    assert client.get("/api/v1/statements?actor=hassan-rouhani").json()["total"] == 0
    assert client.get("/api/v1/statements?actor=ali-khamenei").json()["total"] == 3


def test_errors_are_not_cached_and_carry_no_etag(client: TestClient) -> None:
    for _ in range(2):
        r = client.get("/api/v1/statements/nope")
        assert r.status_code == 404 and "etag" not in r.headers
        assert client.get("/api/v1/statements?stance=maybe").status_code == 400


def test_writes_and_pages_bypass_the_cache(client: TestClient) -> None:
    assert client.post("/api/v1/actors/merge", json={"source": "a", "target": "b"}).status_code == 401
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "etag" not in page.headers
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-content-type-options"] == "nosniff"


def test_store_revision_goes_up_with_writes_only(db_url: str) -> None:
    store = open_store(db_url)
    try:
        start = store.revision()
        store.statement_rows()
        store.counts()
        assert store.revision() == start
        sid = store.statement_rows()[0]["id"]
        store.add_correction(sid, "stance", "neutral", "ana")
        assert store.revision() == start + 1
        with pytest.raises(Exception):  # noqa: B017,PT011 - a failed write changes nothing
            store.add_correction("missing", "stance", "neutral", "ana")
        assert store.revision() == start + 1
    finally:
        store.close()


def _scope(path: str, query: bytes = b"") -> dict[str, object]:
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query,
            "headers": [(b"host", b"t")], "client": ("127.0.0.1", 1), "server": ("t", 80), "scheme": "http",
            "http_version": "1.1", "root_path": ""}


async def _get(app: object, path: str) -> tuple[int, bytes]:
    out: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        out.append(message)

    await app(_scope(path), receive, send)  # type: ignore[operator]
    return int(out[0]["status"]), b"".join(m.get("body", b"") for m in out[1:])  # type: ignore[misc]


@pytest.mark.parametrize("status", [200, 500])
def test_identical_concurrent_requests_are_computed_once(status: int) -> None:
    import anyio

    from stanceline.api.middleware import ResponseCache

    calls = []

    async def slow(scope: dict[str, object], receive: object, send: object) -> None:
        calls.append(scope["path"])
        await anyio.sleep(0.05)
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b'{"n": 1}'})  # type: ignore[operator]

    cache = ResponseCache(slow, revision=lambda: "7", inline=lambda: True)
    answers: list[tuple[int, bytes]] = []

    async def main() -> None:
        async def one(path: str) -> None:
            answers.append(await _get(cache, path))

        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(one, "/api/v1/timeline")
            tg.start_soon(one, "/api/v1/shifts")

    anyio.run(main)
    assert len(answers) == 11 and {a for a in answers} == {(status, b'{"n": 1}')}
    # Answered once per path when the answer can be shared; an error is not shared, so each asks again.
    assert calls.count("/api/v1/timeline") == (1 if status == 200 else 10) and calls.count("/api/v1/shifts") == 1


def test_an_unreachable_store_is_a_clear_503_not_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"  # the folder does not exist: the store cannot open
    with TestClient(create_app(load_settings(db=url)), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/statements")
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "unavailable" and "cannot open database" in r.json()["error"]["message"]
    assert "Traceback" not in r.text


def test_repeated_parameters_keep_their_order_in_the_cache_key(client: TestClient) -> None:
    # The handler reads the last value of a repeated parameter: the two orders are two different requests.
    a = client.get("/api/v1/statements?speaker=Rouhani&speaker=Khamenei")
    b = client.get("/api/v1/statements?speaker=Khamenei&speaker=Rouhani")
    assert a.status_code == b.status_code == 200
    assert a.headers["etag"] != b.headers["etag"]
    assert {i["speaker"] for i in a.json()["items"]} == {"Ali Khamenei"}
    assert {i["speaker"] for i in b.json()["items"]} == {"Hassan Rouhani"}
    again = client.get("/api/v1/statements?speaker=Rouhani&speaker=Khamenei", headers={"If-None-Match": b.headers["etag"]})
    assert again.status_code == 200 and again.json() == a.json()


def test_cache_key_sorts_names_but_keeps_repeated_values_in_order() -> None:
    from stanceline.api.middleware import ResponseCache

    def key(query: bytes) -> str:
        return ResponseCache.key(_scope("/api/v1/statements", query))

    assert key(b"b=2&a=1") == key(b"a=1&b=2")
    assert key(b"a=1&a=2") != key(b"a=2&a=1")
    assert key(b"a=1&b=3&a=2") == key(b"b=3&a=1&a=2") != key(b"a=2&b=3&a=1")
    assert key(b"a=1") != key(b"a=1&a=1")
