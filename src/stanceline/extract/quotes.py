"""Quotation spans in scraped text, tolerant of broken marks.

Rules (a scraped page is cut anywhere, so no mark is trusted to be paired):
- a quote opens at “ „ « or a straight " that follows a space, start or bracket;
- it closes at the next ” » or straight " — not at an apostrophe;
- an opening mark with no closing mark in its paragraph runs to the paragraph end
  (a truncated page), unless the next paragraph opens with a quote mark, the
  newspaper convention for a quote running over several paragraphs;
- single marks ‘…’ and '…' count only around short spans that start after a
  space and end before a space or punctuation, so "Iran’s" is never a quote.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN_DOUBLE = "“„«"
CLOSE_DOUBLE = "”»"
STRAIGHT = '"'
OPENERS_BEFORE = " \t\n([{—–-:;,/"
MAX_SINGLE_WORDS = 30


@dataclass(frozen=True)
class Quote:
    start: int  # first character inside the marks
    end: int  # one past the last character inside the marks
    open_mark: int
    close_mark: int | None  # None: never closed (runs to paragraph end)
    words: int

    @property
    def outer_start(self) -> int:
        return self.open_mark

    @property
    def outer_end(self) -> int:
        return self.close_mark + 1 if self.close_mark is not None else self.end


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _is_opening_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before in OPENERS_BEFORE or before.isspace()) and not after.isspace()


def _double_quotes(text: str, pstart: int, pend: int, continues: bool) -> list[tuple[int, int | None]]:
    """(open index, close index or None) pairs of double marks in one paragraph."""
    pairs: list[tuple[int, int | None]] = []
    open_at: int | None = None
    for i in range(pstart, pend):
        ch = text[i]
        if open_at is None:
            if ch in OPEN_DOUBLE or (ch == STRAIGHT and _is_opening_straight(text, i)):
                open_at = i
        elif ch in CLOSE_DOUBLE or ch == STRAIGHT or (ch == "“" and text[open_at] == "„"):  # German „…“
            pairs.append((open_at, i))
            open_at = None
        elif ch in OPEN_DOUBLE and i - open_at > 1:
            # A second opening mark before any closing one: the first quote was cut.
            pairs.append((open_at, None if continues else i))
            open_at = i
    if open_at is not None:
        pairs.append((open_at, None))
    return pairs


def _single_quotes(text: str, pstart: int, pend: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    i = pstart
    while i < pend:
        ch = text[i]
        if ch in "‘'" and (i == pstart or text[i - 1] in OPENERS_BEFORE or text[i - 1].isspace() or text[i - 1] in "“\""):
            if i + 1 < pend and text[i + 1].isalnum():
                for j in range(i + 2, min(pend, i + 400)):
                    cj = text[j]
                    if cj in "’'":
                        after = text[j + 1] if j + 1 < len(text) else " "
                        if after.isalnum():
                            continue  # apostrophe inside a word: Iran’s
                        inner = text[i + 1 : j]
                        if 0 < len(inner.split()) <= MAX_SINGLE_WORDS and not any(s <= i < e for s, e in taken):
                            pairs.append((i, j))
                        i = j
                        break
                    if cj in "\n":
                        break
        i += 1
    return pairs


def find_quotes(text: str) -> list[Quote]:
    """Every quotation in ``text`` in order, balanced or not."""
    quotes: list[Quote] = []
    paragraphs = _paragraphs(text)
    for index, (pstart, pend) in enumerate(paragraphs):
        nxt = next((text[s:e].lstrip()[:1] for s, e in paragraphs[index + 1 :] if text[s:e].strip()), "")
        continues = bool(nxt) and (nxt in OPEN_DOUBLE or nxt == STRAIGHT)
        doubles = _double_quotes(text, pstart, pend, continues)
        taken: list[tuple[int, int]] = []
        for open_at, close_at in doubles:
            end = close_at if close_at is not None else pend
            inner_start = open_at + 1
            while end > inner_start and text[end - 1].isspace():
                end -= 1
            if end <= inner_start:
                continue
            taken.append((open_at, end))
            quotes.append(Quote(inner_start, end, open_at, close_at, len(text[inner_start:end].split())))
        for open_at, close_at in _single_quotes(text, pstart, pend, taken):
            quotes.append(Quote(open_at + 1, close_at, open_at, close_at, len(text[open_at + 1 : close_at].split())))
    quotes.sort(key=lambda q: q.start)
    return _join_continued(text, quotes)


def _join_continued(text: str, quotes: list[Quote]) -> list[Quote]:
    """Join an unclosed quote with the quote opening the next paragraph (multi-paragraph quote)."""
    out: list[Quote] = []
    for q in quotes:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.close_mark is None
            and text[prev.end : q.open_mark].strip() == ""
            and "\n" in text[prev.end : q.open_mark]
        ):
            out[-1] = Quote(prev.start, q.end, prev.open_mark, q.close_mark, prev.words + q.words)
            continue
        out.append(q)
    return out
