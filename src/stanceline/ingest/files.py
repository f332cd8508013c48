"""Files and folders → ``RawInput`` (bytes kept verbatim)."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

from stanceline.records import Quarantine, RawInput

TEXT_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".md"}
CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".xhtml": "text/html", ".txt": "text/plain",
                 ".text": "text/plain", ".md": "text/plain"}


def discover(paths: list[str], include: str | None = None, suffixes: set[str] | None = None) -> Iterator[str | Quarantine]:
    """Every file under ``paths`` (recursively, sorted), or a quarantine for what cannot be read."""
    wanted = suffixes or TEXT_SUFFIXES
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield Quarantine(given, "not found: no such file or folder", 0)
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    full = Path(root) / name
                    if include and not fnmatch.fnmatch(name, include):
                        continue
                    if full.suffix.lower() in wanted:
                        yield str(full)
        else:
            yield given


def read_file(source: str, max_bytes: int) -> RawInput | Quarantine:
    """Read one file; too-large or unreadable files become a quarantine record."""
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Quarantine(source, f"too large: {size:,} bytes (limit {max_bytes:,})", size)
        data = path.read_bytes()
    except OSError as exc:
        return Quarantine(source, f"unreadable: {exc.strerror or exc}", 0)
    return RawInput(source=source, data=data, content_type=CONTENT_TYPES.get(path.suffix.lower()))
