"""Registries that pick one implementation by versioned name.

Built-in extractors and judges register exactly as a third-party plugin would:
through the ``stanceline.extractors`` / ``stanceline.judges`` entry-point groups
declared in ``pyproject.toml``. ``Registry.register`` also works at run time
(tests use it for fakes).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from stanceline.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Name → factory, filled from entry points on first use."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._factories: dict[str, Callable[..., T]] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def decorator(factory: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = factory
            return factory

        return decorator

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            if ep.name not in self._factories:
                self._factories[ep.name] = ep.load()

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._factories)

    def get(self, name: str) -> Callable[..., T]:
        self._load_entry_points()
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(f"no {self.group.split('.')[-1][:-1]} named {name!r} (known: {known})") from None


extractors: Registry[object] = Registry("stanceline.extractors")
judges: Registry[object] = Registry("stanceline.judges")
stores: Registry[object] = Registry("stanceline.stores")
