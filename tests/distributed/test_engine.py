"""The Dask engine: batch planning, and the same stored output as the local engine."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stanceline.config import Settings, load_settings
from stanceline.distributed import ClusterError, plan_batches, run_dask
from stanceline.records import RawInput
from tests.conftest import DEMO


def raws(sizes: list[int]) -> list[RawInput]:
    return [RawInput(f"doc-{i}.txt", b"x" * n) for i, n in enumerate(sizes)]


@pytest.mark.parametrize(
    "sizes, n_workers, batch_s, bytes_per_s, expected",
    [
        ([], 2, 3.0, 1000, []),
        ([100] * 10, 1, 0.2, 1000, [2, 2, 2, 2, 2]),  # 200-byte budget: two documents a batch
        ([100] * 10, 2, 100.0, 1000, [2, 2, 2, 2, 2]),  # small corpus: at least two batches per worker
        ([5000, 10, 10], 1, 1.0, 1000, [1, 2]),  # one large input is a batch of its own
    ],
)
def test_plan_batches_sizes_by_work(sizes: list[int], n_workers: int, batch_s: float, bytes_per_s: int,
                                    expected: list[int]) -> None:
    batches = plan_batches(raws(sizes), n_workers, batch_s, bytes_per_s)
    assert [len(b) for b in batches] == expected


def test_plan_batches_keeps_every_input_in_order() -> None:
    inputs = raws([37 * (i % 7 + 1) for i in range(500)])
    batches = plan_batches(inputs, 2)
    assert [r for b in batches for r in b] == inputs
    assert all(len(b) <= 200 for b in batches)


def test_run_dask_unreachable_scheduler_is_a_cluster_error() -> None:
    spec = None  # never reached: connecting fails first
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        list(run_dask(raws([10]), spec, scheduler="tcp://127.0.0.1:9", connect_timeout_s=1.0))  # type: ignore[arg-type]


def test_cli_ingest_rejects_an_unknown_engine(tmp_path: Path) -> None:
    from stanceline.cli import app

    result = CliRunner().invoke(app, ["ingest", str(DEMO), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--engine", "spark"])
    assert result.exit_code == 2
    assert "--engine must be local or dask" in result.output


@pytest.mark.slow
def test_ingest_with_dask_stores_what_the_local_engine_stores(tmp_path: Path) -> None:
    from distributed import LocalCluster
    from stanceline import services

    local: Settings = load_settings(db=f"sqlite:///{tmp_path / 'local.db'}", workers=1)
    dask: Settings = load_settings(db=f"sqlite:///{tmp_path / 'dask.db'}", workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        report = services.ingest([str(DEMO)], dask, engine="dask", scheduler=cluster.scheduler_address)
    assert report.new == 12 and report.quarantined == 0
    expected = services.ingest([str(DEMO)], local)
    assert (report.new, report.statements) == (expected.new, expected.statements)
    assert services.export(dask, "jsonl") == services.export(local, "jsonl")
    assert services.summary(dask) == services.summary(local)
