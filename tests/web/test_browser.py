"""The dashboard as a person uses it, in a real (headless) chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stanceline.api.app import create_app
from stanceline.config import load_settings
from tests.api.factory import build_store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make dev)")
if not CHROMIUM.exists():
    pytest.skip("chromium is not installed at /usr/bin/chromium (.ci/setup-browser.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'b.db'}"
    build_store(url).close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(load_settings(db=url)), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # wait for the socket, not for a duration: bounded polling
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def test_browser_overview_to_actor_to_statement(browser, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base_url + "/")
    assert page.locator("h1").inner_text() == "Who stands where"
    page.wait_for_function("() => document.querySelector('#timeline-chart').width > 0")
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    page.locator("a.speaker", has_text="Mohammad Javad Zarif").first.click()
    page.wait_for_url("**/actors/mohammad-javad-zarif")
    assert "Mohammad Javad Zarif" in page.locator("h1").inner_text()
    page.locator("ul.statements a.text").first.click()
    page.wait_for_url("**/statements/*")
    marked = page.locator('mark[data-span="statement"]')
    assert marked.count() >= 1 and marked.first.inner_text().startswith("diplomacy is the cheapest way")
    assert page.locator("#document-text mark.m-speaker").first.inner_text() == "Mohammad Javad Zarif"
    # The article carries a <script> and an onerror payload: they show as text and never run.
    assert "<script>window.__pwned = 1</script>" in page.locator("#document-text").inner_text()
    assert page.evaluate("() => window.__pwned") is None and dialogs == []
    assert page.locator("#document-text script, #document-text img").count() == 0
    page.screenshot(path=str(tmp_path / "statement.png"), full_page=True)
    assert (tmp_path / "statement.png").stat().st_size > 10_000
    page.close()


def test_browser_phone_layout_has_no_horizontal_scroll(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    for path in ("/", "/outlets", "/arguments"):
        page.goto(base_url + path)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    page.close()
