"""Train the ``attribution.v2`` CRF on PolNeAR train, choose on dev, write the model and its card.

    python -m stanceline.training attribution [--corpus DIR] [--check] [--c1 X --c2 Y]

Reads ``<corpus>/attribution/polnear/{train,dev}/`` in place (articles and gold attributions with
source, cue and content spans), parses each paragraph with the same spaCy pipeline the extractor
uses, labels tokens SRC / CUE / CONT (BIO), learns the cue lexicon from the train labels, fits a
CRF (L-BFGS, elastic net; the regularisation is chosen on dev) and prints dev figures: content
detection P/R/F1 under the shared matching rule (60 % token overlap of the shorter span) by kind,
and source-span accuracy among matches. Parses are cached under ``.cache/attribution/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stanceline.extract.crf import MODEL_NAME, CueLexicon, decode, features
from stanceline.training import SEED, corpus_root, seed_everything

CACHE = Path(".cache") / "attribution"
PARSE_VERSION = "1"
# Grid chosen on dev; the first entry is what `make train` fits by default.
GRID = ((0.05, 0.01), (0.1, 0.005), (0.02, 0.02))
MAX_ITERATIONS = 150
MIN_CUE_COUNT = 3
MIN_CUE_RATE = 0.08


@dataclass
class Paragraph:
    file: str
    offset: int  # character offset of the paragraph in the article
    doc: Any  # spaCy Doc
    labels: list[str]


def load_split(corpus: Path, split: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    folder = corpus / "attribution" / "polnear" / split
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((folder / "articles").glob("*.txt"))}
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts, gold


def _cue_span(text: str, g: dict[str, Any]) -> tuple[int, int] | None:
    """The cue's offsets: the occurrence of its text nearest to the source (the gold gives no offsets)."""
    cue = (g.get("cue") or "").strip()
    if not cue or cue == ":":
        return None
    lo = min(g["start"], g["speaker_start"]) - 80
    hi = max(g["end"], g["speaker_end"]) + 80
    best: tuple[int, int] | None = None
    pos = text.find(cue, max(0, lo))
    while 0 <= pos < hi:
        inside_content = any(s <= pos < e for s, e in _segments(g))
        if not inside_content:
            dist = min(abs(pos - g["speaker_end"]), abs(pos + len(cue) - g["speaker_start"]))
            if best is None or dist < best[0]:
                best = (dist, pos)
        pos = text.find(cue, pos + 1)
    return (best[1], best[1] + len(cue)) if best else None


def _segments(g: dict[str, Any]) -> list[tuple[int, int]]:
    if g.get("segments"):
        return [(int(s[0]), int(s[1])) for s in g["segments"]]
    return [(g["start"], g["end"])]


