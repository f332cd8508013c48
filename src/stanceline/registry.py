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
    """Name → factory; an entry point is loaded when its name is first asked for."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def decorator(factory: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = factory
            return factory

        return decorator

    def _entry_points(self) -> dict[str, object]:
        return {ep.name: ep for ep in entry_points(group=self.group)}

    def names(self) -> list[str]:
        return sorted(set(self._factories) | set(self._entry_points()))

    def get(self, name: str) -> Callable[..., T]:
        """The factory called ``name``; only its own entry point is imported, so a broken plugin
        installed next to it does not take every other implementation down with it."""
        if name not in self._factories:
            ep = self._entry_points().get(name)
            if ep is not None:
                try:
                    self._factories[name] = ep.load()  # type: ignore[attr-defined]
                except ImportError as exc:
                    raise ConfigError(f"{self.group.split('.')[-1][:-1]} {name!r} is registered but cannot be "
                                      f"loaded: {exc}") from None
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(f"no {self.group.split('.')[-1][:-1]} named {name!r} (known: {known})") from None


def build(factory: Callable[..., T], *args: object, llm: object = None, **options: object) -> T:
    """Call a registered factory; one that declares ``takes_llm`` also gets the language-model
    configuration (``llm.v1``), the others never see it."""
    if getattr(factory, "takes_llm", False):
        options["llm"] = llm
    return factory(*args, **options)


extractors: Registry[object] = Registry("stanceline.extractors")
judges: Registry[object] = Registry("stanceline.judges")
stores: Registry[object] = Registry("stanceline.stores")
