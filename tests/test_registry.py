"""Registries: plugins load by name, and one broken plugin does not stop the others."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from stanceline import registry
from stanceline.errors import ConfigError


def test_a_broken_entry_point_fails_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [EntryPoint("good.v1", "stanceline.records:content_hash", "test.plugins"),
              EntryPoint("broken.v1", "stanceline.no_such_module:make", "test.plugins")]
    monkeypatch.setattr(registry, "entry_points", lambda group: [p for p in points if p.group == group])
    plugins: registry.Registry[object] = registry.Registry("test.plugins")
    assert plugins.names() == ["broken.v1", "good.v1"]
    from stanceline.records import content_hash

    assert plugins.get("good.v1") is content_hash
    with pytest.raises(ConfigError, match=r"'broken.v1' cannot be loaded: ModuleNotFoundError"):
        plugins.get("broken.v1")
    with pytest.raises(ConfigError, match=r"no plugin named 'other' \(known: broken.v1, good.v1\)"):
        plugins.get("other")
