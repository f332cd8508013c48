"""Bytes → text: encoding detection, binary refusal, Unicode normalization."""

from __future__ import annotations

import codecs
import re
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
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"), " ")  # noqa: E501


_MAGIC = (
    (b"%PDF-", "PDF"), (b"PK\x03\x04", "ZIP (or office document)"), (b"\x1f\x8b", "gzip"),
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"\x7fELF", "executable"), (b"MZ\x90\x00", "executable"), (b"\xfd7zXZ", "xz"), (b"7z\xbc\xaf", "7-zip"),
)


def binary_kind(data: bytes) -> str | None:
    """The kind of a well-known binary format by its magic bytes, else None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def declared_charset(content_type: str | None) -> str | None:
    """``charset=`` of a Content-Type header value, if any."""
    if not content_type or "charset=" not in content_type.lower():
        return None
    value = content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"\'')
    return value or None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken bytes (a bad copy, a cut multi-byte character) rather than another encoding.

    Latin-1 or cp1252 text has no valid multi-byte sequences; UTF-8 with damage has many and few errors.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return good > 0 and bad <= max(4, 2 * good)


def _looks_western(data: bytes) -> str | None:
    """Latin-1/cp1252 prose: mostly ASCII letters with a few accented ones (short texts fool detectors)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    high = [ch for ch in text if ord(ch) > 0x7F]
    letters = sum(1 for ch in text if ch.isalpha())
    if not high or len(high) > 0.3 * max(1, letters):
        return None  # many high bytes: a non-Latin script in a legacy code page, leave it to the detector
    if all("\u00c0" <= ch <= "\u00ff" or ch in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0\u00ab\u00bb\u00b0\u20ac" for ch in high):
        return "cp1252"
    return None


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
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace"), "utf-8"
    western = _looks_western(data)
    if western:
        return data.decode(western), western
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


# Scraped pages glue a dateline to the first sentence ("May 19, 2019In an attempt"): the
# parser then reads "2019In" as one token. A space restores the word boundary.
_GLUED_YEAR = re.compile(r"(?<=\b(?:19|20)\d\d)(?=[A-Z][a-z])")


def normalize_text(text: str) -> str:
    """NFC, unified line ends and spaces, invisible marks removed. Quotes and dashes stay as written."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.translate(_STRIP).translate(_SPACES)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    # Last, so the rule sees the text as stored (a control character between year and word is gone).
    return _GLUED_YEAR.sub(" ", text)
