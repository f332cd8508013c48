"""Files, folders and stdin → ``RawInput`` (bytes kept verbatim).

Record containers (``.json``/``.jsonl`` records, ``.warc``/``.warc.gz`` archives) are opened by
``records_json`` and ``warc``; ``read_source`` picks the reader by file name.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from stanceline.records import Quarantine, RawInput

TEXT_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".md"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".warc", ".warc.gz"}
ALL_SUFFIXES = TEXT_SUFFIXES | RECORD_SUFFIXES
CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".xhtml": "text/html", ".txt": "text/plain",
                 ".text": "text/plain", ".md": "text/plain"}
STDIN = "-"


def suffix_of(name: str) -> str:
    """The file's type suffix, lower-cased; ``.warc.gz`` counts as one suffix."""
    lower = name.lower()
    if lower.endswith(".warc.gz"):
        return ".warc.gz"
    return Path(lower).suffix


def _included(relative: str, name: str, include: str | None) -> bool:
    """A glob (or several, comma-separated) matched against the file name or its path in the folder."""
    if not include:
        return True
    globs = [g.strip() for g in include.split(",") if g.strip()]
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(relative, g) for g in globs)


def discover(paths: list[str], include: str | None = None, suffixes: set[str] | None = None) -> Iterator[str | Quarantine]:
    """Every file under ``paths`` (recursively, sorted), or a quarantine for what cannot be read."""
    wanted = suffixes or ALL_SUFFIXES
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield Quarantine(given, "not found: no such file or folder", 0)
            continue
        if path.is_dir():
            failed: list[OSError] = []
            for root, dirs, files in os.walk(path, onerror=failed.append):
                yield from _unreadable_folders(failed)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    full = Path(root) / name
                    if not _included(str(full.relative_to(path)), name, include):
                        continue
                    if suffix_of(name) in wanted:
                        yield str(full)
            yield from _unreadable_folders(failed)
        else:
            yield given


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_regular(source: str, limit: int | None, noun: str = "bytes") -> bytes | Quarantine:
    """The bytes of a regular file, never more than ``limit + 1`` read; anything else becomes a quarantine.

    Pipes, devices and sockets (or a symlink to one) are refused before they are opened: a FIFO
    blocks until a writer appears and ``/dev/zero`` never ends. The file is opened without
    blocking and checked again on the open descriptor, so a swap in between changes nothing.
    """
    try:
        mode = os.stat(source).st_mode
        if not stat.S_ISREG(mode):
            return Quarantine(source, f"not a regular file: {_kind(mode)}; only regular files are read", 0)
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return Quarantine(source, f"not a regular file: {_kind(info.st_mode)}; only regular files are read", 0)
            if limit is not None and info.st_size > limit:
                return Quarantine(source, f"too large: {info.st_size:,} {noun} (limit {limit:,})", info.st_size)
            data = fh.read(limit + 1) if limit is not None else fh.read()
    except OSError as exc:
        return Quarantine(source, f"unreadable: {exc.strerror or exc}", 0)
    if limit is not None and len(data) > limit:  # the file grew while it was read
        return Quarantine(source, f"too large: more than {limit:,} {noun} (limit {limit:,})", len(data))
    return data


def _unreadable_folders(failed: list[OSError]) -> Iterator[Quarantine]:
    """A folder the walk could not list (permissions, removed meanwhile) is quarantined, not skipped."""
    while failed:
        exc = failed.pop(0)
        yield Quarantine(str(exc.filename), f"unreadable folder: {exc.strerror or exc}; its files were not read", 0)


def read_file(source: str, max_bytes: int) -> RawInput | Quarantine:
    """Read one regular file; too-large, unreadable or special files become a quarantine record."""
    data = read_regular(source, max_bytes)
    if isinstance(data, Quarantine):
        return data
    return RawInput(source=source, data=data, content_type=CONTENT_TYPES.get(Path(source).suffix.lower()))


def read_source(source: str, max_bytes: int) -> Iterator[RawInput | Quarantine]:
    """One file → one input, or many for record containers (JSON records, web archives)."""
    kind = suffix_of(source)
    if kind in (".json", ".jsonl", ".ndjson"):
        from stanceline.ingest.records_json import read_records

        yield from read_records(source, max_bytes)
    elif kind in (".warc", ".warc.gz"):
        from stanceline.ingest.warc import read_warc

        yield from read_warc(source, max_bytes)
    else:
        yield read_file(source, max_bytes)


def read_stdin(stream: BinaryIO, max_bytes: int, name: str = "stdin") -> RawInput | Quarantine:
    """Everything on standard input as one input (at most ``max_bytes``)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return Quarantine(name, f"too large: more than {max_bytes:,} bytes on standard input", len(data))
    return RawInput(source=name, data=data, content_type=None)
