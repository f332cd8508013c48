"""The benchmark corpus: the demo corpus and the development set, repeated to a few hundred articles."""

from __future__ import annotations

from pathlib import Path

from stanceline.records import RawInput

REPO = Path(__file__).resolve().parents[1]
SOURCES = (REPO / "demo" / "corpus", REPO / "tests" / "data" / "devset")


def base_inputs() -> list[RawInput]:
    """Every article of the demo corpus and the development set, once."""
    out = []
    for folder in SOURCES:
        for path in sorted(folder.iterdir()):
            if path.suffix in (".txt", ".html", ".htm"):
                ctype = "text/html" if path.suffix.startswith(".htm") else "text/plain"
                out.append(RawInput(str(path.relative_to(REPO)), path.read_bytes(), ctype))
    return out


def corpus(n_docs: int, unique: bool = False) -> list[RawInput]:
    """``n_docs`` inputs cycling over the base articles.

    With ``unique`` each copy gets a distinct trailing line, so the store sees new documents rather
    than duplicates; the text the extractor reads is otherwise the same.
    """
    base = base_inputs()
    out = []
    for i in range(n_docs):
        raw = base[i % len(base)]
        if unique:
            marker = f"\n\nArchive copy {i}.\n" if raw.content_type == "text/plain" else f"<p>Archive copy {i}.</p>"
            data = raw.data + marker.encode("utf-8")
            raw = RawInput(f"{raw.source}#{i}", data, raw.content_type)
        out.append(raw)
    return out


def word_count(raws: list[RawInput]) -> int:
    return sum(len(r.data.decode("utf-8", "replace").split()) for r in raws)
