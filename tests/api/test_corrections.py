"""A correction made through the API changes what every list, filter, count, timeline and export shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stanceline import services
from stanceline.api.app import create_app
from stanceline.config import load_settings
from stanceline.storage import open_store
from tests.api.factory import build_store

TOKEN = "corrections-token"  # noqa: S105 - a test token
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'corrections.db'}"
    build_store(url).close()
    return url


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings(db=db_url, api_token=TOKEN)), raise_server_exceptions=False) as c:
        yield c


def _correct(client: TestClient, sid: str, field: str, value: str | None) -> Any:
    return client.post(f"/api/v1/statements/{sid}/corrections", json={"field": field, "value": value, "author": "ana"},
                       headers=AUTH)


def _year(client: TestClient, **params: str) -> dict[str, int]:
    points = client.get("/api/v1/timeline", params={"grain": "year", **params}).json()
    return {p["period"]: p["counts"] for p in points}  # type: ignore[no-any-return]


def test_a_corrected_stance_moves_the_statement_between_filters_totals_and_timelines(client: TestClient,
                                                                                    db_url: str) -> None:
    opposed = client.get("/api/v1/statements?stance=oppose").json()
    sid = opposed["items"][0]["id"]
    supported = client.get("/api/v1/statements?stance=support").json()
    before = _year(client)
    actor = _year(client, by="actor", key="ali-khamenei")

    r = _correct(client, sid, "stance", "support")
    assert r.status_code == 201 and r.json()["stance"] == "support" and r.json()["corrected"] is True

    now_opposed = client.get("/api/v1/statements?stance=oppose").json()
    assert sid not in [i["id"] for i in now_opposed["items"]] and now_opposed["total"] == opposed["total"] - 1
    now_supported = client.get("/api/v1/statements?stance=support").json()
    assert sid in [i["id"] for i in now_supported["items"]] and now_supported["total"] == supported["total"] + 1
    after = _year(client)
    assert after["2019"].get("oppose", 0) == before["2019"]["oppose"] - 1
    assert after["2019"]["support"] == before["2019"].get("support", 0) + 1
    assert _year(client, by="actor", key="ali-khamenei") != actor
    store = open_store(db_url)
    try:
        assert store.counts()["stances"].get("oppose", 0) == opposed["total"] - 1
    finally:
        store.close()
    exported = [json.loads(line) for line in services.export(load_settings(db=db_url), "jsonl").splitlines()]
    assert [e["stance"] for e in exported if e["id"] == sid] == ["support"]


def test_a_target_is_corrected_by_pack_id_or_label_and_an_unknown_one_is_refused(client: TestClient) -> None:
    sid = client.get("/api/v1/statements?stance=oppose").json()["items"][0]["id"]
    for value in ("no-such-target", "<script>", ""):
        r = _correct(client, sid, "target", value)
        assert r.status_code == 400, (value, r.status_code)
        assert r.json()["error"]["code"] == "bad_request" and "unknown target" in r.json()["error"]["message"]
    assert client.get(f"/api/v1/statements/{sid}").json()["corrected"] is False  # nothing was recorded

    r = _correct(client, sid, "target", "jcpoa-revival")
    assert r.status_code == 201 and r.json()["target"] == "JCPOA revival talks"
    listed = client.get("/api/v1/statements", params={"target": "JCPOA revival talks"}).json()
    assert [i["id"] for i in listed["items"]] == [sid]
    assert _correct(client, sid, "target", "Direct Negotiation with US").json()["target"] == "direct negotiation with US"

    r = _correct(client, sid, "target", None)  # about no target after all
    assert r.status_code == 201
    assert sid not in [i["id"] for i in client.get("/api/v1/statements").json()["items"]]
    assert sid in [i["id"] for i in client.get("/api/v1/statements?all=true").json()["items"]]


def test_a_corrected_speaker_is_what_the_speaker_filter_finds(client: TestClient) -> None:
    sid = client.get("/api/v1/statements?speaker=Rouhani").json()["items"][0]["id"]
    assert _correct(client, sid, "speaker", "  ").status_code == 400
    assert _correct(client, sid, "speaker", None).status_code == 400
    assert _correct(client, sid, "speaker", "Mahmoud Vaezi").status_code == 201
    assert [i["id"] for i in client.get("/api/v1/statements?speaker=Vaezi").json()["items"]] == [sid]
    assert client.get("/api/v1/statements?speaker=Rouhani").json()["total"] == 0
