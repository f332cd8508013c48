"""Errors users may see. The message is written where the error is raised."""

from __future__ import annotations


class StancelineError(Exception):
    """Base of every error stanceline reports to a user without a traceback."""


class ConfigError(StancelineError):
    """Settings or a domain pack are invalid."""


class PackError(ConfigError):
    """A domain pack failed validation; ``problems`` lists each issue with its line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class IngestError(StancelineError):
    """An input could not be read, fetched or cleaned; it is quarantined."""


class FetchError(IngestError):
    """A URL could not be fetched (refused, unreachable, too large, wrong type)."""


class StoreError(StancelineError):
    """The database could not be opened or written."""


class ModelError(StancelineError):
    """An NLP model is missing or could not be loaded."""
