"""The Python API: what the CLI, the REST API and the dashboard call.

One module per area; everything public is re-exported here so callers write
``from stanceline import services; services.ingest(...)``.
"""

from stanceline.services import analysis as analysis  # noqa: E402 - analyses, browsing, corrections
from stanceline.services import judging as judging  # noqa: E402 - new argument types
from stanceline.services.actors import MergeResult, PackCheck, apply_merges, check_pack, list_actors, merge_actors  # noqa: F401
from stanceline.services.core import (
    EXPORT_FIELDS,
    IngestReport,
    collect_inputs,
    evaluate,
    evaluate_attributions,
    export,
    export_parquet,
    export_rows,
    ingest,
    list_statements,
    resource_spec,
    summary,
)
from stanceline.services.ingestion import quarantine_list as quarantine_list
from stanceline.services.ingestion import quarantine_retry as quarantine_retry
from stanceline.services.judging import corrections_as_training, judge_items
from stanceline.services.reprocess import ReprocessReport, orphaned_corrections, reprocess

__all__ = [
    "MergeResult",
    "PackCheck",
    "analysis",
    "apply_merges",
    "check_pack",
    "corrections_as_training",
    "judge_items",
    "judging",
    "list_actors",
    "merge_actors",
    "quarantine_list",
    "quarantine_retry",
    "ReprocessReport",
    "orphaned_corrections",
    "reprocess",
    "EXPORT_FIELDS",
    "IngestReport",
    "collect_inputs",
    "evaluate",
    "evaluate_attributions",
    "export",
    "export_parquet",
    "export_rows",
    "ingest",
    "list_statements",
    "resource_spec",
    "summary",
]
