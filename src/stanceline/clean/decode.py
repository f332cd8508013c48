"""Bytes → text: encoding detection, binary refusal, Unicode normalization."""

from __future__ import annotations

import codecs
import unicodedata

from stanceline.errors import IngestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Invisible or layout-only characters that break matching but carry no meaning.
_STRIP = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"), " ")


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; raise ``IngestError`` for binary input."""
    if not data or not data.strip():
        raise IngestError("empty input: no text to read")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    utf16 = _looks_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    if b"\x00" in data[:8192]:
        raise IngestError("binary input: contains NUL bytes, not text")
    candidates = [c for c in (declared, "utf-8") if c]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes  # imported lazily: only for non-UTF-8 input

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise IngestError("unreadable input: no text encoding fits these bytes")
    return data.decode(best.encoding, errors="replace"), best.encoding


def control_ratio(text: str) -> float:
    """Share of control characters (other than whitespace): high means binary or garbage."""
    if not text:
        return 0.0
    sample = text[:20_000]
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\r\t\f")
    bad += sample.count("\ufffd")
    return bad / len(sample)


def normalize_text(text: str) -> str:
    """NFC, unified line ends and spaces, invisible marks removed. Quotes and dashes stay as written."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.translate(_STRIP).translate(_SPACES)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
