"""Scoring predictions against hand-annotated gold statements.

Matching rule (``docs/evaluation.md``): a prediction matches a gold statement of
the same file when their token sets overlap by at least 60% of the shorter set
and neither is more than 6× longer; matches are one to one, best overlap first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanceline.records import STANCES

_TOKEN = re.compile(r"\w+", re.UNICODE)
MIN_OVERLAP = 0.6
MAX_RATIO = 6.0


def tokens(text: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text.replace("’", "'"))}


def _length(text: str) -> int:
    return max(1, len(_TOKEN.findall(text)))


@dataclass(frozen=True)
class Gold:
    file: str
    speaker: str
    stance: str
    evidence: str
    date: str | None
    target: str | None = None
    speaker_role: str | None = None


@dataclass(frozen=True)
class Prediction:
    file: str
    speaker: str
    speaker_text: str
    stance: str | None
    text: str
    date: str | None
    target: str | None = None
    id: str = ""


@dataclass
class EvalResult:
    metrics: dict[str, float]
    confusion: dict[str, dict[str, int]]
    misses: list[Gold] = field(default_factory=list)
    false_positives: list[Prediction] = field(default_factory=list)
    matched: list[tuple[Gold, Prediction]] = field(default_factory=list)


def load_gold(path: Path) -> list[Gold]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Gold(d["file"], d["speaker"], d["stance"], d["evidence"], d.get("date"), d.get("target"), d.get("speaker_role")))
        except (json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"{path}:{n}: not a gold record ({exc})") from exc
    return out


def overlap(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    la, lb = _length(a), _length(b)
    if max(la, lb) > MAX_RATIO * min(la, lb):
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def match_spans(gold: list[str], predicted: list[str]) -> list[tuple[int, int]]:
    """One-to-one matches (gold index, predicted index) of one file, best overlap first."""
    pairs = sorted(((overlap(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)), reverse=True)
    taken_g: set[int] = set()
    taken_p: set[int] = set()
    out: list[tuple[int, int]] = []
    for ov, gi, pi in pairs:
        if ov < MIN_OVERLAP:
            break
        if gi in taken_g or pi in taken_p:
            continue
        taken_g.add(gi)
        taken_p.add(pi)
        out.append((gi, pi))
    return out


def _norm_name(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", name.lower().replace("’", "'")) if w and w not in ("the", "of", "al", "el")]


def speaker_matches(gold: str, predicted: str, aliases: dict[str, set[str]] | None = None) -> bool:
    """Surname or alias match: 'Kazem Seddiqi' ~ 'Seddiqi'; 'IRGC' ~ 'Islamic Revolutionary Guard Corps' via aliases."""
    g, p = gold.lower().strip(), predicted.lower().strip()
    if g == p:
        return True
    gw, pw = _norm_name(gold), _norm_name(predicted)
    if gw and pw and (gw[-1] == pw[-1] or set(gw) <= set(pw) or set(pw) <= set(gw)):
        return True
    if aliases:
        for names in aliases.values():
            if g in names and p in names:
                return True
    return False


def _date_ok(gold: str | None, predicted: str | None) -> bool:
    """Right when the prediction states the gold date to at least the gold's precision."""
    if not gold or not predicted:
        return False
    return predicted.startswith(gold) and len(predicted) >= len(gold)


def _stance_f1(pairs: list[tuple[str, str | None]]) -> tuple[float, dict[str, dict[str, int]]]:
    confusion: dict[str, dict[str, int]] = {g: dict.fromkeys([*STANCES, "none"], 0) for g in STANCES}
    for gold, pred in pairs:
        confusion.setdefault(gold, dict.fromkeys([*STANCES, "none"], 0))[pred or "none"] += 1
    f1s = []
    for label in STANCES:
        tp = confusion.get(label, {}).get(label, 0)
        fp = sum(row.get(label, 0) for g, row in confusion.items() if g != label)
        fn = sum(v for k, v in confusion.get(label, {}).items() if k != label)
        if tp + fp + fn == 0:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return (sum(f1s) / len(f1s) if f1s else 0.0), confusion


def score(gold: list[Gold], predictions: list[Prediction], aliases: dict[str, set[str]] | None = None) -> EvalResult:
    """Match and score; see module doc."""
    by_file: dict[str, list[Prediction]] = {}
    for p in predictions:
        by_file.setdefault(p.file, []).append(p)
    matched: list[tuple[Gold, Prediction]] = []
    misses: list[Gold] = []
    used: set[int] = set()
    files = sorted({g.file for g in gold})
    for file in files:
        golds = [g for g in gold if g.file == file]
        preds = by_file.get(file, [])
        pairs = match_spans([g.evidence for g in golds], [p.text for p in preds])
        for gi, pi in pairs:
            matched.append((golds[gi], preds[pi]))
            used.add(id(preds[pi]))
        taken_g = {gi for gi, _ in pairs}
        misses.extend(g for gi, g in enumerate(golds) if gi not in taken_g)
    scored_preds = [p for p in predictions if p.file in set(files)]
    fps = [p for p in scored_preds if id(p) not in used]
    tp = len(matched)
    prec = tp / len(scored_preds) if scored_preds else 0.0
    rec = tp / len(gold) if gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    speaker_ok = [speaker_matches(g.speaker, p.speaker, aliases) or speaker_matches(g.speaker, p.speaker_text, aliases) for g, p in matched]
    stance_ok = [g.stance == p.stance for g, p in matched]
    dated = [(g, p) for g, p in matched if g.date]
    date_ok = [_date_ok(g.date, p.date) for g, p in dated]
    macro, confusion = _stance_f1([(g.stance, p.stance) for g, p in matched])
    e2e_tp = sum(1 for s, st in zip(speaker_ok, stance_ok, strict=True) if s and st)
    e2e_p = e2e_tp / len(scored_preds) if scored_preds else 0.0
    e2e_r = e2e_tp / len(gold) if gold else 0.0
    metrics = {
        "detect_p": prec, "detect_r": rec, "detect_f1": f1,
        "speaker_acc": sum(speaker_ok) / len(matched) if matched else 0.0,
        "stance_acc": sum(stance_ok) / len(matched) if matched else 0.0,
        "stance_macro_f1": macro,
        "date_acc": sum(date_ok) / len(dated) if dated else 0.0,
        "e2e_f1": 2 * e2e_p * e2e_r / (e2e_p + e2e_r) if e2e_p + e2e_r else 0.0,
    }
    return EvalResult({k: round(v, 4) for k, v in metrics.items()}, confusion, misses, fps, matched)


