"""The check run once before any work: is the configured endpoint there and does it take our key?"""

from __future__ import annotations

from stanceline.errors import ConfigError
from stanceline.llm.client import LLMClient
from stanceline.llm.config import LLMConfig
from stanceline.llm.errors import LLMError

_CHECKED: set[LLMConfig] = set()


def check_endpoint(config: LLMConfig, again: bool = False) -> None:
    """A ``ConfigError`` with the cause when the endpoint cannot be used (checked once per process
    unless ``again``)."""
    if config in _CHECKED and not again:
        return
    list_models(config)
    _CHECKED.add(config)


def list_models(config: LLMConfig) -> list[str]:
    """The model ids the endpoint lists; a ``ConfigError`` with the cause when it cannot be used."""
    client = LLMClient(config)
    try:
        models = client.check()
    except LLMError as exc:
        raise ConfigError(f"{exc} (set STANCELINE_LLM_URL to a running OpenAI-compatible server)") from None
    finally:
        client.close()
    return models
