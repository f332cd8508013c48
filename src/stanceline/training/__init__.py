"""Training of the shipped models: ``make train`` (``python -m stanceline.training all``).

One entry point for every model, one card format (``stanceline.models.ModelCard``), one place
for the model files (``src/stanceline/models/<name>/``). Each trainer reads the shared corpus in
place (``--corpus``, default ``../shared/corpus`` seen from the repository), never copies it,
fixes its seeds, fits on ``train``, chooses on ``dev`` and prints the dev figures.
Training-only tools (scikit-learn) come from the ``train`` extra and are imported here only.
"""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

SEED = 13


def corpus_root(value: str | Path | None = None) -> Path:
    """The shared corpus: ``value``, else ``$STANCELINE_CORPUS``, else ``../shared/corpus``."""
    path = Path(value or os.environ.get("STANCELINE_CORPUS") or Path("..") / "shared" / "corpus")
    if not path.is_dir():
        raise SystemExit(f"training corpus not found at {path} (give --corpus DIR or set STANCELINE_CORPUS)")
    return path


def seed_everything(seed: int = SEED) -> None:
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover - numpy is a runtime dependency
        pass


def split_of(group: str, dev: float = 0.15, test: float = 0.15, salt: str = "stanceline") -> str:
    """``train`` / ``dev`` / ``test`` for a group key, stable across runs and machines.

    Split by group (an article, a template, a paraphrase family), never by item, so that
    nothing near-identical straddles two splits.
    """
    h = int(hashlib.sha256(f"{salt}:{group}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test else "dev" if h < test + dev else "train"
