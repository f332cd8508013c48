"""``LLMConfig``: what ``llm.v1`` needs to reach a model, built from ``Settings``.

The API key is read from ``STANCELINE_LLM_API_KEY`` or from the file ``STANCELINE_LLM_API_KEY_FILE``
names. It is kept out of ``repr`` (so out of logs and tracebacks) and out of everything stored: the
cache is keyed by the model name and the request, never by the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from stanceline.errors import ConfigError

if TYPE_CHECKING:
    from stanceline.config import Settings

ResponseFormat = Literal["json_schema", "json_object", "none"]


@dataclass(frozen=True)
class LLMConfig:
    url: str  # base URL of an OpenAI-compatible server, with or without a trailing /v1
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 120.0
    concurrency: int = 2  # requests in flight at once, per worker process
    max_retries: int = 3  # for timeouts, connection errors, 429 and 5xx
    backoff_s: float = 1.0  # first wait; doubled after each retry (a Retry-After header wins)
    # How the JSON schema is sent: "json_schema" (OpenAI's response_format, vLLM, Ollama, hosted
    # APIs), "json_object" (llama.cpp's Python server: {"type": "json_object", "schema": …}), or
    # "none" (the schema only in the prompt).
    response_format: ResponseFormat = "json_schema"
    chunk_chars: int = 6000  # an article longer than this is sent in paragraph-aligned chunks
    max_tokens: int = 2048
    cache_url: str | None = None  # the store's database URL; None = an in-process cache only
    fallback_extractor: str = "attribution.v2"
    fallback_judge: str = "cascade.v2"

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/v1") else base + "/v1"


def read_api_key(key: str | None, key_file: Path | None) -> str | None:
    """The key itself, else the first line of ``key_file``; a file that cannot be read is a config error."""
    if key:
        return key.strip()
    if key_file is None:
        return None
    try:
        value = key_file.read_text(encoding="utf-8").strip().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the LLM API key file {key_file}: {exc.strerror or exc}") from None
    return value[0].strip() if value else None


def llm_config(settings: Settings) -> LLMConfig:
    """The ``LLMConfig`` of ``settings``; a clear error when ``llm_url`` is missing."""
    if not settings.llm_url:
        raise ConfigError("the llm.v1 extractor or judge needs an endpoint: set STANCELINE_LLM_URL "
                          "(an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1) and STANCELINE_LLM_MODEL")
    secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
    return LLMConfig(
        url=settings.llm_url, model=settings.llm_model or "default",
        api_key=read_api_key(secret, settings.llm_api_key_file),
        timeout_s=settings.llm_timeout_s, concurrency=settings.llm_concurrency, max_retries=settings.llm_max_retries,
        response_format=settings.llm_response_format, chunk_chars=settings.llm_chunk_chars,
        max_tokens=settings.llm_max_tokens, cache_url=settings.llm_cache_db or settings.db,
    )


def uses_llm(settings: Settings) -> bool:
    return "llm" in (settings.extractor.split(".")[0], settings.judge.split(".")[0],
                     (settings.review_judge or "").split(".")[0])
