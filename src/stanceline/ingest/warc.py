"""Web archives (``.warc``, ``.warc.gz``) → one ``RawInput`` per HTTP response record.

The target URI is the input's source and the WARC date its fetch time. A record warcio cannot
read becomes a quarantine entry (``file@offset``) and reading resumes at the next record
boundary, so one damaged record does not cost the rest of the archive.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stanceline.records import Quarantine, RawInput

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."


def _next_boundary(data: bytes, after: int, gz: bool) -> int:
    """Offset of the next record start after ``after`` (gzip member or ``WARC/1.`` line), or -1."""
    if gz:
        return data.find(_GZIP_MAGIC, after + 1)
    pos = data.find(b"\n" + _WARC_MAGIC, after + 1)
    return pos + 1 if pos >= 0 else -1


def _record_input(record: Any, source: str, max_bytes: int) -> RawInput | Quarantine | None:
    """One WARC record → an input; ``None`` for records that are not HTTP responses with text."""
    if record.rec_type not in ("response", "resource"):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or source
    status = record.http_headers.get_statuscode() if record.http_headers else "200"
    if record.http_headers and status and not status.startswith("2"):
        return Quarantine(uri, f"HTTP {status} recorded in web archive {Path(source).name}", 0)
    ctype_header = (record.http_headers.get_header("Content-Type") if record.http_headers
                    else record.rec_headers.get_header("Content-Type")) or ""
    ctype = ctype_header.split(";")[0].strip().lower()
    if ctype and not ctype.startswith(TEXT_TYPES):
        return None  # images, scripts, style sheets: not articles, not errors
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        return Quarantine(uri, f"too large: more than {max_bytes:,} bytes in web archive record", len(body))
    if getattr(record.raw_stream, "limit", 0):  # bytes promised by Content-Length never arrived
        return Quarantine(uri, f"truncated web archive record: {len(body):,} bytes of content, the rest is missing", len(body))
    date = record.rec_headers.get_header("WARC-Date")
    return RawInput(source=uri, data=body, content_type=ctype or None, fetched_at=date)


def _describe(exc: Exception) -> str:
    """What is wrong with a record, in words (warcio's exception types say little to a reader)."""
    if type(exc).__name__ == "ArchiveLoadFailed":
        return "not a valid WARC record header"
    if isinstance(exc, EOFError | zlib.error):
        return "damaged or cut-off compressed data"
    # warcio fails with AttributeError, TypeError, ValueError … on headers cut off or garbled
    return "record cut off or malformed"


def parse_warc(data: bytes, source: str, max_bytes: int) -> Iterator[RawInput | Quarantine]:
    """Records of a web archive held in memory (pure: no file access)."""
    from warcio.archiveiterator import ArchiveIterator

    gz = data[:3] == _GZIP_MAGIC
    start = 0
    while 0 <= start < len(data):
        stream = io.BytesIO(data)
        stream.seek(start)
        iterator = ArchiveIterator(stream, check_digests=False)
        offset = start
        try:
            for record in iterator:
                item = _record_input(record, source, max_bytes)
                # only after reading: get_record_offset() consumes the rest of the record
                offset = start + iterator.get_record_offset()
                if item is not None:
                    yield item
            return
        except Exception as exc:  # noqa: BLE001 - warcio raises several types for damaged archives
            failed_at = start + (iterator.offset if hasattr(iterator, "offset") else 0)
            failed_at = max(failed_at, offset)
            # warcio's message quotes the damaged bytes: keep it as detail, not in the one-line reason
            yield Quarantine(f"{source}@{failed_at}", f"broken web archive record: {_describe(exc)} at byte {failed_at}",
                             0, detail=f"{type(exc).__name__}: {str(exc)[:200]!r}")
            start = _next_boundary(data, failed_at, gz)


def read_warc(source: str, max_bytes: int) -> Iterator[RawInput | Quarantine]:
    """Read a ``.warc``/``.warc.gz`` file and yield its response records."""
    from stanceline.ingest.files import read_regular

    data = read_regular(source, max_bytes * 4, noun="bytes of web archive")
    if isinstance(data, Quarantine):
        yield data
        return
    yield from parse_warc(data, source, max_bytes)
