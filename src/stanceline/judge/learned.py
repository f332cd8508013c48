"""A trained stance classifier (``learned.v1``): logistic regression over words and lexicon cues.

Features of one statement:
- words and word pairs, lower-cased, with the three words after a negator
  marked (``neg_negotiate``) so that "will not negotiate" and "will negotiate" differ;
- the ``lexicon.v1`` scores (support / oppose weights, its label, a condition
  marker, a rhetorical question) — the classifier learns how far to trust them;
- when the ``embeddings`` extra is installed, the MiniLM sentence embedding.
The weights were fitted by ``scripts/train_stance.py`` on the hand-labelled
sentences in ``data/stance_training/train.jsonl`` and ship as a small JSON file
beside this module. Two heads are stored: ``lexical`` (always usable) and
``semantic`` (adds the embedding); the judge uses the semantic head only when the
embedding model is installed, so results never depend on a download.

Targets come from the pack's target matcher, conditions from the lexicon's
condition spans, arguments from ``judge/arguments.py`` (cues + embeddings).
Every judgement lists the features that weighed most for its label as its cues.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack
from stanceline.errors import ModelError
from stanceline.judge.arguments import ArgumentMapper, mapper_for
from stanceline.judge.embeddings import Embedder, load_embedder
from stanceline.judge.reasons import condition_spans, known_conditions, reason_span
from stanceline.judge.stance import CONDITION, RHETORICAL, score_stance
from stanceline.judge.targets import matcher_for, statement_targets
from stanceline.records import STANCES, Document, Judgement, StanceLabel, Statement
from stanceline.registry import judges

VERSION = "learned.v1"
MODEL_PATH = Path(__file__).parent / "models" / "stance_learned_v1.json"

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|n't|[?]")
_NEGATORS = frozenset({"not", "never", "no", "n't", "cannot", "neither", "nor", "without", "nothing", "none"})
_NEG_WINDOW = 3
# Words too common to explain anything to a reader; they keep their weights, they are just not shown as cues.
_UNEXPLAINING = frozenset("a an the and or of to in on at by for with as is are was were be it its that this we they he she "
                          "i you our their his her said says".split())

Vector = npt.NDArray[np.float64]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; the words just after a negator carry a ``neg_`` mark."""
    raw = _TOKEN.findall(text.lower().replace("’", "'").replace("can't", "can n't").replace("won't", "will n't"))
    out: list[str] = []
    left = 0
    for tok in raw:
        if tok.endswith("n't") and tok != "n't":
            tok = "n't"
        if tok in _NEGATORS:
            out.append(tok)
            left = _NEG_WINDOW
            continue
        out.append(f"neg_{tok}" if left else tok)
        left = max(0, left - 1)
    return out


def featurize(text: str, cue_verb: str | None = None) -> dict[str, float]:
    """Sparse features of one statement (names are shown as explanations, so keep them readable)."""
    toks = tokens(text)
    feats: dict[str, float] = {}
    for tok in toks:
        feats[f"w:{tok}"] = 1.0
    for a, b in zip(toks, toks[1:], strict=False):
        feats[f"b:{a} {b}"] = 1.0
    lex = score_stance(text, cue_verb)
    scores = dict(lex.scores)
    feats["lex:support"] = min(scores.get("support", 0.0), 8.0) / 4
    feats["lex:oppose"] = min(scores.get("oppose", 0.0), 8.0) / 4
    feats[f"lex:label={lex.stance}"] = 1.0
    if CONDITION.search(text):
        feats["lex:condition-marker"] = 1.0
    if RHETORICAL.search(text) or text.rstrip().rstrip('"”').endswith("?"):
        feats["lex:question"] = 1.0
    if re.search(r"[\"“”]", text):
        feats["lex:quoted"] = 1.0
    return feats


