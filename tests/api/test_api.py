from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stanceline.api.app import create_app
from stanceline.config import load_settings
from tests.api.factory import XSS, build_store

TOKEN = "s3cret-token"  # noqa: S105 - a test token


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    build_store(url).close()
    return url


@pytest.fixture(scope="module")
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings(db=db_url, api_token=TOKEN)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def fresh_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client on its own database, for tests that write."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    build_store(url).close()
    with TestClient(create_app(load_settings(db=url, api_token=TOKEN)), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("query", "speakers"), [
    ("", ["Ali Khamenei", "Hassan Rouhani", "Ali Khamenei", "Mohammad Javad Zarif"]),
    ("speaker=khamenei", ["Ali Khamenei", "Ali Khamenei"]),
    ("actor=hassan-rouhani", ["Hassan Rouhani"]),
    ("stance=oppose", ["Ali Khamenei"]),
    ("since=2025", ["Ali Khamenei", "Mohammad Javad Zarif"]),
    ("until=2019-05", ["Ali Khamenei"]),
    ("outlet=Kayhan", ["Ali Khamenei", "Mohammad Javad Zarif"]),
    ("q=poison", ["Ali Khamenei"]),
    ("q=musc", ["Ali Khamenei"]),
    ("q=%22%29+OR+NEAR%28", []),
    ("faction=reformist", []),
    ("faction=supreme-leader-office", ["Ali Khamenei", "Ali Khamenei"]),
    ("argument=futility", ["Ali Khamenei"]),
])
def test_statements_filters(client: TestClient, query: str, speakers: list[str]) -> None:
    r = client.get(f"/api/v1/statements?{query}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["speaker"] for s in body["items"]] == speakers
    assert body["total"] == len(speakers)


def test_statements_pagination_links_next_page(client: TestClient) -> None:
    first = client.get("/api/v1/statements?limit=3").json()
    assert len(first["items"]) == 3 and first["total"] == 4 and "offset=3" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 1 and second["next"] is None


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/api/v1/statements/nope", 404, "not_found"),
    ("/api/v1/documents/nope", 404, "not_found"),
    ("/api/v1/actors/nobody", 404, "not_found"),
    ("/api/v1/statements?stance=angry", 400, "bad_request"),
    ("/api/v1/statements?since=yesterday", 400, "bad_request"),
    ("/api/v1/statements?limit=0", 422, "invalid_parameters"),
    ("/api/v1/timeline?grain=century", 422, "invalid_parameters"),
    ("/api/v1/timeline?by=faction&key=nobody", 404, "not_found"),
    ("/api/v1/timeline?by=actor", 400, "bad_request"),
    ("/api/v1/nothing-here", 404, "not_found"),
])
def test_errors_have_one_json_shape(client: TestClient, path: str, status: int, code: str) -> None:
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in r.text


def test_timeline_per_actor_and_faction(client: TestClient) -> None:
    actor = client.get("/api/v1/timeline?by=actor&key=ali-khamenei&grain=year").json()
    assert [(p["period"], p["net"]) for p in actor] == [("2019", -1.0), ("2025", 1.0)]
    faction = client.get("/api/v1/timeline?by=faction&key=supreme-leader-office&grain=year").json()
    assert [p["period"] for p in faction] == ["2019", "2025"]


def test_aggregates_send_etag_and_honour_if_none_match(client: TestClient) -> None:
    r = client.get("/api/v1/shifts")
    assert r.status_code == 200 and r.headers["cache-control"].startswith("public")
    assert [s["actor_id"] for s in r.json()] == ["ali-khamenei"]
    again = client.get("/api/v1/shifts", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/api/v1/division", "/api/v1/arguments", "/api/v1/outlets", "/api/v1/rhetoric",
                                  "/api/v1/documents", "/api/v1/actors", "/openapi.json", "/docs"])
def test_read_endpoints_answer(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_document_detail_has_text_and_statements(client: TestClient) -> None:
    doc_id = client.get("/api/v1/statements?stance=oppose").json()["items"][0]["document_id"]
    body = client.get(f"/api/v1/documents/{doc_id}").json()
    assert "poison" in body["text"] and len(body["statements"]) == 1


@pytest.mark.parametrize(("headers", "status"), [({}, 401), ({"Authorization": "Bearer wrong"}, 401),
                                                 ({"Authorization": f"Basic {TOKEN}"}, 401)])
def test_write_endpoints_need_the_token(client: TestClient, headers: dict[str, str], status: int) -> None:
    r = client.post("/api/v1/actors/merge", json={"source": "a", "target": "b"}, headers=headers)
    assert r.status_code == status and r.json()["error"]["code"] == "unauthorized"


def test_write_endpoints_refused_without_configured_token(db_url: str) -> None:
    with TestClient(create_app(load_settings(db=db_url, api_token=None))) as c:
        r = c.post("/api/v1/actors/merge", json={"source": "a", "target": "b"}, headers={"Authorization": "Bearer x"})
    assert r.status_code == 403 and "STANCELINE_API_TOKEN" in r.json()["error"]["message"]


def test_correction_is_stored_with_author_and_applied(fresh_client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    sid = fresh_client.get("/api/v1/statements?stance=oppose").json()["items"][0]["id"]
    r = fresh_client.post(f"/api/v1/statements/{sid}/corrections", json={"field": "stance", "value": "neutral", "author": "ana"},
                          headers=auth)
    assert r.status_code == 201 and r.json()["stance"] == "neutral" and r.json()["corrected"] is True
    assert fresh_client.get(f"/api/v1/statements/{sid}").json()["stance"] == "neutral"
    bad = fresh_client.post(f"/api/v1/statements/{sid}/corrections", json={"field": "text", "value": "x", "author": "ana"},
                            headers=auth)
    assert bad.status_code == 400


def test_merge_actors_moves_statements(fresh_client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = fresh_client.post("/api/v1/actors/merge", json={"source": "hassan-rouhani", "target": "ali-khamenei"}, headers=auth)
    assert r.status_code == 200 and r.json() == {"moved": 1}
    missing = fresh_client.post("/api/v1/actors/merge", json={"source": "nobody", "target": "ali-khamenei"}, headers=auth)
    assert missing.status_code == 404


def test_ingest_by_url_rejects_non_http(client: TestClient) -> None:
    r = client.post("/api/v1/ingest", json={"url": "file:///etc/passwd"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 422


def test_article_markup_is_returned_as_data_not_html(client: TestClient) -> None:
    item = client.get("/api/v1/statements?speaker=zarif").json()["items"][0]
    assert XSS in item["text"]
    assert client.get("/api/v1/statements?speaker=zarif").headers["content-type"].startswith("application/json")
