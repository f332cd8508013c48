"""The /review dashboard page: evidence marked and escaped, relabels behind the write token, counts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from stanceline.api.app import create_app
from stanceline.config import load_settings
from tests.api.factory import build_store

HTML = {"accept": "text/html"}
TOKEN = "s3cret-token"  # noqa: S105 - a test token


def _client(tmp_path: Path, token: str | None) -> TestClient:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = build_store(url)
    with store.engine.begin() as conn:  # Rouhani's and Zarif's statements await review
        conn.execute(text("UPDATE statements SET needs_review = :yes "
                          "WHERE speaker IN ('Hassan Rouhani', 'Mohammad Javad Zarif')"),
                     {"yes": True})
    store.close()
    return TestClient(create_app(load_settings(db=url, api_token=token)), raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path, TOKEN) as c:
        yield c


def _unlock(client: TestClient, token: str = TOKEN) -> int:
    return client.post("/review/unlock", data={"token": token, "page": "1"}, headers=HTML, follow_redirects=False).status_code


def _queue(client: TestClient) -> list[str]:
    return [i["id"] for i in client.get("/api/v1/review").json()["items"]]


def test_review_page_marks_the_evidence_in_its_sentence_and_escapes_it(client: TestClient) -> None:
    r = client.get("/review", headers=HTML)
    assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]
    body = r.text
    assert "Awaiting review <span class=\"note\">(2)</span>" in body
    assert '<mark class="m-statement " data-span="statement">we are ready for talks if sanctions are lifted</mark>' in body
    assert '<mark class="m-speaker ">Hassan Rouhani</mark>' in body
    # Zarif's sentence carries hostile markup: shown as text, never as markup, and no inline script at all.
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in body
    assert "<script>window" not in body and "<img src=x" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", body)
    assert "Ali Khamenei</a>" not in body  # not in the queue
    assert body.index("Mohammad Javad Zarif") < body.index("Hassan Rouhani")  # newest first


def test_relabel_buttons_appear_only_after_the_token(client: TestClient) -> None:
    assert 'class="relabel"' not in client.get("/review", headers=HTML).text
    assert _unlock(client, "wrong") == 401
    assert 'class="relabel"' not in client.get("/review", headers=HTML).text
    assert _unlock(client) == 303
    body = client.get("/review", headers=HTML).text
    assert body.count('class="relabel"') == 2
    assert all(f'name="stance" value="{s}"' in body for s in ("support", "oppose", "conditional", "neutral"))


def test_relabel_records_a_correction_and_leaves_the_queue(client: TestClient) -> None:
    first, second = _queue(client)
    assert _unlock(client) == 303
    r = client.post(f"/review/{first}", data={"stance": "neutral", "page": "1"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/review?page=1"
    assert _queue(client) == [second]
    statement = client.get(f"/api/v1/statements/{first}").json()
    assert statement["stance"] == "neutral" and statement["corrected"] is True
    assert "Awaiting review <span class=\"note\">(1)</span>" in client.get("/review", headers=HTML).text


def test_relabel_without_the_token_or_with_a_bad_stance_is_refused(client: TestClient) -> None:
    first = _queue(client)[0]
    r = client.post(f"/review/{first}", data={"stance": "oppose"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 401 and "enter the write token" in r.text and "Traceback" not in r.text
    assert _unlock(client) == 303
    r = client.post(f"/review/{first}", data={"stance": "<b>maybe</b>"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 400 and "&lt;b&gt;maybe" in r.text and "<b>maybe" not in r.text
    r = client.post("/review/nope", data={"stance": "oppose"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 404
    assert len(_queue(client)) == 2


def test_guessing_the_token_on_the_review_page_is_rate_limited_but_the_right_token_still_works(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    build_store(url).close()
    with TestClient(create_app(load_settings(db=url, api_token=TOKEN, api_auth_failures_per_min=3)),
                    raise_server_exceptions=False) as c:
        assert [_unlock(c, f"guess-{i}") for i in range(5)] == [401, 401, 401, 429, 429]
        r = c.post("/review/unlock", data={"token": "guess"}, follow_redirects=False)
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        # Wrong cookies count too, and the API's limit is the same count.
        assert c.post("/api/v1/actors/merge", json={"source": "a", "target": "b"},
                      headers={"Authorization": "Bearer nope"}).status_code == 429
        assert _unlock(c) == 303


def test_a_cookie_from_another_token_does_not_unlock(client: TestClient) -> None:
    from stanceline.web.views import REVIEW_COOKIE, _digest

    client.cookies.set(REVIEW_COOKIE, _digest("another-token"), path="/review")
    r = client.post(f"/review/{_queue(client)[0]}", data={"stance": "oppose"}, follow_redirects=False)
    assert r.status_code == 401


def test_without_a_write_token_relabelling_is_disabled(tmp_path: Path) -> None:
    with _client(tmp_path, None) as c:
        body = c.get("/review", headers=HTML).text
        assert "Relabelling is disabled" in body and "/review/unlock" not in body
        assert c.post("/review/unlock", data={"token": "x"}, follow_redirects=False).status_code == 403


def test_overview_counts_what_awaits_review(client: TestClient) -> None:
    body = client.get("/", headers=HTML).text
    assert '<a href="/review">2 statements await review</a>' in body
    assert _unlock(client) == 303
    client.post(f"/review/{_queue(client)[0]}", data={"stance": "support"}, follow_redirects=False)
    assert '<a href="/review">1 statement awaits review</a>' in client.get("/", headers=HTML).text
