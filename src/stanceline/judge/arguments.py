"""Mapping a statement's reason onto the pack's argument taxonomy, and surfacing new argument types.

Two signals, combined:
- cue phrases of each pack argument found in the statement or its reason clause
  (precise but brittle: "the ink was still wet" names no cue of *distrust*);
- cosine similarity between the reason and the argument's description and
  example sentences, with sentence embeddings (robust to paraphrase, but vaguer).
An argument is kept when the combined score clears a threshold chosen on the
labelled training sentences (see ``scripts/train_stance.py``). Arguments have a
polarity (``for`` / ``against`` talks): one that contradicts the statement's
stance is discounted, since speakers rarely argue against their own position
(reported opponents' arguments still map, with lower confidence).

Reasons that map to nothing are clustered so that recurring, not-yet-listed
argument types surface for a person to name (``stanceline arguments --new``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from stanceline.actors.pack import Argument, Pack
from stanceline.judge.embeddings import Embedder, Matrix, normalise

ARGUMENT_THRESHOLD = 0.65  # combined score; chosen on the training split for F0.5 (precision weighs double)
CUE_WEIGHT = 0.4
SIM_FLOOR, SIM_SPAN = 0.15, 0.30  # cosine below the floor says nothing; floor + span counts fully
POLARITY_PENALTY = 0.6

_STOP = frozenset(
    "the a an and or of to in on for with that this is are was were be been it its as at by from not no we they he she "
    "said says say would will should could can must their our there any all more than which who about into has have had "
    "talks negotiation negotiations negotiate negotiating iran iranian us united states america american washington "
    "tehran".split()
)


@dataclass(frozen=True)
class ArgumentMatch:
    """The argument a statement gives, how it was found, and why."""

    argument: Argument | None
    score: float
    method: str  # "cue", "embedding", "cue+embedding" or "none"
    cues: tuple[str, ...] = ()
    similarity: float = 0.0


def cue_hits(text: str, argument: Argument) -> list[str]:
    """The argument's cue phrases that occur in ``text`` (word-initial, case-insensitive)."""
    lower = text.lower()
    return [cue for cue in argument.cues if re.search(rf"(?<!\w){re.escape(cue.lower())}", lower)]


def _polarity_fits(argument: Argument, stance: str | None) -> bool:
    if stance == "support":
        return argument.polarity != "against"
    if stance == "oppose":
        return argument.polarity != "for"
    return True


class ArgumentMapper:
    """Cue matching plus embedding similarity over one pack's arguments."""

    def __init__(self, pack: Pack, embedder: Embedder | None = None, threshold: float = ARGUMENT_THRESHOLD) -> None:
        self.arguments = tuple(pack.arguments)
        self.condition_cues = tuple(sorted({cue.lower() for c in pack.conditions for cue in c.cues}))
        self.embedder = embedder
        self.threshold = threshold
        self._owner: tuple[int, ...] = ()
        self._examples: Matrix | None = None
        if embedder is not None and self.arguments:
            texts: list[str] = []
            owner: list[int] = []
            for i, arg in enumerate(self.arguments):
                for text in (arg.description, *arg.examples):
                    if text:
                        texts.append(text)
                        owner.append(i)
            self._owner = tuple(owner)
            self._examples = embedder.embed(texts)

    def similarities(self, vectors: Matrix) -> Matrix:
        """Per argument, the best cosine between each row of ``vectors`` and its description or examples."""
        out = np.zeros((len(vectors), len(self.arguments)), dtype=np.float32)
        if self._examples is None or not len(vectors):
            return out
        sims = vectors @ self._examples.T
        owner = np.asarray(self._owner)
        for i in range(len(self.arguments)):
            out[:, i] = sims[:, owner == i].max(axis=1)
        return out

    def map_many(self, texts: Sequence[str], stances: Sequence[str | None] | None = None,
                 reasons: Sequence[str | None] | None = None) -> list[ArgumentMatch]:
        """Map each text (with its optional reason clause and stance); one embedding batch for all."""
        if not texts:
            return []
        stances = stances or [None] * len(texts)
        reasons = reasons or [None] * len(texts)
        sims = (self.similarities(self.embedder.embed([r or t for t, r in zip(texts, reasons, strict=True)]))
                if self.embedder is not None and self._examples is not None else None)
        return [self._decide(t, s, r, None if sims is None else sims[k])
                for k, (t, s, r) in enumerate(zip(texts, stances, reasons, strict=True))]

    def map(self, text: str, stance: str | None = None, reason: str | None = None) -> ArgumentMatch:
        return self.map_many([text], [stance], [reason])[0]

    def _decide(self, text: str, stance: str | None, reason: str | None, sims: Matrix | None) -> ArgumentMatch:
        scope = f"{text} {reason or ''}"
        # A precondition is not a reason: "only with guarantees" names the guarantees argument's cue.
        conditions = [c for c in self.condition_cues if c in scope.lower()] if stance == "conditional" else []
        best = ArgumentMatch(None, 0.0, "none")
        for i, arg in enumerate(self.arguments):
            hits = [h for h in cue_hits(scope, arg) if not any(h.lower() in c or c in h.lower() for c in conditions)]
            sim = float(sims[i]) if sims is not None else 0.0
            if sims is None:
                score = 1.0 if hits else 0.0  # cue matching alone: one cue counts, as in the lexicon judge
            else:
                cue_score = min(1.0, len(hits) / 2)
                sim_score = min(1.0, max(0.0, (sim - SIM_FLOOR) / SIM_SPAN))
                score = CUE_WEIGHT * cue_score + (1 - CUE_WEIGHT) * sim_score
            if not _polarity_fits(arg, stance):
                score *= POLARITY_PENALTY
            if score > best.score:
                method = "cue+embedding" if hits and sims is not None else ("cue" if hits else "embedding")
                best = ArgumentMatch(arg, round(score, 3), method, tuple(hits), round(sim, 3))
        threshold = self.threshold if sims is not None else 0.5
        if best.argument is None or best.score < threshold:
            return ArgumentMatch(None, best.score, "none", (), best.similarity)
        return best


