"""A small client for OpenAI-compatible chat completions with structured (JSON) output.

Failures are sorted for the caller: ``LLMUnavailable`` (unreachable, timed out, or 429/5xx after
``max_retries`` retries with exponential backoff, a ``Retry-After`` header winning),
``LLMRejected`` (any other 4xx: no retry) and ``LLMBadOutput`` (the answer was not a JSON object
twice in a row). The API key goes in the ``Authorization`` header only; no message built here
contains it.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

from stanceline.llm.config import LLMConfig
from stanceline.llm.errors import LLMBadOutput, LLMRejected, LLMUnavailable

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_WAIT_S = 30.0
CHECK_TIMEOUT_S = 10.0  # the reachability check, whatever the (possibly long or short) request timeout
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


@dataclass(frozen=True)
class Completion:
    data: dict[str, Any]
    model: str  # as the server names it
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1


def parse_json_object(content: str) -> dict[str, Any] | None:
    """The JSON object in a model's answer (a fenced block is unwrapped; an answer cut off by the
    token limit keeps its complete list items), or None."""
    fenced = _FENCE.match(content)
    body = fenced.group(1) if fenced else content.strip()
    start = body.find("{")
    if start < 0:
        return None
    for candidate in (body, body[start : body.rfind("}") + 1], *_closed_prefixes(body[start:])):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _closed_prefixes(body: str, tries: int = 3) -> list[str]:
    """``body`` cut after its last few complete values inside a list, with the brackets still open
    closed: '{"statements": [{…}, {"spea' → '{"statements": [{…}]}'."""
    stack: list[str] = []
    cuts: list[tuple[int, str]] = []
    in_string = escaped = False
    for i, ch in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack:
                break
            stack.pop()
            if stack and stack[-1] == "]":
                cuts.append((i + 1, "".join(reversed(stack))))
    return [body[:cut] + closers for cut, closers in reversed(cuts[-tries:])]


class LLMClient:
    def __init__(self, config: LLMConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        headers = {"User-Agent": "stanceline"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self._http = httpx.Client(base_url=config.endpoint, headers=headers, transport=transport,
                                  timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)),
                                  follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._http.close()

    # -- reachability ------------------------------------------------------------------------
    def check(self) -> list[str]:
        """The model ids the server lists; one clear error when it cannot be reached or refuses us."""
        try:
            response = self._http.get("/models", timeout=CHECK_TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"the LLM endpoint {self.config.endpoint} cannot be reached: {_cause(exc)}",
                                 "unreachable") from None
        if response.status_code in (401, 403):
            raise LLMRejected(f"the LLM endpoint {self.config.endpoint} refused the API key "
                              f"(HTTP {response.status_code})", f"http {response.status_code}")
        if response.status_code == 404:  # some servers have no model list; chat may still work
            return []
        if response.status_code >= 400:
            raise LLMUnavailable(f"the LLM endpoint {self.config.endpoint} answered HTTP {response.status_code} "
                                 "to a model list request", f"http {response.status_code}")
        try:
            return [str(m.get("id")) for m in response.json().get("data", []) if isinstance(m, dict)]
        except (ValueError, AttributeError):
            return []

    # -- completions -------------------------------------------------------------------------
    def complete_json(self, messages: list[dict[str, str]], schema: dict[str, Any], name: str) -> Completion:
        """Ask for one JSON object of ``schema``; retry a malformed answer once."""
        body = self._body(messages, schema, name)
        first = self._post(body)
        data = parse_json_object(first[0])
        if data is not None:
            return Completion(data, first[1], *first[2], attempts=1)
        retry = dict(body, messages=[*messages, {"role": "assistant", "content": first[0][:2000]},
                                     {"role": "user", "content": "That was not valid JSON. Answer again with "
                                      "only the JSON object the schema describes."}])
        second = self._post(retry)
        data = parse_json_object(second[0])
        if data is None:
            raise LLMBadOutput("the model answered twice with something that is not a JSON object", "malformed json")
        return Completion(data, second[1], second[2][0] + first[2][0], second[2][1] + first[2][1], attempts=2)

    def _body(self, messages: list[dict[str, str]], schema: dict[str, Any], name: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.config.model, "messages": messages, "temperature": 0.0,
                                "max_tokens": self.config.max_tokens, "stream": False}
        if self.config.response_format == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": name, "schema": schema, "strict": True}}
        elif self.config.response_format == "json_object":
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def _post(self, body: dict[str, Any]) -> tuple[str, str, tuple[int, int]]:
        wait = self.config.backoff_s
        last = "no attempt"
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                time.sleep(wait)
                wait *= 2
            try:
                response = self._http.post("/chat/completions", json=body)
            except httpx.TimeoutException:
                last = "timeout"
                continue
            except httpx.HTTPError as exc:
                last = f"connection error: {_cause(exc)}"
                continue
            if response.status_code in RETRY_STATUS:
                last = f"http {response.status_code}"
                wait = max(wait, _retry_after(response))
                continue
            if response.status_code >= 400:
                raise LLMRejected(f"the LLM endpoint refused the request: HTTP {response.status_code} "
                                  f"{_server_message(response)}", f"http {response.status_code}")
            try:
                payload = response.json()
                choice = payload["choices"][0]
                content = choice["message"].get("content") or ""
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                raise LLMBadOutput("the LLM endpoint's answer is not a chat completion", "not a completion") from None
            usage = payload.get("usage") or {}
            return (str(content), str(payload.get("model") or self.config.model),
                    (int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)))
        raise LLMUnavailable(f"the LLM endpoint failed {self.config.max_retries + 1} times ({last})", last)


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(MAX_WAIT_S, max(0.0, float(value)))
    except ValueError:
        return 0.0


def _server_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = response.text
    return str(message or "")[:300]


def _cause(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
