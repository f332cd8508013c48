"""POST /api/v1/judge (batch judging, size limits, nothing stored) and GET /api/v1/review."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from stanceline.api.app import create_app
from stanceline.config import Settings, load_settings
from tests.api.factory import build_store

TOKEN = "s3cret-token"  # noqa: S105 - a test token
GOOD = {"text": "We will never negotiate with America.", "target": "negotiation-with-us"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The factory store with two statements awaiting review (Rouhani's and Zarif's)."""
    url = f"sqlite:///{tmp_path / 'j.db'}"
    store = build_store(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE statements SET needs_review = :yes "
                          "WHERE speaker IN ('Hassan Rouhani', 'Mohammad Javad Zarif')"),
                     {"yes": True})
    store.close()
    with TestClient(create_app(load_settings(db=url, api_token=TOKEN)), raise_server_exceptions=False) as c:
        yield c


def test_judge_returns_one_record_per_item_in_order(client: TestClient) -> None:
    items = [{**GOOD, "speaker": "Khamenei", "date": "2019-05-14"}, {"text": "Talks.", "target": "atlantis"},
             {"text": "We are ready to talk if sanctions are lifted first.", "target": "JCPOA", "context": "Tehran, Monday."}]
    r = client.post("/api/v1/judge", json={"items": items})
    assert r.status_code == 200
    out = r.json()["items"]
    assert len(out) == 3
    assert out[0]["stance"] == "oppose" and out[0]["speaker"] == "Khamenei" and out[0]["judged_by"] == Settings().judge
    assert set(out[1]) == {"error"} and "unknown target 'atlantis'" in out[1]["error"]
    assert out[2]["stance"] == "conditional" and out[2]["context"] == "Tehran, Monday."


def test_judge_stores_nothing(client: TestClient) -> None:
    before = client.get("/api/v1/statements?all=true").json()["total"]
    revision = client.app.state.store.revision()  # type: ignore[attr-defined]
    assert client.post("/api/v1/judge", json={"items": [GOOD]}).status_code == 200
    assert client.get("/api/v1/statements?all=true").json()["total"] == before
    assert client.app.state.store.revision() == revision  # type: ignore[attr-defined]


@pytest.mark.parametrize(("body", "where"), [
    ({"items": [GOOD] * 257}, ["body", "items"]),
    ({"items": []}, ["body", "items"]),
    ({"items": [{**GOOD, "text": "x" * 5001}]}, ["body", "items", "0", "text"]),
    ({"items": [{"target": "jcpoa"}]}, ["body", "items", "0", "text"]),
    ({"items": [{**GOOD, "context": "x" * 5001}]}, ["body", "items", "0", "context"]),
])
def test_judge_refuses_oversized_or_malformed_batches_in_the_error_shape(client: TestClient, body: dict[str, object],
                                                                        where: list[str]) -> None:
    r = client.post("/api/v1/judge", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_parameters" and error["detail"][0]["loc"] == where


def test_judge_refuses_a_body_over_the_size_limit_with_413(client: TestClient) -> None:
    r = client.post("/api/v1/judge", json={"items": [{**GOOD, "text": "x" * 5000}] * 256})
    assert r.status_code == 413 and "too large" in r.json()["error"]["message"]


def test_judge_with_an_unknown_judge_is_a_400(client: TestClient) -> None:
    r = client.post("/api/v1/judge", json={"items": [GOOD], "judge": "nope.v9"})
    assert r.status_code == 400 and "no judge named 'nope.v9'" in r.json()["error"]["message"]


def test_judge_and_review_are_in_the_openapi_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/v1/judge"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/JudgeRequest")
    assert spec["components"]["schemas"]["JudgeRequest"]["properties"]["items"]["maxItems"] == 256
    assert spec["components"]["schemas"]["JudgeItem"]["properties"]["text"]["maxLength"] == 5000
    assert "/api/v1/review" in spec["paths"]


def test_review_lists_the_queue_newest_first_with_context(client: TestClient) -> None:
    r = client.get("/api/v1/review")
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 2 and [i["speaker"] for i in page["items"]] == ["Mohammad Javad Zarif", "Hassan Rouhani"]
    for item in page["items"]:
        assert item["needs_review"] is True
        assert item["context"][item["evidence_start"]:item["evidence_end"]] == item["text"]


def test_a_correction_through_the_api_takes_a_statement_out_of_the_queue(client: TestClient) -> None:
    first = client.get("/api/v1/review").json()["items"][0]
    r = client.post(f"/api/v1/statements/{first['id']}/corrections", json={"field": "stance", "value": "oppose", "author": "t"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201 and r.json()["needs_review"] is False and r.json()["corrected"] is True
    page = client.get("/api/v1/review").json()
    assert page["total"] == 1 and first["id"] not in [i["id"] for i in page["items"]]


def test_review_pages(client: TestClient) -> None:
    page = client.get("/api/v1/review?limit=1").json()
    assert len(page["items"]) == 1 and page["next"] and "offset=1" in page["next"]
    assert client.get("/api/v1/review?limit=1&offset=1").json()["items"][0]["speaker"] == "Hassan Rouhani"