@dataclass(frozen=True)
class Head:
    """One logistic-regression head: sparse feature weights, optional embedding weights, biases."""

    features: dict[str, int]
    weights: Vector  # (n_features, n_classes)
    bias: Vector  # (n_classes,)
    embedding_weights: Vector | None = None  # (dim, n_classes)
    embedding_scale: float = 1.0

    def logits(self, feats: dict[str, float], embedding: Vector | None = None) -> Vector:
        z = self.bias.copy()
        for name, value in feats.items():
            k = self.features.get(name)
            if k is not None:
                z += value * self.weights[k]
        if self.embedding_weights is not None and embedding is not None:
            z += self.embedding_scale * embedding @ self.embedding_weights
        return z

    def explain(self, feats: dict[str, float], label: int, top: int = 4) -> tuple[str, ...]:
        """The features that pushed most towards ``label`` (relative to the other labels)."""
        contrib = []
        for name, value in feats.items():
            k = self.features.get(name)
            if k is not None and not (name.startswith("w:") and name[2:].removeprefix("neg_") in _UNEXPLAINING):
                row = self.weights[k]
                push = value * (row[label] - (row.sum() - row[label]) / (len(row) - 1))
                if push > 0:
                    contrib.append((push, name))
        contrib.sort(reverse=True)
        return tuple(name for _, name in contrib[:top])


@dataclass(frozen=True)
class StanceModel:
    classes: tuple[StanceLabel, ...]
    lexical: Head
    semantic: Head | None
    meta: dict[str, Any]

    def predict(self, feats: dict[str, float], embedding: Vector | None = None) -> tuple[StanceLabel, float, tuple[str, ...]]:
        """Label, probability and explaining features for one statement."""
        head = self.semantic if (self.semantic is not None and embedding is not None) else self.lexical
        z = head.logits(feats, embedding if head is self.semantic else None)
        p = np.exp(z - z.max())
        p /= p.sum()
        k = int(np.argmax(p))
        cues = head.explain(feats, k) + (("embedding",) if head is self.semantic else ())
        return self.classes[k], float(p[k]), cues


def head_to_dict(head: Head, digits: int = 5) -> dict[str, Any]:
    names = sorted(head.features, key=head.features.__getitem__)
    data: dict[str, Any] = {
        "features": names,
        "weights": [[round(float(v), digits) for v in head.weights[head.features[n]]] for n in names],
        "bias": [round(float(v), digits) for v in head.bias],
    }
    if head.embedding_weights is not None:
        data["embedding_weights"] = [[round(float(v), digits) for v in row] for row in head.embedding_weights]
        data["embedding_scale"] = head.embedding_scale
    return data


def head_from_dict(data: dict[str, Any]) -> Head:
    emb = data.get("embedding_weights")
    return Head(
        features={n: i for i, n in enumerate(data["features"])},
        weights=np.asarray(data["weights"], dtype=np.float64).reshape(len(data["features"]), -1),
        bias=np.asarray(data["bias"], dtype=np.float64),
        embedding_weights=None if emb is None else np.asarray(emb, dtype=np.float64),
        embedding_scale=float(data.get("embedding_scale", 1.0)),
    )


