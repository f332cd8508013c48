"""Plain scraped text → article lines, with every removed line kept and explained.

A line classifier, not a model: each rule below is a cue a human uses to tell
page chrome from prose. Rules are conservative — a line that carries a sentence
about the story stays — because dropping a quoted statement costs more than
keeping a stray navigation label.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from stanceline.clean.language import script_of
from stanceline.records import RemovedLine

_AD_SIZE = re.compile(r"^\s*\d{2,4}\s*[x×X]\s*\d{2,4}\s*$")
_CHROME = re.compile(
    r"(?i)^\s*(advertisement|advert|sponsored|font size:?|text size|print|email|share( this( article| story)?)?|"
    r"tweet|facebook|twitter|whatsapp|telegram|linkedin|comments?|leave a (comment|reply)|reply|"
    r"latest (articles|news|posts)|related( articles| posts| stories)?|read more|more from .{0,40}|"
    r"recommended|most (read|popular)|trending|tags?:.*|categories?:.*|skip to (main )?content|menu|search|"
    r"home|next article|previous article|back to top|login|log in|sign in|sign up|register|"
    r"you may also like|see also|photo:.*|image:.*|getty images.*|listen to (this )?article.*)\s*$"
)
_CUES = re.compile(
    r"(?i)(donat(e|ion|ing)|subscribe|newsletter|sign up for|cookie|privacy policy|terms of (use|service)|"
    r"all rights reserved|copyright|©|click (here|the)|comment system|comments? (containing|policy|section)|"
    r"no tolerance for comments|re-input your email|share (this|on)|follow us|latest posts by|\(see all\)|"
    r"views and opinions expressed|do not (necessarily )?reflect the (official )?(position|views)|"
    r"please help us|thank you for (donating|reading|partnering)|join our|download (our|the) app|"
    r"enable javascript|your browser|advertis(e|ing) with us)"
)
_BULLET = re.compile(r"^\s*[•·▪●■◦‣\-–*]\s+")
_CREDIT = re.compile(
    r"(?i)(getty images|reuters/|afp/|\bap photo\b|/ ?ap\b|shutterstock|epa-efe|\bphoto(graph)? (by|credit)|"
    r"\bimage (by|credit)|\(photo:|courtesy of)"
)
_COUNTER = re.compile(r"(?i)^\s*\d[\d,.]*\s*(k\s*)?(comments?|shares?|views?|likes?|min(ute)?s? read|replies)\s*$")
_MENU_SEP = re.compile(r"\s(?:\||»|›|/|·|•)\s")
_STOP_WORDS = frozenset(
    "a an the of to in on at for from by with and or but not no is are was were be been has have had will would "
    "can could should may might must that this these those it its he she they we his her their our who which what "
    "as if than then so also said says about after before over under into against between during".split()
)
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTE_MARK = re.compile(r"[\"“”«»„]")


@dataclass(frozen=True)
class LineVerdict:
    keep: bool
    reason: str = ""


def _body_script(lines: list[str]) -> str:
    weights: dict[str, int] = {}
    for line in lines:
        if len(line) > 80:
            script = script_of(line)
            weights[script] = weights.get(script, 0) + len(line)
    return max(weights, key=lambda k: weights[k]) if weights else "latin"


def stop_word_ratio(words: list[str]) -> float:
    """Share of English function words: prose has many (~40 %), menus and tag lists almost none."""
    return sum(1 for w in words if w.lower() in _STOP_WORDS) / len(words) if words else 0.0


def line_key(line: str) -> str:
    """A line as compared across documents: spaces collapsed, case folded."""
    return " ".join(line.split()).casefold()


def line_hash(line: str) -> str:
    """Short stable hash of ``line_key(line)`` (what the store keeps per source)."""
    return hashlib.blake2b(line_key(line).encode("utf-8"), digest_size=8).hexdigest()


def short_line_hashes(text: str, max_words: int = 15) -> set[str]:
    """Hashes of the short lines of a text: the candidates for chrome repeated across a site's pages."""
    return {line_hash(ln) for ln in text.split("\n") if ln.strip() and len(_WORD.findall(ln)) < max_words}


def classify_line(line: str, body_script: str, seen_before: bool = False, repeated_elsewhere: bool = False) -> LineVerdict:
    """Decide whether one line belongs to the article (pure; see module doc)."""
    text = line.strip()
    if not text:
        return LineVerdict(True)
    if _AD_SIZE.match(text):
        return LineVerdict(False, "ad placeholder")
    script = script_of(text)
    if script not in ("none", body_script) and body_script != "none":
        return LineVerdict(False, f"script mismatch ({script} in a {body_script} article)")
    words = _WORD.findall(text)
    if _CHROME.match(text):
        return LineVerdict(False, "page chrome")
    if _CUES.search(text) and (len(words) < 60 or text.isupper()):
        return LineVerdict(False, "boilerplate phrase")
    if seen_before and len(words) < 40:
        return LineVerdict(False, "repeated line")
    # Chrome shared by other pages of the same site; a quoted line is prose even when repeated.
    if repeated_elsewhere and len(words) < 15 and not _QUOTE_MARK.search(text):
        return LineVerdict(False, "repeated across the source's documents")
    if _BULLET.match(text) and len(words) < 6:
        return LineVerdict(False, "navigation bullet")
    if _COUNTER.match(text):
        return LineVerdict(False, "counter")
    if _CREDIT.search(text) and len(words) < 25 and not _SENTENCE_END.search(text.rstrip("”\"")):
        return LineVerdict(False, "photo credit")
    parts = _MENU_SEP.split(text)
    if len(parts) >= 3 and sum(len(_WORD.findall(p)) for p in parts) / len(parts) <= 3.5:
        return LineVerdict(False, "menu (separated links)")
    if not words and len(text) >= 3:
        return LineVerdict(False, "punctuation only")
    if len(words) >= 10 and "," not in text and not _SENTENCE_END.search(text) and stop_word_ratio(words) == 0.0 \
            and script == "latin":
        return LineVerdict(False, "no function words (keyword list)")
    if len(words) <= 3 and text.isupper() and not _SENTENCE_END.search(text):
        return LineVerdict(False, "shouting label")
    return LineVerdict(True)


def strip_boilerplate(text: str, repeated: frozenset[str] = frozenset()) -> tuple[str, tuple[RemovedLine, ...]]:
    """Return the article text (kept lines, order preserved) and the removed lines.

    ``repeated`` holds lines seen in other documents of the same source (site
    chrome repeated across pages), as ``line_key`` texts or ``line_hash`` hashes;
    they are removed when short and not quoted.
    """
    lines = text.split("\n")
    body_script = _body_script(lines)
    kept: list[str] = []
    removed: list[RemovedLine] = []
    seen: set[str] = set()
    for no, line in enumerate(lines, start=1):
        key = line_key(line)
        elsewhere = bool(key) and bool(repeated) and (key in repeated or line_hash(line) in repeated)
        verdict = classify_line(line, body_script, seen_before=bool(key) and key in seen, repeated_elsewhere=elsewhere)
        if key:
            seen.add(key)
        if verdict.keep:
            kept.append(line.rstrip())
        else:
            removed.append(RemovedLine(no, line, verdict.reason))
    # Collapse runs of blank lines left behind, and trim the ends.
    out: list[str] = []
    for line in kept:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out).strip("\n"), tuple(removed)
