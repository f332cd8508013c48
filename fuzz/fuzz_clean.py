"""Fuzz the HTML and text cleaners: any bytes in, a Document or an IngestError out, never another exception.

With atheris installed (``make dev``) this is a coverage-guided libFuzzer run::

    python fuzz/fuzz_clean.py -max_total_time=60

Without atheris it falls back to hypothesis for the same number of seconds, so the harness runs anywhere.
"""

from __future__ import annotations

import sys
import time

from stanceline.clean import clean_input
from stanceline.clean.boilerplate import strip_boilerplate
from stanceline.clean.decode import decode_bytes, normalize_text
from stanceline.clean.html import extract_html
from stanceline.errors import StancelineError
from stanceline.extract.quotes import find_quotes
from stanceline.records import RawInput, content_hash


def check_one(data: bytes) -> None:
    """The property every cleaner must hold for ``data``; raises AssertionError or the unexpected exception."""
    kind = data[:1]
    body = data[1:]
    try:
        text, _ = decode_bytes(body)
    except StancelineError:
        return
    normalized = normalize_text(text)
    kept, removed = strip_boilerplate(normalized)
    lines = normalized.split("\n")
    for line in removed:
        assert lines[line.line_no - 1] == line.text
    for quote in find_quotes(normalized):
        assert 0 <= quote.open_mark < quote.start <= quote.end <= len(normalized)
    content_type = "text/html" if kind in (b"h", b"<") else "text/plain"
    try:
        if content_type == "text/html" and len(body) < 200_000:
            extract_html(text)
        doc = clean_input(RawInput("fuzz", body, content_type))
    except StancelineError:
        return
    assert doc.id == content_hash(doc.text)


def _atheris_main(argv: list[str]) -> None:
    import atheris  # type: ignore[import-not-found]

    def one_input(data: bytes) -> None:
        check_one(data)

    atheris.instrument_all()  # coverage feedback for the cleaners (imported above)
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def _hypothesis_main(seconds: float) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    deadline = time.monotonic() + seconds
    runs = 0

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.binary(max_size=4096), st.text(max_size=2048).map(lambda s: b"h" + s.encode("utf-8", "replace")),
                     st.text(max_size=2048).map(lambda s: b"t" + s.encode("utf-8", "replace"))))
    def fuzz(data: bytes) -> None:
        nonlocal runs
        if time.monotonic() > deadline:
            return
        runs += 1
        check_one(data)

    while time.monotonic() < deadline:
        fuzz()
    print(f"hypothesis fallback: {runs} inputs, no failure")


def main() -> None:
    args = sys.argv
    seconds = next((float(a.split("=", 1)[1]) for a in args if a.startswith("-max_total_time=")), 60.0)
    try:
        import atheris  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        print("atheris is not installed; running the hypothesis fallback", file=sys.stderr)
        _hypothesis_main(seconds)
        return
    _atheris_main(args)


if __name__ == "__main__":
    main()
