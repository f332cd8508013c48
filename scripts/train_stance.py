"""Train the ``learned.v1`` stance classifier and report held-out scores.

    .venv/bin/python scripts/train_stance.py            # fit, write the model, print metrics
    .venv/bin/python scripts/train_stance.py --check    # only score the committed model

Reads only ``data/stance_training/train.jsonl`` to fit (the L2 strength is chosen
by 5-fold cross-validation inside it) and ``heldout.jsonl`` to score; the
evaluation corpora of the project are never read here. Writes
``src/stanceline/judge/models/stance_learned_v1.json`` and
``data/stance_training/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from stanceline.actors.pack import load_pack
from stanceline.config import BUNDLED_PACK
from stanceline.judge.arguments import ArgumentMapper
from stanceline.judge.embeddings import load_embedder
from stanceline.judge.learned import MODEL_PATH, Head, StanceModel, featurize, load_model, save_model
from stanceline.judge.stance import score_stance
from stanceline.records import STANCES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "stance_training"
LAMBDAS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
EMBEDDING_SCALE = 3.0  # unit vectors have small components; scaling lets one L2 strength suit both blocks
SEED = 13


def read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


_QUOTE = re.compile(r"[\"“]([^\"”]{12,})[\"”]")
_REPORTED = re.compile(
    r"\b(?:said|says|told \w+|argued|warned|insisted|wrote|declared|added|noted|reported|announced|confirmed|stated|"
    r"revealed|explained|recalled)(?: that)? (.{12,})$"
)


def views(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The sentence as written, plus what the extractor hands the judge for it: the quote alone for direct
    speech, the reported clause alone for indirect speech. Same label: the stance is the speaker's either way."""
    out = [row]
    for m in _QUOTE.finditer(row["text"]):
        out.append({**row, "text": m.group(1).strip(" ,")})
    m = _REPORTED.search(row["text"])
    if m and not _QUOTE.search(row["text"]):
        out.append({**row, "text": m.group(1)})
    return out


def design(rows: list[dict[str, Any]], vocab: dict[str, int], embeddings: np.ndarray | None) -> np.ndarray:
    x = np.zeros((len(rows), len(vocab)), dtype=np.float64)
    for i, row in enumerate(rows):
        for name, value in featurize(row["text"]).items():
            k = vocab.get(name)
            if k is not None:
                x[i, k] = value
    if embeddings is not None:
        x = np.hstack([x, EMBEDDING_SCALE * embeddings])
    return x


