"""What can go wrong talking to a language model, as the fallback logic needs to tell it apart."""

from __future__ import annotations

from stanceline.errors import StancelineError


class LLMError(StancelineError):
    """A request to the language-model endpoint failed; ``reason`` is a short, loggable cause."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class LLMUnavailable(LLMError):
    """The endpoint could not be reached, timed out, or kept answering 429/5xx after the retries."""


class LLMRejected(LLMError):
    """The endpoint answered with a client error (bad key, unknown model, request refused)."""


class LLMBadOutput(LLMError):
    """The model's answer was not JSON of the requested shape, twice."""
