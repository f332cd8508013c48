"""Sentence embeddings of corpus files, cached under ``.cache/embeddings/`` (git-ignored).

The public stance sets hold about 40,000 distinct sentences; embedding them with the numpy
MiniLM takes several minutes, so the vectors are kept on disk, keyed by the sha256 of the
corpus file and the embedder's name. Only vectors are cached, never text.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stanceline.judge.embeddings import Embedder

CACHE_DIR = Path(".cache") / "embeddings"


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cached_embeddings(source: Path, texts: Sequence[str], embedder: Embedder, tag: str,
                      cache_dir: Path = CACHE_DIR, log: bool = True) -> np.ndarray:
    """Vectors of ``texts`` (distinct sentences of ``source``), computed once per file version.

    The key covers the file's hash, the embedder and a hash of the text list, so a changed
    selection of sentences never reuses stale vectors.
    """
    text_key = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:12]
    key = f"{source.name}-{file_hash(source)[:16]}-{embedder.name}-{tag}-{text_key}.npy"
    path = cache_dir / key
    if path.is_file():
        vectors: np.ndarray = np.load(path)
        if vectors.shape == (len(texts), embedder.dim):
            return vectors
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    started = time.time()
    step = 2048
    for start in range(0, len(texts), step):
        out[start : start + step] = embedder.embed(list(texts[start : start + step]))
        if log:
            done = min(len(texts), start + step)
            rate = done / max(time.time() - started, 1e-6)
            print(f"  embedded {done}/{len(texts)} {tag} sentences of {source.name} ({rate:.0f}/s)", file=sys.stderr, flush=True)
    np.save(path, out.astype(np.float16))
    return out.astype(np.float16).astype(np.float32)


def sentence_embeddings(texts: Sequence[str], embedder: Embedder, name: str = "domain",
                        cache_dir: Path = CACHE_DIR) -> np.ndarray:
    """Vectors of a growing set of sentences, cached per sentence (keyed by a hash of its text),
    so adding labelled sentences only embeds the new ones."""
    path = cache_dir / f"{name}-{embedder.name}.npz"
    known: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as npz:
            known = dict(zip(npz["keys"].tolist(), npz["vectors"], strict=True))
    keys = [hashlib.sha1(t.encode(), usedforsecurity=False).hexdigest()[:20] for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        vectors = embedder.embed([t for _, t in missing]).astype(np.float16)
        known.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
        cache_dir.mkdir(parents=True, exist_ok=True)
        names = sorted(known)
        np.savez(path, keys=np.array(names), vectors=np.stack([known[k] for k in names]))
    return np.stack([known[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, embedder.dim), np.float32)