def fit(x: np.ndarray, y: np.ndarray, lam: float, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression, L2 on weights (not biases), L-BFGS."""
    n, d = x.shape
    onehot = np.eye(n_classes)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: d * n_classes].reshape(d, n_classes)
        b = theta[d * n_classes :]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.sum(onehot * np.log(p + 1e-12)) / n + lam * np.sum(w * w) / 2
        g = (p - onehot) / n
        return value, np.concatenate([(x.T @ g + lam * w).ravel(), g.sum(axis=0)])

    theta0 = np.zeros(d * n_classes + n_classes)
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return res.x[: d * n_classes].reshape(d, n_classes), res.x[d * n_classes :]


def choose_lambda(x: np.ndarray, y: np.ndarray, groups: list[str], n_classes: int) -> tuple[float, dict[float, float]]:
    # Folds by sentence: the quote-only view of a sentence must not be scored by a model fitted on the sentence.
    rng = np.random.default_rng(SEED)
    ids = sorted(set(groups))
    fold_of = dict(zip(ids, rng.permutation(len(ids)) % 5, strict=True))
    folds = np.array([fold_of[g] for g in groups])
    scores = {}
    for lam in LAMBDAS:
        correct = 0
        for f in range(5):
            tr, te = folds != f, folds == f
            w, b = fit(x[tr], y[tr], lam, n_classes)
            correct += int(np.sum(np.argmax(x[te] @ w + b, axis=1) == y[te]))
        scores[lam] = correct / len(y)
    best = max(LAMBDAS, key=lambda lam: (scores[lam], lam))
    return best, scores


def metrics(gold: list[str], pred: list[str]) -> dict[str, Any]:
    labels = list(STANCES)
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    f1s = {}
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[g][label] for g in labels if g != label)
        fn = sum(confusion[label][p] for p in labels if p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s[label] = round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0
    return {
        "n": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold)), 3),
        "macro_f1": round(sum(f1s.values()) / len(labels), 3),
        "f1": f1s,
        "confusion": confusion,
    }


def argument_precision(rows: list[dict[str, Any]], mapper: ArgumentMapper) -> dict[str, Any]:
    """Per argument: how often a prediction of it is right (sentences without a labelled argument count as wrong)."""
    matches = mapper.map_many([r["text"] for r in rows], [r["stance"] for r in rows])
    predicted: Counter[str] = Counter()
    right: Counter[str] = Counter()
    labelled = sum(1 for r in rows if r["argument"])
    found = 0
    for row, match in zip(rows, matches, strict=True):
        if match.argument is None:
            continue
        predicted[match.argument.id] += 1
        if match.argument.id == row["argument"]:
            right[match.argument.id] += 1
            found += 1
    per = {a: {"predicted": predicted[a], "precision": round(right[a] / predicted[a], 3)} for a in sorted(predicted)}
    total = sum(predicted.values())
    return {"precision": round(found / total, 3) if total else 0.0, "recall": round(found / labelled, 3) if labelled else 0.0,
            "predicted": total, "labelled": labelled, "per_argument": per}


def print_confusion(name: str, m: dict[str, Any]) -> None:
    print(f"{name}: accuracy {m['accuracy']}  macro-F1 {m['macro_f1']}  (n={m['n']})")
    print("  gold \\ pred   " + " ".join(f"{p[:5]:>6}" for p in STANCES))
    for g in STANCES:
        print(f"  {g:<13} " + " ".join(f"{m['confusion'][g][p]:>6}" for p in STANCES))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="score the committed model without refitting")
    args = parser.parse_args(argv)
    train, heldout = read("train.jsonl"), read("heldout.jsonl")
    overlap = {r["text"] for r in train} & {r["text"] for r in heldout}
    if overlap:
        print(f"held-out sentences also in training: {sorted(overlap)[:3]}", file=sys.stderr)
        return 1
    classes = list(STANCES)
    train = [v for row in train for v in views(row)]
    y = np.array([classes.index(r["stance"]) for r in train])
    embedder = load_embedder()
    emb_train = embedder.embed([r["text"] for r in train]).astype(np.float64) if embedder else None
    emb_held = embedder.embed([r["text"] for r in heldout]).astype(np.float64) if embedder else None
    meta: dict[str, Any] = {"train_examples": len(train), "heldout_sentences": len(heldout)}

    if not args.check:
        counts: Counter[str] = Counter()
        for r in train:
            counts.update(featurize(r["text"]).keys())
        names = sorted(n for n, c in counts.items() if c >= 2 or n.startswith("lex:"))
        vocab = {n: i for i, n in enumerate(names)}
        x_lex = design(train, vocab, None)
        groups = [r["id"] for r in train]
        lam, cv = choose_lambda(x_lex, y, groups, len(classes))
        w, b = fit(x_lex, y, lam, len(classes))
        lexical = Head(vocab, w, b)
        meta.update({"lexical_l2": lam, "lexical_cv_accuracy": {str(k): round(v, 3) for k, v in cv.items()}})
        semantic = None
        if emb_train is not None and embedder is not None:
            x_sem = design(train, vocab, emb_train)
            lam_s, cv_s = choose_lambda(x_sem, y, groups, len(classes))
            ws, bs = fit(x_sem, y, lam_s, len(classes))
            semantic = Head(vocab, ws[: len(vocab)], bs, ws[len(vocab) :], EMBEDDING_SCALE)
            meta.update({"semantic_l2": lam_s, "semantic_cv_accuracy": {str(k): round(v, 3) for k, v in cv_s.items()},
                         "embedder": embedder.name})
        save_model(StanceModel(tuple(classes), lexical, semantic, meta), MODEL_PATH)  # type: ignore[arg-type]
        load_model.cache_clear()

    model = load_model(MODEL_PATH)
    gold = [r["stance"] for r in heldout]
    report: dict[str, Any] = {"heldout": {}}
    report["heldout"]["lexicon.v1"] = metrics(gold, [score_stance(r["text"]).stance for r in heldout])
    report["heldout"]["learned.v1 (lexical head)"] = metrics(gold, [model.predict(featurize(r["text"]))[0] for r in heldout])
    if model.semantic is not None and emb_held is not None:
        report["heldout"]["learned.v1 (semantic head)"] = metrics(
            gold, [model.predict(featurize(r["text"]), emb_held[i])[0] for i, r in enumerate(heldout)])
    # The same sentences cut as the extractor hands them to a judge: the quote alone, the reported clause alone.
    parts = [v for row in heldout for v in views(row)[1:]]
    if parts:
        emb_parts = embedder.embed([r["text"] for r in parts]).astype(np.float64) if embedder else None
        gold_parts = [r["stance"] for r in parts]
        report["heldout_parts"] = {
            "lexicon.v1": metrics(gold_parts, [score_stance(r["text"]).stance for r in parts]),
            "learned.v1 (lexical head)": metrics(gold_parts, [model.predict(featurize(r["text"]))[0] for r in parts]),
        }
        if model.semantic is not None and emb_parts is not None:
            report["heldout_parts"]["learned.v1 (semantic head)"] = metrics(
                gold_parts, [model.predict(featurize(r["text"]), emb_parts[i])[0] for i, r in enumerate(parts)])
    for split in ("heldout", "heldout_parts"):
        for name, m in report.get(split, {}).items():
            print_confusion(f"[{split}] {name}", m)
    pack = load_pack(BUNDLED_PACK)
    originals = read("train.jsonl") + heldout
    report["arguments"] = {"cues only": {"heldout": argument_precision(heldout, ArgumentMapper(pack, None)),
                                         "all": argument_precision(originals, ArgumentMapper(pack, None))}}
    if embedder is not None:
        mapper = ArgumentMapper(pack, embedder)
        report["arguments"]["cues + embeddings"] = {"heldout": argument_precision(heldout, mapper),
                                                    "all": argument_precision(originals, mapper)}
    for name, parts in report["arguments"].items():
        for split, a in parts.items():
            print(f"arguments, {name}, {split}: precision {a['precision']} recall {a['recall']} "
                  f"({a['predicted']} predicted, {a['labelled']} labelled)")
    report["model_meta"] = model.meta
    (DATA / "metrics.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
