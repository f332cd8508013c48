"""Registries that pick one implementation by versioned name.

Built-in extractors and judges register exactly as a third-party plugin would:
through the ``stanceline.extractors`` / ``stanceline.judges`` entry-point groups
declared in ``pyproject.toml``. ``Registry.register`` also works at run time
(tests use it for fakes).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from stanceline.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Name → factory, filled from entry points on first use.

    An entry point's module is imported only when its name is asked for, so one plugin that cannot
    be imported (a missing module, a missing dependency) breaks only itself, not its neighbours.
    """

    def __init__(self, group: str) -> None:
        self.group = group
        self._factories: dict[str, Callable[..., T]] = {}
        self._entry_points: dict[str, EntryPoint] = {}
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
            self._entry_points.setdefault(ep.name, ep)

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(set(self._factories) | set(self._entry_points))

    def get(self, name: str) -> Callable[..., T]:
        self._load_entry_points()
        kind = self.group.split(".")[-1][:-1]
        if name not in self._factories and name in self._entry_points:
            try:
                self._factories[name] = self._entry_points[name].load()
            except (ImportError, AttributeError) as exc:
                raise ConfigError(f"the {kind} {name!r} is registered but cannot be loaded: {exc}") from None
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(f"no {kind} named {name!r} (known: {known})") from None


extractors: Registry[object] = Registry("stanceline.extractors")
judges: Registry[object] = Registry("stanceline.judges")
stores: Registry[object] = Registry("stanceline.stores")
