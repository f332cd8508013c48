"""Plain scraped text → article lines, with every removed line kept and explained.

A line classifier, not a model: each rule below is a cue a human uses to tell
page chrome from prose. Rules are conservative — a line that carries a sentence
about the story stays — because dropping a quoted statement costs more than
keeping a stray navigation label.
"""

from __future__ import annotations

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
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)


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


def classify_line(line: str, body_script: str, seen_before: bool = False) -> LineVerdict:
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
    if _BULLET.match(text) and len(words) < 6:
        return LineVerdict(False, "navigation bullet")
    if len(words) <= 3 and text.isupper() and not _SENTENCE_END.search(text):
        return LineVerdict(False, "shouting label")
    return LineVerdict(True)


def strip_boilerplate(text: str, repeated: frozenset[str] = frozenset()) -> tuple[str, tuple[RemovedLine, ...]]:
    """Return the article text (kept lines, order preserved) and the removed lines.

    ``repeated`` holds lines seen in other documents of the same source (site
    chrome repeated across pages); they are removed when short.
    """
    lines = text.split("\n")
    body_script = _body_script(lines)
    kept: list[str] = []
    removed: list[RemovedLine] = []
    seen: set[str] = set()
    for no, line in enumerate(lines, start=1):
        key = " ".join(line.split()).casefold()
        verdict = classify_line(line, body_script, seen_before=bool(key) and (key in seen or key in repeated))
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
