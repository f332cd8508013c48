"""Shared fixtures: settings on a temporary database, the bundled pack, the spaCy pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanceline.config import BUNDLED_PACK, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
SEEDS_GOLD = SHARED / "corpus" / "seeds_gold.jsonl"
DEMO = REPO / "demo" / "corpus"
DEVSET = REPO / "tests" / "data" / "devset"
DEVSET_GOLD = REPO / "tests" / "data" / "devset_gold.jsonl"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file; single worker for determinism."""
    return load_settings(db=f"sqlite:///{tmp_path / 'test.db'}", workers=1)


@pytest.fixture(scope="session")
def pack():  # type: ignore[no-untyped-def]
    from stanceline.actors.pack import load_pack

    return load_pack(BUNDLED_PACK)


@pytest.fixture(scope="session")
def linker(pack):  # type: ignore[no-untyped-def]
    from stanceline.actors.linker import Linker

    return Linker(pack)


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from stanceline.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def resources():  # type: ignore[no-untyped-def]
    from stanceline.pipeline import ResourceSpec, load_resources

    s = Settings()
    return load_resources(ResourceSpec(s.pack, s.extractor, s.judge, s.spacy_model))


@pytest.fixture
def extract(resources):  # type: ignore[no-untyped-def]
    """Run the whole per-document function on a text; returns its statements."""
    from stanceline.pipeline import process_document
    from stanceline.records import RawInput

    def run(text: str, source: str = "test.txt") -> list:  # type: ignore[type-arg]
        result = process_document(RawInput(source, text.encode("utf-8"), "text/plain"), resources)
        assert result.quarantine is None, result.quarantine
        return list(result.statements)

    return run


@pytest.fixture
def tmp_store(tmp_path: Path) -> Iterator[object]:
    from stanceline.storage import open_store

    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.close()
