"""Running the pure per-document function on a Dask cluster.

The client cuts the inputs into batches worth a few seconds of work each, keeps a bounded number
of them in flight, and yields results in input order so that a Dask run stores exactly what a
local run stores. Each worker process builds its ``Resources`` (spaCy, pack, linker) once, when
the ``ResourcesPlugin`` is set up on it; batches then only carry bytes in and records out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from stanceline.errors import StancelineError
from stanceline.pipeline import ResourceSpec, default_workers, load_resources, process_document
from stanceline.records import ProcessedDocument, RawInput

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

# Throughput of one worker process, measured by `make bench` on a 2-core machine (bytes of raw
# input per second, about 10 articles/s); a guess is enough: it only sizes batches.
BYTES_PER_S = 40_000
BATCH_S = 3.0  # long enough to hide scheduling overhead (~1 ms/task), short enough to balance load
MAX_BATCH_ITEMS = 200


class ClusterError(StancelineError):
    """The Dask cluster could not be reached or started, or Dask is not installed."""


def plan_batches(raws: Sequence[RawInput], n_workers: int, batch_s: float = BATCH_S,
                 bytes_per_s: int = BYTES_PER_S) -> list[list[RawInput]]:
    """Consecutive batches of about ``batch_s`` seconds of work each, at least two per worker.

    Work is estimated from input size; a small corpus is split finer so every worker gets some.
    """
    if not raws:
        return []
    total = sum(len(r.data) for r in raws)
    budget = max(1, int(batch_s * bytes_per_s))
    budget = min(budget, max(1, total // max(1, 2 * n_workers)))
    batches: list[list[RawInput]] = []
    current: list[RawInput] = []
    size = 0
    for raw in raws:
        if current and (size + len(raw.data) > budget or len(current) >= MAX_BATCH_ITEMS):
            batches.append(current)
            current, size = [], 0
        current.append(raw)
        size += len(raw.data)
    batches.append(current)
    return batches


def process_batch(raws: list[RawInput], spec: ResourceSpec) -> list[ProcessedDocument]:
    """Worker side: one batch through ``process_document`` with this process's cached resources."""
    resources = load_resources(spec)
    return [process_document(raw, resources) for raw in raws]


def _plugin(spec: ResourceSpec) -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class ResourcesPlugin(WorkerPlugin):
        """Loads spaCy and the pack once per worker process, when the worker joins."""

        name = "stanceline-resources"

        def __init__(self, spec: ResourceSpec) -> None:
            self.spec = spec

        def setup(self, worker: Any) -> None:
            load_resources(self.spec)

    return ResourcesPlugin(spec)


def _connect(scheduler: str | None, n_workers: int, timeout_s: float) -> tuple[Client, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("the Dask engine needs dask.distributed: pip install 'stanceline[dask]'") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout=f"{timeout_s}s"), None  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from exc
    try:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
    except (OSError, RuntimeError) as exc:
        raise ClusterError(f"cannot start a local Dask cluster: {exc}") from exc
    return Client(cluster), cluster  # type: ignore[no-untyped-call]


def run_dask(raws: Iterable[RawInput], spec: ResourceSpec, n_workers: int | None = None,
             scheduler: str | None = None, batch_s: float = BATCH_S,
             connect_timeout_s: float = 20.0) -> Iterator[ProcessedDocument]:
    """Process inputs on Dask (``scheduler`` address, else a LocalCluster); results in input order.

    At most a few batches per worker are in flight, so the client's memory stays bounded on any
    corpus size; the caller writes each batch's results as they come back.
    """
    todo = list(raws)
    if not todo:
        return
    client, cluster = _connect(scheduler, max(1, n_workers or default_workers()), connect_timeout_s)
    try:
        client.register_plugin(_plugin(spec))
        workers = max(1, len(client.scheduler_info().get("workers", {})) or (n_workers or 1))
        batches = plan_batches(todo, workers, batch_s)
        window = 2 * workers
        futures: dict[int, Any] = {}
        submitted = 0
        for index in range(len(batches)):
            while submitted < len(batches) and submitted < index + window:
                futures[submitted] = client.submit(process_batch, batches[submitted], spec, pure=False)
                submitted += 1
            future = futures.pop(index)
            results: list[ProcessedDocument] = future.result()
            future.release()
            yield from results
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
