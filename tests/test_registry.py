"""Registries: entry points are imported when asked for, so a broken plugin breaks only itself."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from stanceline import registry
from stanceline.errors import ConfigError


def test_a_broken_entry_point_does_not_hide_the_working_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [EntryPoint("good.v1", "stanceline.judge:make_lexicon_judge", "stanceline.test"),
              EntryPoint("broken.v1", "stanceline.no_such_module:make", "stanceline.test")]
    monkeypatch.setattr(registry, "entry_points", lambda group: points)
    reg: registry.Registry[object] = registry.Registry("stanceline.tests")
    assert reg.names() == ["broken.v1", "good.v1"]
    from stanceline.judge import make_lexicon_judge

    assert reg.get("good.v1") is make_lexicon_judge
    with pytest.raises(ConfigError, match="'broken.v1' is registered but cannot be loaded"):
        reg.get("broken.v1")
    with pytest.raises(ConfigError, match=r"no test named 'other' \(known: broken.v1, good.v1\)"):
        reg.get("other")


def test_a_factory_registered_at_run_time_wins_over_an_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "entry_points",
                        lambda group: [EntryPoint("x.v1", "stanceline.no_such_module:make", "stanceline.test")])
    reg: registry.Registry[object] = registry.Registry("stanceline.tests")

    def factory() -> object:
        return object()

    reg.register("x.v1")(factory)
    assert reg.get("x.v1") is factory
