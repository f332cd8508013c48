"""The client's handling of what a server can do wrong: retries, backoff, refusals, bad JSON.

These drive the client through httpx's transport hook to produce exact failure sequences (a 429
then a 200, a 401, two malformed answers). Extraction, grounding, the cache and the fallback are
tested against a real server in ``test_server.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from stanceline.config import load_settings
from stanceline.errors import ConfigError
from stanceline.llm.client import LLMClient, parse_json_object
from stanceline.llm.config import LLMConfig, llm_config
from stanceline.llm.errors import LLMBadOutput, LLMRejected, LLMUnavailable

SCHEMA = {"type": "object", "properties": {"statements": {"type": "array"}}, "required": ["statements"]}


def completion(content: str) -> httpx.Response:
    return httpx.Response(200, json={"model": "m", "choices": [{"message": {"role": "assistant", "content": content}}],
                                     "usage": {"prompt_tokens": 3, "completion_tokens": 2}})


def client(responses: list[httpx.Response | Exception], seen: list[httpx.Request], **config: object) -> LLMClient:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    cfg = LLMConfig(url="http://model.test", model="m", api_key="sk-secret-123", backoff_s=0.01, **config)  # type: ignore[arg-type]
    return LLMClient(cfg, transport=httpx.MockTransport(handler))


def test_429_and_5xx_are_retried_with_backoff_then_the_answer_is_used() -> None:
    seen: list[httpx.Request] = []
    c = client([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(503),
                completion('{"statements": []}')], seen)
    done = c.complete_json([{"role": "user", "content": "x"}], SCHEMA, "statements")
    assert done.data == {"statements": []} and len(seen) == 3
    body = json.loads(seen[0].content)
    assert seen[0].url.path == "/v1/chat/completions" and body["temperature"] == 0.0
    assert body["response_format"]["type"] == "json_schema" and body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert seen[0].headers["Authorization"] == "Bearer sk-secret-123"


def test_timeouts_past_the_retries_make_the_endpoint_unavailable() -> None:
    seen: list[httpx.Request] = []
    c = client([httpx.ReadTimeout("slow")] * 3, seen, max_retries=2)
    with pytest.raises(LLMUnavailable) as caught:
        c.complete_json([{"role": "user", "content": "x"}], SCHEMA, "s")
    assert caught.value.reason == "timeout" and len(seen) == 3


def test_a_client_error_is_not_retried_and_the_key_never_appears_in_the_message() -> None:
    seen: list[httpx.Request] = []
    c = client([httpx.Response(401, json={"error": {"message": "bad key"}})], seen)
    with pytest.raises(LLMRejected) as caught:
        c.complete_json([{"role": "user", "content": "x"}], SCHEMA, "s")
    assert len(seen) == 1 and "sk-secret-123" not in str(caught.value) and "401" in str(caught.value)
    assert "sk-secret-123" not in repr(c.config)


def test_malformed_json_is_asked_again_once_then_refused() -> None:
    seen: list[httpx.Request] = []
    c = client([completion("Sure! Here are the statements"), completion('```json\n{"statements": [1]}\n```')], seen)
    assert c.complete_json([{"role": "user", "content": "x"}], SCHEMA, "s").data == {"statements": [1]}
    assert len(json.loads(seen[1].content)["messages"]) == 3  # the bad answer and a request to fix it
    c = client([completion("no"), completion("still no")], seen)
    with pytest.raises(LLMBadOutput):
        c.complete_json([{"role": "user", "content": "x"}], SCHEMA, "s")


def test_json_object_mode_sends_the_schema_the_llama_cpp_way() -> None:
    seen: list[httpx.Request] = []
    c = client([completion("{}")], seen, response_format="json_object")
    c.complete_json([{"role": "user", "content": "x"}], SCHEMA, "s")
    assert json.loads(seen[0].content)["response_format"] == {"type": "json_object", "schema": SCHEMA}


def test_parse_json_object() -> None:
    assert parse_json_object('{"a": 1}') == {"a": 1}
    assert parse_json_object('Answer: {"a": 1} hope this helps') == {"a": 1}
    assert parse_json_object("[1, 2]") is None and parse_json_object("") is None


def test_the_key_comes_from_the_environment_or_a_file_and_a_missing_url_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="STANCELINE_LLM_URL"):
        llm_config(load_settings(judge="llm.v1"))
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-file\n", encoding="utf-8")
    monkeypatch.setenv("STANCELINE_LLM_API_KEY_FILE", str(key_file))
    config = llm_config(load_settings(llm_url="http://127.0.0.1:1/v1", llm_model="m"))
    assert config.api_key == "sk-from-file" and config.endpoint == "http://127.0.0.1:1/v1"
    assert "sk-from-file" not in repr(config)
    monkeypatch.setenv("STANCELINE_LLM_API_KEY", "sk-env")
    assert llm_config(load_settings(llm_url="http://h:1", llm_model="m")).api_key == "sk-env"
    monkeypatch.delenv("STANCELINE_LLM_API_KEY")
    monkeypatch.setenv("STANCELINE_LLM_API_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="cannot read the LLM API key file"):
        llm_config(load_settings(llm_url="http://h:1", llm_model="m"))


def test_an_unreachable_endpoint_is_one_clear_error_before_any_work(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from stanceline.services.core import ingest

    (tmp_path / "a.txt").write_text("Rouhani said talks with Washington are possible.\n", encoding="utf-8")
    unreachable = settings.model_copy(update={"judge": "llm.v1", "llm_url": "http://127.0.0.1:9/v1", "llm_model": "m"})
    with pytest.raises(ConfigError, match="cannot be reached"):
        ingest([str(tmp_path / "a.txt")], unreachable)


def test_an_answer_cut_by_the_token_limit_keeps_its_complete_items() -> None:
    cut = '{"statements": [{"speaker": "A", "evidence": "x}]"}, {"speaker": "B", "evidence": "y \\" z"}, {"speaker": "C", "evi'
    assert parse_json_object(cut) == {"statements": [{"speaker": "A", "evidence": "x}]"},
                                                     {"speaker": "B", "evidence": 'y " z'}]}
    assert parse_json_object('{"statements": [') is None


def test_an_unusable_answer_is_remembered_but_a_timeout_is_not() -> None:
    from stanceline.llm.ask import Asker
    from stanceline.llm.cache import MemoryCache

    seen: list[httpx.Request] = []
    c = client([completion("no"), completion("still no"), httpx.ReadTimeout("slow"), completion('{"statements": []}')],
               seen, max_retries=0)
    asker = Asker(c.config, client=c, cache=MemoryCache())
    messages = [{"role": "user", "content": "x"}]
    for _ in range(2):  # the second time from the cache: no request
        with pytest.raises(LLMBadOutput):
            asker.ask("extract", "doc", messages, SCHEMA, "s")
    assert len(seen) == 2
    other = [{"role": "user", "content": "y"}]
    with pytest.raises(LLMUnavailable):
        asker.ask("extract", "doc", other, SCHEMA, "s")
    assert asker.ask("extract", "doc", other, SCHEMA, "s") == {"statements": []}  # asked again, answered
    assert len(seen) == 4