def save_model(model: StanceModel, path: Path) -> None:
    data = {"version": VERSION, "classes": list(model.classes), "meta": model.meta, "lexical": head_to_dict(model.lexical),
            "semantic": head_to_dict(model.semantic) if model.semantic is not None else None}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> StanceModel:
    """The trained weights (read once per process)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        classes = tuple(data["classes"])
        if not set(classes) <= set(STANCES):
            raise ValueError(f"unknown classes {classes}")
        return StanceModel(classes, head_from_dict(data["lexical"]),
                           head_from_dict(data["semantic"]) if data.get("semantic") else None, data.get("meta", {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot load the stance model {path.name}: {exc}; re-create it with scripts/train_stance.py") from exc


def statement_scope(doc: Document, statement: Statement) -> str:
    """The text judged: the quote itself for direct speech, lists and theses; else the whole sentence."""
    sentence = doc.text[statement.sentence_start or statement.start : statement.sentence_end or statement.end]
    return statement.text if statement.kind in ("direct", "list", "author") else sentence


class LearnedJudge:
    """Stance from the trained classifier; targets from the pack; arguments by cues and embeddings."""

    name = VERSION

    def __init__(self, pack: Pack, linker: Linker, model: StanceModel | None = None,
                 embedder: Embedder | None = None, use_embeddings: bool = True) -> None:
        self.pack = pack
        self.linker = linker
        self.model = model or load_model()
        self.embedder = embedder if embedder is not None else (load_embedder() if use_embeddings else None)
        self.targets = matcher_for(pack)
        self.mapper: ArgumentMapper = (ArgumentMapper(pack, self.embedder) if embedder is not None
                                       else mapper_for(pack, self.embedder is not None))

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        default = self.targets.document_default(doc.text, doc.title)
        scopes = [statement_scope(doc, s) for s in statements]
        found = [statement_targets(self.targets, self.pack, doc, s, scope, default) for s, scope in zip(statements, scopes, strict=True)]
        on_target = [i for i, (targets, _) in enumerate(found) if targets]
        embeddings = (self.embedder.embed([scopes[i] for i in on_target]).astype(np.float64)
                      if self.embedder is not None and self.model.semantic is not None and on_target else None)
        predictions: dict[int, tuple[StanceLabel, float, tuple[str, ...]]] = {}
        for row, i in enumerate(on_target):
            feats = featurize(scopes[i], statements[i].cue)
            predictions[i] = self.model.predict(feats, None if embeddings is None else embeddings[row])
        reasons = {i: self._reason(statements[i], scopes[i]) for i in on_target}
        mapped = self.mapper.map_many([scopes[i] for i in on_target], [predictions[i][0] for i in on_target],
                                      [reasons[i] for i in on_target])
        matches = dict(zip(on_target, mapped, strict=True))
        out = []
        for i, statement in enumerate(statements):
            targets, contextual = found[i]
            if not targets:
                out.append(statement.with_judgements((Judgement(target=None, stance=None, confidence=0.0, produced_by=VERSION),)))
                continue
            stance, prob, feature_cues = predictions[i]
            scope = scopes[i]
            conditions: tuple[str, ...] = ()
            condition_ids: tuple[str, ...] = ()
            if stance == "conditional":
                conditions = tuple(scope[a:b].strip() for a, b in condition_spans(scope))
                condition_ids = tuple(c.id for c in known_conditions(scope, self.pack))
            match = matches[i]
            arg = match.argument
            cues = tuple(dict.fromkeys((
                *(f"feature:{c}" for c in feature_cues),
                *(f"argument:{c}" for c in match.cues),
                *((f"argument:similar to {arg.id} ({match.similarity:.2f})",) if arg is not None and match.similarity else ()),
                *(("target:context",) if contextual else ()),
            )))
            argument_text = statement.stated_argument or reasons[i]
            out.append(statement.with_judgements(tuple(
                Judgement(
                    target=t.label, stance=stance, confidence=round(prob * (1.0 if k == 0 else 0.8), 3),
                    conditions=conditions, condition_ids=condition_ids,
                    argument=argument_text or (arg.label if arg else None), argument_id=arg.id if arg else None,
                    cues=cues, produced_by=VERSION,
                )
                for k, t in enumerate(targets[:3])
            )))
        return out

    @staticmethod
    def _reason(statement: Statement, scope: str) -> str | None:
        if statement.stated_argument:
            return statement.stated_argument
        span = reason_span(scope)
        return scope[span[0] : span[1]].strip() if span else None


def predict_stances(texts: Sequence[str], model: StanceModel | None = None,
                    embedder: Embedder | None = None) -> list[tuple[StanceLabel, float]]:
    """Label bare sentences (training, evaluation and tests; the judge adds targets and arguments)."""
    model = model or load_model()
    vectors = embedder.embed(list(texts)).astype(np.float64) if embedder is not None and model.semantic is not None else None
    out = []
    for k, text in enumerate(texts):
        label, prob, _ = model.predict(featurize(text), None if vectors is None else vectors[k])
        out.append((label, prob))
    return out


@judges.register(VERSION)
def make_learned_judge(pack: Pack, linker: Linker) -> LearnedJudge:
    return LearnedJudge(pack, linker)
