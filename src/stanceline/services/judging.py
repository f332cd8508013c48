"""Judging services: candidate new argument types from the reasons stored statements give.

``stanceline arguments --new`` calls ``new_argument_candidates``: the reasons of
on-target statements that no pack argument matched are embedded and clustered;
each cluster of at least ``min_size`` reasons is a candidate for a new entry in
the pack's ``arguments.yaml``, shown with its keywords, example statements and
the nearest argument already listed (a high similarity there means "a variant of
an existing argument", a low one "something new").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from stanceline.actors.pack import load_pack
from stanceline.config import Settings
from stanceline.errors import StancelineError
from stanceline.judge.arguments import ArgumentMapper, new_argument_types
from stanceline.judge.embeddings import Embedder, HashedBagEmbedder, load_embedder
from stanceline.storage import StatementFilter, open_store


class InvalidArgumentsRequestError(StancelineError):
    """A parameter of the new-arguments analysis is out of range."""


@dataclass(frozen=True)
class ArgumentCandidate:
    """A cluster of unmatched reasons: a possible new argument type."""

    keywords: tuple[str, ...]
    size: int
    cohesion: float
    nearest_argument: str | None
    nearest_similarity: float
    examples: tuple[dict[str, Any], ...]  # speaker, stance, target, reason, text, statement id
    embedder: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        data["examples"] = list(self.examples)
        return data


def unmatched_reasons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On-target statements whose stated reason maps to no pack argument."""
    return [r for r in rows if r.get("target") and r.get("argument") and not r.get("argument_id")]


def new_argument_candidates(settings: Settings, min_size: int = 2, threshold: float = 0.55, limit: int = 20,
                            examples: int = 3, embedder: Embedder | None = None) -> list[ArgumentCandidate]:
    """Clusters of reasons that no listed argument matched, largest first."""
    if min_size < 2:
        raise InvalidArgumentsRequestError("--min-size must be at least 2: a cluster of one is not a type")
    if not 0.0 < threshold < 1.0:
        raise InvalidArgumentsRequestError(f"--threshold must be between 0 and 1, got {threshold}")
    store = open_store(settings.db)
    try:
        rows = unmatched_reasons(store.statement_rows(StatementFilter(on_target=True)))
    finally:
        store.close()
    if not rows:
        return []
    # Without the embeddings extra, word overlap still groups reasons that share their wording.
    backend: Embedder = embedder or load_embedder() or HashedBagEmbedder()
    pack = load_pack(settings.pack)
    mapper = ArgumentMapper(pack, backend)
    reasons = [str(r["argument"]) for r in rows]
    clusters = new_argument_types(reasons, backend, mapper, threshold, min_size)
    out = []
    for cluster in clusters[:limit]:
        shown = tuple(
            {"statement_id": rows[i].get("id"), "speaker": rows[i].get("speaker"), "stance": rows[i].get("stance"),
             "target": rows[i].get("target"), "reason": reasons[i], "text": rows[i].get("text")}
            for i in cluster.members[:examples]
        )
        out.append(ArgumentCandidate(cluster.keywords, len(cluster.members), cluster.cohesion, cluster.nearest_argument,
                                     cluster.nearest_similarity, shown, backend.name))
    return out
