"""One place where ``llm.v1`` asks the model: the cache first, then the endpoint."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from stanceline.llm.cache import Cache, cache_key, open_cache
from stanceline.llm.client import LLMClient
from stanceline.llm.config import LLMConfig
from stanceline.llm.errors import LLMBadOutput
from stanceline.llm.prompts import PROMPT_VERSION

VERSION = "llm.v1"
PRODUCED_BY_MAX = 60  # the width of the store's produced_by columns
# An answer that was not JSON twice is kept too: at temperature 0 the same request gets the same
# answer, so a re-run would pay for the same failure. Timeouts and refusals are never kept.
FAILED = "_stanceline_failed"


def produced_by(model: str) -> str:
    """``llm.v1/p1/<model>``: the component, the prompt version and the model (cut to fit the store)."""
    head = f"{VERSION}/{PROMPT_VERSION}/"
    return head + model[: PRODUCED_BY_MAX - len(head)]


class Asker:
    def __init__(self, config: LLMConfig, client: LLMClient | None = None, cache: Cache | None = None) -> None:
        self.config = config
        self.client = client or LLMClient(config)
        self.cache = cache if cache is not None else open_cache(config.cache_url)
        self.produced_by = produced_by(config.model)

    def ask(self, task: str, document_id: str, messages: list[dict[str, str]], schema: dict[str, Any],
            name: str) -> dict[str, Any]:
        """The model's JSON answer to ``messages`` (from the cache when it was asked before)."""
        key = cache_key(task, document_id, PROMPT_VERSION, self.config.model, [messages, schema])
        cached = self.cache.get(key)
        if cached is not None:
            if FAILED in cached:
                raise LLMBadOutput(f"the model's answer to this request was not usable ({cached[FAILED]}, cached)",
                                   str(cached[FAILED]))
            return cached
        try:
            completion = self.client.complete_json(messages, schema, name)
        except LLMBadOutput as exc:
            self.cache.put(key, document_id, task, PROMPT_VERSION, self.config.model, {FAILED: exc.reason})
            raise
        self.cache.put(key, document_id, task, PROMPT_VERSION, self.config.model, completion.data)
        return completion.data


@lru_cache(maxsize=4)
def asker_for(config: LLMConfig) -> Asker:
    """One asker (HTTP client and cache connection) per configuration and process, shared by the
    ``llm.v1`` extractor and judge."""
    return Asker(config)
