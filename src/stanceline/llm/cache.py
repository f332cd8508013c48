"""Where ``llm.v1`` keeps the model's answers: the store's ``llm_cache`` table, else process memory.

A cached answer is used as if the server had given it again, so re-processing, evaluation and
re-runs cost nothing twice. The cache is an optimisation: if the store cannot be read or written
(locked, a database without the table, an in-memory store a worker cannot share) the answer is
kept in memory and work goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any, Protocol

log = logging.getLogger(__name__)


def cache_key(task: str, document_id: str, prompt_version: str, model: str, request: Any) -> str:
    blob = json.dumps([task, document_id, prompt_version, model, request], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Cache(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, document_id: str, task: str, prompt_version: str, model: str,
            response: dict[str, Any]) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, document_id: str, task: str, prompt_version: str, model: str,
            response: dict[str, Any]) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = response


class StoreCache:
    """The ``llm_cache`` table of the store at ``url`` (created by the store's migration 0008)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, event

        from stanceline.storage.sql import _sqlite_pragmas

        self._engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)  # autocommit, WAL, a busy timeout
        self._memory = MemoryCache()
        self._usable = True
        from sqlalchemy import inspect

        from stanceline.storage.tables import llm_cache

        try:  # a store opened by stanceline has it (migration 0008); a database given only for answers may not
            llm_cache.create(bind=self._engine, checkfirst=True)
        except Exception as exc:  # noqa: BLE001 - another process made it first, or the database is read-only
            try:
                present = inspect(self._engine).has_table(llm_cache.name)
            except Exception:  # noqa: BLE001
                present = False
            if not present:
                self._give_up(exc)

    def get(self, key: str) -> dict[str, Any] | None:
        found = self._memory.get(key)
        if found is not None or not self._usable:
            return found
        from sqlalchemy import select
        from sqlalchemy.exc import SQLAlchemyError

        from stanceline.storage.tables import llm_cache

        try:
            with self._engine.connect() as conn:
                value = conn.execute(select(llm_cache.c.response).where(llm_cache.c.key == key)).scalar_one_or_none()
        except SQLAlchemyError as exc:
            self._give_up(exc)
            return None
        if isinstance(value, str):  # a driver that hands JSON back as text
            value = json.loads(value)
        return value if isinstance(value, dict) else None

    def put(self, key: str, document_id: str, task: str, prompt_version: str, model: str,
            response: dict[str, Any]) -> None:
        self._memory.put(key, document_id, task, prompt_version, model, response)
        if not self._usable:
            return
        from sqlalchemy.exc import IntegrityError, SQLAlchemyError

        from stanceline.storage.tables import llm_cache

        row = {"key": key, "document_id": document_id, "task": task, "prompt_version": prompt_version,
               "model": model[:200], "response": response, "created_at": datetime.now(UTC).isoformat()}
        try:
            with self._engine.begin() as conn:
                conn.execute(llm_cache.insert().values(**row))
        except IntegrityError:
            pass  # another worker stored the same answer first
        except SQLAlchemyError as exc:
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        log.warning("the LLM answer cache in the store is not usable (%s); answers are kept in memory only",
                    type(exc).__name__)
        self._usable = False

    def close(self) -> None:
        self._engine.dispose()


def open_cache(url: str | None) -> Cache:
    from stanceline.storage.sql import is_in_memory

    if not url or is_in_memory(url):
        return MemoryCache()
    return StoreCache(url)
