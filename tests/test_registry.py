"""Registries load only the entry point asked for: a broken plugin next to it costs nothing else."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from stanceline import registry
from stanceline.errors import ConfigError

GOOD = EntryPoint("good.v1", "stanceline.errors:ConfigError", "stanceline.things")
BROKEN = EntryPoint("broken.v1", "stanceline.no_such_module:make", "stanceline.things")


@pytest.fixture
def things(monkeypatch: pytest.MonkeyPatch) -> registry.Registry[object]:
    monkeypatch.setattr(registry, "entry_points", lambda group: [GOOD, BROKEN] if group == "stanceline.things" else [])
    return registry.Registry("stanceline.things")


def test_a_broken_plugin_does_not_break_the_others(things: registry.Registry[object]) -> None:
    assert things.get("good.v1") is ConfigError
    assert things.names() == ["broken.v1", "good.v1"]


def test_a_broken_plugin_is_a_clear_config_error(things: registry.Registry[object]) -> None:
    with pytest.raises(ConfigError, match="thing 'broken.v1' is registered but cannot be loaded: No module named"):
        things.get("broken.v1")
    with pytest.raises(ConfigError, match=r"no thing named 'other.v1' \(known: broken.v1, good.v1\)"):
        things.get("other.v1")


def test_a_factory_registered_at_run_time_wins(things: registry.Registry[object]) -> None:
    things.register("good.v1")(dict)
    assert things.get("good.v1") is dict
