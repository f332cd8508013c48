"""The answer cache: in the store (shared by processes, surviving runs) or in memory."""

from __future__ import annotations

from pathlib import Path

from stanceline.llm.cache import MemoryCache, StoreCache, cache_key, open_cache


def test_keys_change_with_document_prompt_model_and_request() -> None:
    base = cache_key("extract", "doc", "p1", "m", ["messages"])
    assert base == cache_key("extract", "doc", "p1", "m", ["messages"])
    assert len({base, cache_key("judge", "doc", "p1", "m", ["messages"]), cache_key("extract", "doc2", "p1", "m", ["messages"]),
                cache_key("extract", "doc", "p2", "m", ["messages"]), cache_key("extract", "doc", "p1", "m2", ["messages"]),
                cache_key("extract", "doc", "p1", "m", ["other"])}) == 6


def test_store_cache_survives_the_process_and_is_shared(tmp_path: Path) -> None:
    from stanceline.storage import open_store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).close()  # migrated: the table exists
    first = StoreCache(url)
    first.put("k", "doc", "extract", "p1", "m", {"statements": [{"speaker": "A"}]})
    first.put("k", "doc", "extract", "p1", "m", {"statements": []})  # a second writer of the same key: ignored
    first.close()
    second = StoreCache(url)
    assert second.get("k") == {"statements": [{"speaker": "A"}]}
    assert second.get("missing") is None


def test_a_database_without_the_table_gets_it_and_memory_stands_in_when_nothing_works(tmp_path: Path) -> None:
    bare = StoreCache(f"sqlite:///{tmp_path / 'bare.db'}")
    bare.put("k", "d", "judge", "p1", "m", {"judgements": []})
    assert StoreCache(f"sqlite:///{tmp_path / 'bare.db'}").get("k") == {"judgements": []}
    (tmp_path / "ro").mkdir()
    broken = StoreCache(f"sqlite:///{tmp_path / 'ro' / 'missing-dir' / 'x.db'}")
    broken.put("k", "d", "judge", "p1", "m", {"a": 1})
    assert broken.get("k") == {"a": 1}
    assert isinstance(open_cache(None), MemoryCache) and isinstance(open_cache("sqlite://"), MemoryCache)
