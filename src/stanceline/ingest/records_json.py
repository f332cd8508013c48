"""JSON and JSON Lines records → ``RawInput``: one input per record with a text field.

A record is an object with the article under ``text`` (or ``content``, ``body``, ``article``,
``html``); ``title``, ``url``, ``date``/``published``, ``author`` and ``outlet``/``site`` become
metadata hints (``RawInput.meta``). A broken line or a record without text is quarantined under
``file#N`` and the other records continue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from stanceline.records import Quarantine, RawInput

TEXT_FIELDS = ("text", "content", "body", "article", "html")
HINTS = {"title": "title", "headline": "title", "date": "published", "published": "published",
         "published_at": "published", "pubdate": "published", "author": "author", "byline": "author",
         "outlet": "outlet", "site": "outlet", "source_name": "outlet", "url": "url", "link": "url"}


def record_input(record: Any, source: str) -> RawInput | Quarantine:
    """One decoded JSON value → an input, or a quarantine when it holds no text (pure)."""
    if not isinstance(record, dict):
        return Quarantine(source, f"not a record: a JSON {type(record).__name__}, expected an object with a text field", 0)
    field = next((f for f in TEXT_FIELDS if isinstance(record.get(f), str) and record[f].strip()), None)
    if field is None:
        return Quarantine(source, f"no text field: none of {', '.join(TEXT_FIELDS)} holds text", 0)
    meta: dict[str, str] = {}
    for key, hint in HINTS.items():
        value = record.get(key)
        if isinstance(value, str | int | float) and str(value).strip() and hint not in meta:
            meta[hint] = str(value).strip()
    name = meta.get("url") or source
    text: str = record[field]
    ctype = "text/html" if field == "html" else "text/plain"
    return RawInput(source=name, data=text.encode("utf-8"), content_type=ctype, meta=tuple(sorted(meta.items())))


def parse_records(data: bytes, source: str, lines: bool) -> Iterator[RawInput | Quarantine]:
    """Records of a ``.json`` (array, single object, or ``{"items": [...]}``) or ``.jsonl`` payload (pure)."""
    text = data.decode("utf-8", errors="replace")
    if lines:
        for no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Quarantine(f"{source}#{no}", f"broken JSON record: {exc.msg} at column {exc.colno}", len(line))
                continue
            yield record_input(value, f"{source}#{no}")
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Quarantine(source, f"broken JSON: {exc.msg} at line {exc.lineno}", len(data))
        return
    if isinstance(value, dict):
        inner = next((value[k] for k in ("items", "records", "articles", "documents") if isinstance(value.get(k), list)), None)
        value = inner if inner is not None else [value]
    if not isinstance(value, list):
        yield Quarantine(source, "not a record: expected a JSON object or an array of objects", len(data))
        return
    for no, item in enumerate(value, start=1):
        yield record_input(item, f"{source}#{no}")


def read_records(source: str, max_bytes: int) -> Iterator[RawInput | Quarantine]:
    """Read a JSON / JSON Lines file and yield its records."""
    lines = source.lower().endswith((".jsonl", ".ndjson"))
    from stanceline.ingest.files import read_regular

    # JSON Lines files may hold many records: only a whole-JSON file is held to the input limit.
    data = read_regular(source, None if lines else max_bytes)
    if isinstance(data, Quarantine):
        yield data
        return
    yield from parse_records(data, source, lines=lines)
