"""Provisional actors: listed with counts, merged into a pack actor, and the merge survives later ingests."""

from __future__ import annotations

from pathlib import Path

from stanceline import services
from stanceline.services.actors import actor_merges

FIRST = "Talks\nMay 3, 2019\n\nParviz Farahmand, an analyst in Tehran, said that negotiation with the United States is futile.\n"
SECOND = ("Oman round ends without result\nJune 14, 2019\n\nThe foreign ministry gave no details of the meeting in Muscat, "
          "and officials in Washington declined to comment on a schedule. Parviz Farahmand said that a deal with "
          "America would bring nothing but new demands.\n")  # different enough not to be a near-duplicate


def _ingest(settings, tmp_path: Path, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    services.ingest([str(path)], settings, workers=1)


def test_merge_moves_statements_and_survives_reingest(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ingest(settings, tmp_path, "a.txt", FIRST)
    provisional = [r for r in services.list_actors(settings, True) if "farahmand" in r["id"]]
    assert [r["statements"] for r in provisional] == [1]
    result = services.merge_actors(settings, provisional[0]["id"], "Hermidas Bavand")
    assert result.moved == 1 and result.target == "hermidas-bavand"
    _ingest(settings, tmp_path, "b.txt", SECOND)
    rows = [r for r in services.list_statements(settings) if "Farahmand" in (r["speaker_text"] or "")]
    assert len(rows) == 2 and {r["actor_id"] for r in rows} == {"hermidas-bavand"}


def test_merge_refuses_pack_actor_as_source(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from stanceline.errors import StancelineError

    _ingest(settings, tmp_path, "a.txt", FIRST)
    with pytest.raises(StancelineError, match="pack actor"):
        services.merge_actors(settings, "hassan-rouhani", "kazem-seddiqi")
    from stanceline.storage import open_store

    store = open_store(settings.db)
    try:
        assert actor_merges(store) == {}
    finally:
        store.close()