def char_labels(text: str, gold: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(label, span id) per character; sources and cues win over the content that contains them."""
    chars: list[tuple[str, int]] = [("O", -1)] * len(text)
    sid = 0
    layers: list[tuple[str, list[tuple[int, int]]]] = []
    for g in sorted(gold, key=lambda g: -(g["end"] - g["start"])):  # outer contents first, nested ones over them
        layers.append(("CONT", _segments(g)))
    for g in gold:
        cue = _cue_span(text, g)
        if cue:
            layers.append(("CUE", [cue]))
    for g in gold:
        layers.append(("SRC", [(g["speaker_start"], g["speaker_end"])]))
    for label, segs in layers:
        for s, e in segs:
            sid += 1
            for i in range(max(0, s), min(e, len(text))):
                chars[i] = (label, sid)
    return chars


def token_labels(doc: Any, offset: int, chars: list[tuple[str, int]]) -> list[str]:
    out: list[str] = []
    prev = -1
    for tok in doc:
        pos = offset + tok.idx
        label, sid = chars[pos] if pos < len(chars) else ("O", -1)
        if label == "O" or tok.is_space:
            out.append("O")
            prev = -1
            continue
        out.append(("I-" if sid == prev else "B-") + label)
        prev = sid
    return out


def paragraphs_of(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def parse_split(corpus: Path, split: str, nlp: Any) -> tuple[dict[str, str], list[dict[str, Any]], list[Paragraph]]:
    from spacy.tokens import DocBin

    texts, gold = load_split(corpus, split)
    digest = hashlib.sha256((PARSE_VERSION + nlp.meta["name"] + nlp.meta["version"]).encode()
                            + b"".join(t.encode() for t in texts.values())).hexdigest()[:16]
    cache = CACHE / f"{split}-{digest}.spacy"
    items = [(name, pos, line) for name, text in texts.items() for pos, line in paragraphs_of(text)]
    if cache.is_file():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    else:
        t0 = time.time()
        docs = list(nlp.pipe((line for _, _, line in items), batch_size=64, n_process=2))
        CACHE.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(cache)
        print(f"parsed {split}: {len(docs)} paragraphs in {time.time() - t0:.0f} s", file=sys.stderr)
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in gold:
        by_file[g["file"]].append(g)
    chars = {name: char_labels(text, by_file[name]) for name, text in texts.items()}
    paras = [Paragraph(name, pos, doc, token_labels(doc, pos, chars[name])) for (name, pos, _), doc in zip(items, docs, strict=True)]
    return texts, gold, paras


def learn_cues(paras: list[Paragraph]) -> CueLexicon:
    """Lemmas that head a gold cue often enough, and often enough when they occur at all."""
    cue_counts: Counter[str] = Counter()
    all_counts: Counter[str] = Counter()
    for p in paras:
        for tok, lab in zip(p.doc, p.labels, strict=True):
            if tok.pos_ not in ("VERB", "NOUN"):
                continue
            lemma = tok.lemma_.lower()
            all_counts[lemma] += 1
            if lab.endswith("CUE"):
                cue_counts[lemma] += 1
    lemmas = {lemma for lemma, n in cue_counts.items() if n >= MIN_CUE_COUNT and n / all_counts[lemma] >= MIN_CUE_RATE}
    return CueLexicon(frozenset(lemmas))


def predict(tagger: Any, paras: list[Paragraph], lex: CueLexicon) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in paras:
        labels = tagger.tag(features(p.doc, lex)) if len(p.doc) else []
        for f in decode(p.doc, list(labels)):
            s_char = p.offset + p.doc[f.start].idx
            last = p.doc[f.end - 1]
            e_char = p.offset + last.idx + len(last.text)
            src = None
            if f.source:
                a, b = p.doc[f.source[0]], p.doc[f.source[1] - 1]
                src = (p.offset + a.idx, p.offset + b.idx + len(b.text))
            out[p.file].append({"start": s_char, "end": e_char, "source": src})
    return out


def score(texts: dict[str, str], gold: list[dict[str, Any]], preds: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """Content detection under the shared matching rule, by kind; source-span accuracy among matches."""
    from stanceline.evaluation import match_spans

    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter(g["kind"] for g in gold)
    src_ok: Counter[str] = Counter()
    n_pred = sum(len(v) for v in preds.values())
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in gold:
        by_file[g["file"]].append(g)
    for name, golds in by_file.items():
        text = texts[name]
        ps = preds.get(name, [])
        for gi, pi in match_spans([g["evidence"] for g in golds], [text[p["start"] : p["end"]] for p in ps]):
            g, p = golds[gi], ps[pi]
            tp[g["kind"]] += 1
            src = p["source"]
            if src and src[0] < g["speaker_end"] and g["speaker_start"] < src[1]:
                src_ok[g["kind"]] += 1
    total_tp = sum(tp.values())
    prec = total_tp / n_pred if n_pred else 0.0
    rec = total_tp / len(gold) if gold else 0.0
    res = {"detect_p": prec, "detect_r": rec, "detect_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
           "source_acc": sum(src_ok.values()) / total_tp if total_tp else 0.0}
    for kind in ("direct", "indirect"):
        res[f"{kind}_r"] = tp[kind] / n_gold[kind] if n_gold[kind] else 0.0
        res[f"{kind}_source_acc"] = src_ok[kind] / tp[kind] if tp[kind] else 0.0
    return {k: round(v, 4) for k, v in res.items()}


def fit(train: list[Paragraph], lex: CueLexicon, c1: float, c2: float, path: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for p in train:
        if len(p.doc):
            trainer.append(features(p.doc, lex), p.labels)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": MAX_ITERATIONS, "feature.possible_transitions": True,
                        "feature.minfreq": 2})
    trainer.train(str(path))


def main(argv: list[str] | None = None) -> int:
    import pycrfsuite

    from stanceline.models import Dataset, ModelCard, model_dir, write_card
    from stanceline.nlp import load_nlp
    from stanceline.nlp.memo import remember_attributes

    ap = argparse.ArgumentParser(prog="python -m stanceline.training attribution")
    ap.add_argument("--corpus")
    ap.add_argument("--check", action="store_true", help="only score the committed model on dev")
    ap.add_argument("--grid", action="store_true", help="try every regularisation in the grid and keep the best on dev")
    ap.add_argument("--reuse", action="store_true", help="reuse CRFs already fitted in the cache (same data and features)")
    args = ap.parse_args(argv)
    seed_everything()
    corpus = corpus_root(args.corpus)
    nlp = remember_attributes(load_nlp("en_core_web_sm", ("ner",)))  # the same parse as at run time, faster
    dev_texts, dev_gold, dev = parse_split(corpus, "dev", nlp)
    out = model_dir(MODEL_NAME)
    if args.check:
        lex = CueLexicon.load(out / "cues.json")
        tagger = pycrfsuite.Tagger()
        tagger.open(str(out / "model.crfsuite"))
        print(json.dumps(score(dev_texts, dev_gold, predict(tagger, dev, lex))))
        return 0
    _, train_gold, train = parse_split(corpus, "train", nlp)
    lex = learn_cues(train)
    print(f"cue lexicon: {len(lex.lemmas)} lemmas", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    best: tuple[float, tuple[float, float], dict[str, float]] | None = None
    for c1, c2 in (GRID if args.grid else GRID[:1]):
        path = CACHE / f"crf-{c1}-{c2}.crfsuite"
        t0 = time.time()
        if not (args.reuse and path.is_file()):
            fit(train, lex, c1, c2, path)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        figures = score(dev_texts, dev_gold, predict(tagger, dev, lex))
        print(f"c1={c1} c2={c2} ({time.time() - t0:.0f} s): {json.dumps(figures)}", file=sys.stderr)
        if best is None or figures["detect_f1"] > best[0]:
            best = (figures["detect_f1"], (c1, c2), figures)
    assert best is not None
    (c1, c2), figures = best[1], best[2]
    (out / "model.crfsuite").write_bytes((CACHE / f"crf-{c1}-{c2}.crfsuite").read_bytes())
    lex.dump(out / "cues.json")
    cascade = pipeline_figures(corpus)
    write_card(ModelCard(
        name=MODEL_NAME,
        task="Attribution spans in news paragraphs: source (who), cue (said, according to, …), content (what), "
             "for direct, indirect and mixed speech; linked into statements by stanceline.extract.v2.",
        method=f"Linear-chain CRF (python-crfsuite, L-BFGS, c1={c1}, c2={c2}, {MAX_ITERATIONS} iterations) over "
               "spaCy en_core_web_sm parse features: word, lemma, shape, tag, dependency, head, quotation state, "
               "syntactic path to the nearest learned cue lemma, distance to cues, a ±2 token window.",
        command="make train  (python -m stanceline.training attribution)",
        seed=SEED,
        data=[Dataset("PolNeAR", "train", len({g['file'] for g in train_gold}), "articles",
                      "networkdynamics/PolNeAR c3eee83 (Newell, Margolin, Ruths 2018, LREC)",
                      "no licence stated; used to train and evaluate only, no text in this repository"),
              Dataset("PolNeAR", "dev", len(dev_texts), "articles", "same", "same")],
        splits="PolNeAR's own article-level train/dev split; its test split is never read.",
        figures={"PolNeAR dev, tagger alone": figures, "PolNeAR dev, attribution.v2 (eval --all-attributions)": cascade},
        notes=["The tagger alone is scored on its own decoded spans over the raw articles; attribution.v2 is the whole "
               "extractor (rules, then the tagger) through `stanceline eval --all-attributions` (cleaning, storing).",
               f"{len(train_gold):,} train attributions; cue lexicon of {len(lex.lemmas)} lemmas learned from the train labels "
               f"(count ≥ {MIN_CUE_COUNT}, cue rate ≥ {MIN_CUE_RATE}).",
               "Detection: a predicted content span matches a gold one when their token sets overlap by ≥ 60 % of the "
               "shorter (neither > 6× longer), one to one; source accuracy: for the tagger alone, its source span overlaps the gold "
               "one; for attribution.v2, the speaker mention it kept and the gold source share at least half of the shorter's words."],
        files=["model.crfsuite", "cues.json"],
        trained=time.strftime("%Y-%m-%d"),
    ))
    print(json.dumps({"model": MODEL_NAME, "dev": figures, "dev_extractor": cascade}))
    return 0


def pipeline_figures(corpus: Path) -> dict[str, float]:
    """The whole extractor with the model just written, as `stanceline eval --all-attributions` scores it."""
    from stanceline import services
    from stanceline.config import load_settings
    from stanceline.extract.crf import load_tagger

    load_tagger.cache_clear()
    dev = corpus / "attribution" / "polnear" / "dev"
    settings = load_settings(extractor=MODEL_NAME)
    return services.evaluate_attributions(dev / "gold.jsonl", dev / "articles", settings, workers=2)


if __name__ == "__main__":
    sys.exit(main())