def predictions_from_rows(rows: list[dict[str, Any]]) -> list[Prediction]:
    """On-target statements only: the gold annotates positions on the targets, nothing else."""
    out = []
    for r in rows:
        if not r.get("target"):
            continue
        out.append(Prediction(Path(r["source"]).name, r["speaker"], r.get("speaker_text") or "", r.get("stance"),
                              r["text"], r.get("date"), r.get("target"), r["id"]))
    return out


def confusion_table(confusion: dict[str, dict[str, int]]) -> list[list[str]]:
    cols = [*STANCES, "none"]
    rows = [["gold \\ predicted", *cols]]
    for g in STANCES:
        rows.append([g, *(str(confusion.get(g, {}).get(c, 0)) for c in cols)])
    return rows


# --- Every attribution (``stanceline eval --all-attributions``) -------------------------------------

_QUOTE_MARKS = frozenset("“”\"«»„")


def attribution_kind(text: str) -> str:
    """``direct`` when the span holds a quotation mark, else ``indirect`` (PolNeAR's rule)."""
    return "direct" if any(ch in _QUOTE_MARKS for ch in text) else "indirect"


@dataclass(frozen=True)
class GoldAttribution:
    file: str
    evidence: str
    source: str  # the source span as written ("he", "the ministry", "Zarif")
    kind: str


def load_gold_attributions(path: Path) -> list[GoldAttribution]:
    """Gold with ``file``, ``evidence``, ``speaker`` (as written) and optional ``kind``."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(GoldAttribution(d["file"], d["evidence"], d.get("speaker") or "",
                                       d.get("kind") or attribution_kind(d["evidence"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a gold attribution ({exc})") from exc
    return out


def source_matches(gold: str, predicted: str) -> bool:
    """The predicted speaker mention is the gold source span: their words overlap by half of the shorter."""
    g, p = tokens(gold), tokens(predicted)
    if not g or not p:
        return False
    return len(g & p) / min(len(g), len(p)) >= 0.5


def score_attributions(gold: list[GoldAttribution], predictions: list[Prediction]) -> dict[str, float]:
    """Every attribution, on-target or not: content detection under the shared matching rule, per kind
    (precision per predicted kind, recall per gold kind), and the source mention among matches."""
    files = {g.file for g in gold}
    preds = [p for p in predictions if p.file in files]
    matched: list[tuple[GoldAttribution, Prediction]] = []
    for file in sorted(files):
        golds = [g for g in gold if g.file == file]
        ps = [p for p in preds if p.file == file]
        matched.extend((golds[gi], ps[pi]) for gi, pi in match_spans([g.evidence for g in golds], [p.text for p in ps]))

    def prf(n_pred: int, n_gold: int, tp: int) -> tuple[float, float, float]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    out: dict[str, float] = {}
    p, r, f = prf(len(preds), len(gold), len(matched))
    src = [source_matches(g.source, pr.speaker_text or pr.speaker) for g, pr in matched]
    out.update({"detect_p": p, "detect_r": r, "detect_f1": f, "source_acc": sum(src) / len(src) if src else 0.0})
    for kind in ("direct", "indirect"):
        n_pred = sum(1 for pr in preds if attribution_kind(pr.text) == kind)
        n_gold = sum(1 for g in gold if g.kind == kind)
        pk = sum(1 for _, pr in matched if attribution_kind(pr.text) == kind)
        gk = [(g, pr) for g, pr in matched if g.kind == kind]
        prec = pk / n_pred if n_pred else 0.0
        rec = len(gk) / n_gold if n_gold else 0.0
        ok = [source_matches(g.source, pr.speaker_text or pr.speaker) for g, pr in gk]
        out.update({f"{kind}_p": prec, f"{kind}_r": rec, f"{kind}_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
                    f"{kind}_source_acc": sum(ok) / len(ok) if ok else 0.0})
    out.update({"gold": float(len(gold)), "predicted": float(len(preds))})
    return {k: round(v, 4) for k, v in out.items()}


def all_predictions_from_rows(rows: list[dict[str, Any]]) -> list[Prediction]:
    """Every stored statement, on a target or not."""
    return [Prediction(Path(r["source"]).name, r["speaker"], r.get("speaker_text") or "", r.get("stance"), r["text"],
                       r.get("date"), r.get("target"), r["id"]) for r in rows]
