"""``stance-encoder.v1``: MiniLM fine-tuned as a stance cross-encoder, run in onnxruntime or numpy.

The packaged all-MiniLM-L6-v2 (``requirements-embeddings.txt``) reads a pair — the statement, then the
target phrased as a proposition ("Iran should negotiate with the United States") — and a linear
layer over its mean-pooled states gives support / oppose / conditional / neutral. Its first
transformer layers (four of six, ``layers`` in ``model.json``) were fine-tuned
(``python -m stanceline.training encoder``): first on the public claim–perspective pairs
(PERSPECTRUM, IBM-ArgQ, support/oppose), then on the project's labelled domain sentences (four
classes). Only the fine-tuned layers and the classifier ship in
``stanceline/models/stance_encoder_v1/``; the word embeddings and the vocabulary are the packaged
model's own, so the files stay small. Probabilities are temperature-scaled on the development
split. Nothing downloads: without the MiniLM package ``load_encoder`` returns None and callers use
the lexical model.

**Two runtimes, one model.** The embedding layer always runs here in numpy. The transformer layers
and the head run in onnxruntime from ``encoder.int8.onnx`` (weights quantised to int8 per output
channel by the trainer; about four times faster than numpy on one thread, which is what lets the
cascade hand the encoder every statement it does not decide itself), or, without onnxruntime, in
numpy from the float16 ``weights.npz``. The card's figures are those of the runtime the package
installs (onnxruntime); the two agree on the label of 96–97 % of the development statements.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from stanceline.errors import ModelError
from stanceline.judge.embeddings import MiniLMEmbedder, WordPiece, basic_tokens, load_embedder
from stanceline.judge.v2 import Prediction, proposition
from stanceline.models import model_dir

NAME = "stance-encoder.v1"
ONNX_FILE = "encoder.int8.onnx"
Matrix = npt.NDArray[np.float32]


def encode_pair(tok: WordPiece, text: str, proposition: str, max_tokens: int) -> tuple[list[int], list[int]]:
    """Token ids and segment ids of ``[CLS] text [SEP] proposition [SEP]`` (the text truncated first).

    The one encoding of a pair, for fine-tuning (``training/encoder.py``) and inference alike.
    """
    a = [i for w in basic_tokens(text) for i in tok.word_ids(w)]
    b = [i for w in basic_tokens(proposition) for i in tok.word_ids(w)][: max_tokens // 2]
    a = a[: max_tokens - 3 - len(b)]
    return [tok.cls, *a, tok.sep, *b, tok.sep], [0] * (len(a) + 2) + [1] * (len(b) + 1)


class StanceEncoder:
    """(text, proposition) pairs → calibrated class probabilities, in the order of ``classes``."""

    name = NAME

    def __init__(self, base: MiniLMEmbedder, weights: dict[str, Matrix], meta: dict[str, object],
                 session: Any = None) -> None:
        self.base = base
        self.classes: tuple[str, ...] = tuple(meta["classes"])  # type: ignore[arg-type]
        self.max_tokens = int(meta.get("max_tokens", 96))  # type: ignore[call-overload]
        self.temperature = float(meta.get("temperature", 1.0))  # type: ignore[arg-type]
        self.meta = meta
        self.head_w = weights.pop("head.weight")
        self.head_b = weights.pop("head.bias")
        self.layers = weights
        self.depth = int(meta.get("layers", 6))  # type: ignore[call-overload]
        self.session = session  # onnxruntime over the layers and the head; None: the numpy forward pass
        self.runtime = "onnxruntime-int8" if session is not None else "numpy-float32"
        self.batch_size = 32

    def encode(self, text: str, proposition: str) -> tuple[list[int], list[int]]:
        return encode_pair(self.base.tokenizer, text, proposition, self.max_tokens)

    def logits(self, texts: Sequence[str], propositions: Sequence[str]) -> Matrix:
        encoded = [self.encode(t, p) for t, p in zip(texts, propositions, strict=True)]
        out = np.zeros((len(encoded), len(self.classes)), dtype=np.float32)
        if self.session is not None:
            # One pair a run: onnxruntime's int8 kernels gain nothing from a batch, padding only costs.
            for i, (ids, types) in enumerate(encoded):
                x, mask = self.base.embedded([ids], [types])
                out[i] = self.session.run(None, {"states": x, "mask": mask})[0][0]
            return out
        # numpy: in batches sorted by length, so that padding (wasted work) stays small inside each.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            pooled = self.base.pooled([encoded[i][0] for i in idx], [encoded[i][1] for i in idx], self.layers, self.depth)
            out[idx] = pooled @ self.head_w.T + self.head_b
        return out

    def probabilities(self, texts: Sequence[str], propositions: Sequence[str]) -> Matrix:
        """Calibrated probabilities, one row per pair."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        z = self.logits(texts, propositions) / np.float32(self.temperature)
        z = np.exp(z - z.max(1, keepdims=True))
        out: Matrix = (z / z.sum(1, keepdims=True)).astype(np.float32)
        return out


@lru_cache(maxsize=1)
def load_encoder() -> StanceEncoder | None:
    """The shipped stance encoder, read once per process; None without the MiniLM package or the model files."""
    return read_encoder(None)


def read_encoder(folder: str | None) -> StanceEncoder | None:
    """The stance encoder in ``folder`` (None: the package's), or None without the MiniLM package or its files."""
    base = load_embedder()
    if base is None:
        return None
    path = Path(folder) if folder else model_dir(NAME)
    try:
        meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
        with np.load(path / "weights.npz") as npz:
            weights = {k: npz[k].astype(np.float32) for k in npz.files}
        session = onnx_session(path / ONNX_FILE)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load the {NAME} model: {exc}; run `make train` to rebuild it") from exc
    return StanceEncoder(base, weights, meta, session)


def onnx_session(path: Path) -> Any:
    """An onnxruntime session over the layers and head in ``path`` (one thread: one process per core),
    or None without onnxruntime or without the file (the numpy forward pass runs instead)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    if not path.is_file():
        return None
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors for a damaged file
        raise ModelError(f"cannot load the {NAME} model: {path.name}: {exc}; run `make train` to rebuild it") from exc


class EncoderScorer:
    """``StanceScorer``'s interface over the stance encoder: one ``Prediction`` per (text, target)."""

    head_name = "encoder"

    def __init__(self, encoder: StanceEncoder) -> None:
        self.encoder = encoder

    def score(self, texts: Sequence[str], targets: Sequence[str],
              cue_verbs: Sequence[str | None] | None = None) -> list[Prediction]:
        """The encoder's reading only; ``judge.v3`` adds the lexical head's features and scope signals."""
        props = [proposition(t) for t in targets]
        probs = self.encoder.probabilities(texts, props)
        out = []
        for prop, p in zip(props, probs, strict=True):
            label = int(np.argmax(p))
            stance = self.encoder.classes[label]
            table = {c: round(float(v), 4) for c, v in zip(self.encoder.classes, p, strict=True)}
            ranked = sorted(table.items(), key=lambda kv: -kv[1])
            cues = (f"encoder:{prop} ({', '.join(f'{c} {v:.2f}' for c, v in ranked if v >= 0.05)})", f"head:{NAME}")
            out.append(Prediction(stance, round(float(p[label]), 4), table, cues, "encoder"))  # type: ignore[arg-type]
        return out