# -- surfacing new argument types ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonCluster:
    """Reasons that say much the same thing and match no listed argument."""

    members: tuple[int, ...]  # indexes into the reasons given
    keywords: tuple[str, ...]
    cohesion: float  # mean cosine of members to the centroid
    nearest_argument: str | None = None
    nearest_similarity: float = 0.0


def _keywords(texts: Sequence[str], background: Counter[str], top: int = 4) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({w for w in re.findall(r"[a-z][a-z'-]{2,}", text.lower()) if w not in _STOP})
    total = max(1, sum(background.values()))
    # Distinctive words: frequent in the cluster, rarer in all reasons.
    scored = sorted(counts, key=lambda w: (-(counts[w] / (1 + 50 * background[w] / total)), w))
    return tuple(w for w in scored if counts[w] >= min(2, len(texts)))[:top]


def cluster_reasons(vectors: Matrix, threshold: float = 0.55, min_size: int = 2) -> list[tuple[int, ...]]:
    """Group rows whose cosine to a cluster centroid is at least ``threshold``.

    Leader clustering (each row joins the closest centroid above the threshold or
    starts its own), then clusters whose centroids are that close are merged: linear in
    the number of reasons, so it runs on a whole store; order-independent enough for
    a list that a person reviews.
    """
    if not len(vectors):
        return []
    vectors = normalise(vectors.astype(np.float32))
    # Rows with many close neighbours first, so leaders are typical members rather than outliers.
    density = (vectors @ vectors.T >= threshold).sum(axis=1) if len(vectors) <= 4000 else np.zeros(len(vectors))
    order = np.argsort(-density, kind="stable")
    members: list[list[int]] = []
    sums: list[Matrix] = []
    for i in order:
        if sums:
            centroids = normalise(np.stack(sums))
            sims = centroids @ vectors[i]
            j = int(np.argmax(sims))
            if sims[j] >= threshold:
                members[j].append(int(i))
                sums[j] = sums[j] + vectors[i]
                continue
        members.append([int(i)])
        sums.append(vectors[i].copy())
    merged = True
    while merged and len(members) > 1:
        merged = False
        centroids = normalise(np.stack(sums))
        sims = centroids @ centroids.T
        np.fill_diagonal(sims, -1.0)
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[a, b] >= threshold:
            a, b = min(a, b), max(a, b)
            members[a].extend(members.pop(b))
            sums[a] = sums[a] + sums.pop(b)
            merged = True
    groups = [tuple(sorted(m)) for m in members if len(m) >= min_size]
    return sorted(groups, key=lambda g: (-len(g), g))


def new_argument_types(reasons: Sequence[str], embedder: Embedder, mapper: ArgumentMapper | None = None,
                       threshold: float = 0.55, min_size: int = 2) -> list[ReasonCluster]:
    """Clusters of unmatched reasons, largest first, each with keywords and the nearest listed argument."""
    if not reasons:
        return []
    vectors = embedder.embed(list(reasons))
    background: Counter[str] = Counter()
    for text in reasons:
        background.update(set(re.findall(r"[a-z][a-z'-]{2,}", text.lower())))
    nearest = mapper.similarities(vectors) if mapper is not None and mapper.arguments else None
    out = []
    for group in cluster_reasons(vectors, threshold, min_size):
        centroid = normalise(vectors[list(group)].mean(axis=0, keepdims=True))[0]
        cohesion = float((vectors[list(group)] @ centroid).mean())
        near_id, near_sim = None, 0.0
        if nearest is not None and mapper is not None:
            mean_sims = nearest[list(group)].mean(axis=0)
            k = int(np.argmax(mean_sims))
            near_id, near_sim = mapper.arguments[k].id, round(float(mean_sims[k]), 3)
        keywords = _keywords([reasons[i] for i in group], background)
        out.append(ReasonCluster(group, keywords, round(cohesion, 3), near_id, near_sim))
    return out


@lru_cache(maxsize=4)
def mapper_for(pack: Pack, with_embeddings: bool = True) -> ArgumentMapper:
    """One mapper per pack and process (the example embeddings are computed once)."""
    from stanceline.judge.embeddings import load_embedder

    return ArgumentMapper(pack, load_embedder() if with_embeddings else None)
