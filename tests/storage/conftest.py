"""Store fixtures: every contract test runs on SQLite, and on PostgreSQL when STANCELINE_TEST_PG is set.

``STANCELINE_TEST_PG`` is a SQLAlchemy URL of a database the tests may use to create and drop
one scratch database per test (``postgresql+psycopg://user@127.0.0.1:5432/stanceline_test``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ENV = "STANCELINE_TEST_PG"
PG_SKIP = f"PostgreSQL contract tests need {PG_ENV}=postgresql+psycopg://USER@HOST:PORT/DB (.ci/setup-postgres.sh sets it)"


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of each dialect (a fresh PostgreSQL database per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'contract.db'}"
        return
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(PG_SKIP)
    yield from _scratch_pg_database(admin)


def _scratch_pg_database(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"stanceline_t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - an unreachable server is a skip, not a failure
        pytest.skip(f"PostgreSQL at {PG_ENV} is not usable: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[object]:
    from stanceline.storage import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()
