"""Upgrading a database made by an earlier release keeps its data and fills what later revisions add."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from stanceline.storage import StatementFilter, open_store
from stanceline.storage.sql import MIGRATIONS


def _at_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_revision_0004_copies_the_primary_judgement_onto_statements(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_revision(url, "0003")
    engine = create_engine(url)
    with engine.begin() as conn:
        # Revision 0001 builds today's tables: take the statements table back to what 0003 left.
        for index in ("ix_statements_by_date", "ix_statements_by_stance", "ix_statements_by_target",
                      "ix_statements_by_actor"):
            conn.exec_driver_sql(f"DROP INDEX {index}")
        conn.exec_driver_sql("ALTER TABLE statements DROP COLUMN target")
        conn.exec_driver_sql("ALTER TABLE statements DROP COLUMN stance")
        conn.exec_driver_sql("DROP TABLE store_meta")
        conn.exec_driver_sql("CREATE INDEX ix_statements_actor ON statements (actor_id)")
        conn.exec_driver_sql("CREATE INDEX ix_statements_date ON statements (date_sort)")
        conn.execute(text("INSERT INTO raw_inputs (id, source, size, ingested_at) VALUES ('r', 's', 1, 'now')"))
        conn.execute(text("INSERT INTO documents (id, raw_id, source, text, ingested_at) VALUES ('d', 'r', 's', 'x', 'now')"))
        for sid, target, stance in (("s1", "JCPOA", "oppose"), ("s2", None, None), ("s3", "JCPOA", "support")):
            conn.execute(text('INSERT INTO statements (id, document_id, start, "end", text, speaker, kind, produced_by, '
                              "date_sort) VALUES (:id, 'd', 0, 1, 'x', 'A', 'direct', 't', '2019-05-14')"), {"id": sid})
            conn.execute(text("INSERT INTO judgements (statement_id, rank, target, stance, produced_by) "
                              "VALUES (:id, 0, :target, :stance, 't')"), {"id": sid, "target": target, "stance": stance})
        # A secondary judgement must not overwrite the primary one.
        conn.execute(text("INSERT INTO judgements (statement_id, rank, target, stance, produced_by) "
                          "VALUES ('s3', 1, 'sanctions', 'oppose', 't')"))
    engine.dispose()

    store = open_store(url)  # upgrades to the newest revision
    try:
        rows = {r["id"]: (r["target"], r["stance"]) for r in store.statement_rows()}
        assert rows == {"s1": ("JCPOA", "oppose"), "s2": (None, None), "s3": ("JCPOA", "support")}
        assert store.revision() == 0
        with store.engine.connect() as conn:
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(statements)")}
        assert {"ix_statements_by_stance", "ix_statements_by_actor"} <= indexes
        assert not {"ix_statements_actor", "ix_statements_actor_date", "ix_statements_date_id"} & indexes
    finally:
        store.close()


def test_revision_0005_puts_stored_corrections_on_the_statement_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _at_revision(url, "0004")  # corrections were kept beside the rows, which still had the model's values
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO raw_inputs (id, source, size, ingested_at) VALUES ('r', 's', 1, 'now')"))
        conn.execute(text("INSERT INTO documents (id, raw_id, source, text, ingested_at) VALUES ('d', 'r', 's', 'x', 'now')"))
        for sid in ("s1", "s2", "s3"):
            conn.execute(text('INSERT INTO statements (id, document_id, start, "end", text, speaker, kind, produced_by, '
                              "date_sort, target, stance) VALUES (:id, 'd', 0, 1, 'x', 'A', 'direct', 't', '2019-05-14', "
                              "'JCPOA', 'oppose')"), {"id": sid})
            conn.execute(text("INSERT INTO judgements (statement_id, rank, target, stance, produced_by) "
                              "VALUES (:id, 0, 'JCPOA', 'oppose', 't')"), {"id": sid})
        for sid, field, value in (("s1", "stance", "support"), ("s1", "stance", "conditional"), ("s2", "target", None),
                                  ("s3", "speaker", "B"), ("s3", "speaker", None)):
            conn.execute(text("INSERT INTO corrections (statement_id, field, value, author, created_at) "
                              "VALUES (:sid, :field, :value, 'ana', 'now')"), {"sid": sid, "field": field, "value": value})
    engine.dispose()

    store = open_store(url)
    try:
        rows = {r["id"]: (r["speaker"], r["target"], r["stance"]) for r in store.statement_rows()}
        assert rows == {"s1": ("A", "JCPOA", "conditional"), "s2": ("A", None, "oppose"), "s3": ("B", "JCPOA", "oppose")}
        assert [r["id"] for r in store.statement_rows(StatementFilter(stance="conditional"))] == ["s1"]
        assert store.counts()["on_target"] == 2
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM corrections").scalar_one() == 5
            assert {r[0] for r in conn.exec_driver_sql("SELECT stance FROM judgements")} == {"oppose"}
    finally:
        store.close()
