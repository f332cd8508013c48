from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from stanceline.api.app import create_app
from stanceline.config import load_settings
from tests.api.factory import XSS, build_store

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    build_store(url).close()
    with TestClient(create_app(load_settings(db=url)), raise_server_exceptions=False) as c:
        yield c


def _zarif(client: TestClient) -> dict[str, str]:
    return client.get("/api/v1/statements?speaker=zarif").json()["items"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/", "/factions", "/factions/supreme-leader-office", "/outlets", "/outlets/Kayhan",
                                  "/arguments", "/search?q=talks", "/search?q=&stance=support", "/actors/ali-khamenei"])
def test_pages_render(client: TestClient, path: str) -> None:
    r = client.get(path, headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("kind", ["statement", "document", "overview", "search", "actor"])
def test_untrusted_article_text_is_escaped(client: TestClient, kind: str) -> None:
    s = _zarif(client)
    path = {"statement": f"/statements/{s['id']}", "document": f"/documents/{s['document_id']}", "overview": "/",
            "search": "/search?q=diplomacy", "actor": "/actors/mohammad-javad-zarif"}[kind]
    body = client.get(path, headers=HTML).text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in body
    assert "<script>window" not in body and "<img src=x" not in body and XSS not in body


def test_statement_page_highlights_span_speaker_and_links_original(client: TestClient) -> None:
    s = _zarif(client)
    body = client.get(f"/statements/{s['id']}", headers=HTML).text
    assert '<mark class="m-statement " data-span="statement">diplomacy is the cheapest way' in body
    assert '<mark class="m-speaker ">Mohammad Javad Zarif</mark>' in body
    assert 'href="https://news.example/3"' in body and 'rel="noopener noreferrer nofollow"' in body


def test_html_errors_are_pages_without_tracebacks(client: TestClient) -> None:
    r = client.get("/statements/%3Cb%3Enope", headers=HTML)
    assert r.status_code == 404 and "&lt;b&gt;nope" in r.text and "<b>nope" not in r.text and "Traceback" not in r.text


def test_chart_data_is_json_not_script(client: TestClient) -> None:
    body = client.get("/actors/ali-khamenei", headers=HTML).text
    assert '<script type="application/json" id="chart-data">' in body and '/static/chart.umd.min.js' in body
    assert client.get("/static/chart.umd.min.js").status_code == 200


HUGE = "461168601842738791"


@pytest.mark.parametrize("path", ["/outlets/Kayhan", "/factions/supreme-leader-office", "/search?q=talks&"])
@pytest.mark.parametrize("page", [HUGE, "9" * 30, "100001"])
def test_a_page_number_past_the_end_is_an_empty_page_not_an_error(client: TestClient, path: str, page: str) -> None:
    url = f"{path}{'&' if '?' in path else '?'}page={page}".replace("&&", "&")
    r = client.get(url, headers=HTML)
    assert r.status_code == 200, (url, r.status_code)
    assert "No statements." in r.text  # the page past the end: empty


@pytest.mark.parametrize("page", ["0", "-1", "x", "9" * 5000])
def test_a_page_number_that_is_no_page_is_a_client_error(client: TestClient, page: str) -> None:
    for path in ("/outlets/Kayhan", "/factions/supreme-leader-office", "/search?q=talks&x="):
        r = client.get(f"{path}{'&' if '?' in path else '?'}page={page}", headers=HTML)
        assert r.status_code == 422, (path, page, r.status_code)
        assert "Traceback" not in r.text


@pytest.mark.parametrize("query", [f"offset={HUGE}", f"limit={HUGE}", "offset=-1", "limit=0", "limit=501",
                                   "offset=10000001", f"window_days={HUGE}"])
def test_api_paging_parameters_are_bounded(client: TestClient, query: str) -> None:
    for path in ("/api/v1/statements", "/api/v1/documents", "/api/v1/actors", "/api/v1/shifts", "/api/v1/rhetoric"):
        r = client.get(f"{path}?{query}")
        name = query.split("=")[0]
        if name == "window_days" and path != "/api/v1/rhetoric" or name == "offset" and path == "/api/v1/shifts":
            assert r.status_code == 200, (path, query)  # not a parameter of this operation: ignored
            continue
        if name == "window_days" and path == "/api/v1/rhetoric" or path != "/api/v1/rhetoric":
            assert r.status_code == 422, (path, query, r.status_code)
            assert r.json()["error"]["code"] == "invalid_parameters"
