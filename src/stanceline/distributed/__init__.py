"""Running the pure per-document function on Dask (``stanceline ingest --engine dask``)."""

from __future__ import annotations

from stanceline.distributed.engine import ClusterError, plan_batches, process_batch, run_dask

__all__ = ["ClusterError", "plan_batches", "process_batch", "run_dask"]
