"""Line-shaped attributions the parser cannot see: lists, colon forms, Q&A.

- A list entry: a ``Name, Role`` line followed by ``Viewpoint: …`` (or
  Position/Opinion/Quote/Statement) and optionally ``Argument: …`` (or Reason).
- A colon form: ``Khamenei: "…"`` or ``Zarif said: …`` at the start of a line.
- Q&A: ``Q:``/``A:`` (or ``Question:``/``Answer:``) lines; answers belong to the
  interviewee named by the nearest ``Name:`` line or the caller's guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stanceline.actors.linker import Linker
from stanceline.records import PartialDate, Speaker

_VIEW = re.compile(r"^\s*(?:Viewpoint|View|Position|Opinion|Quote|Statement|Stance|Said)\s*:\s*(?P<body>\S.*)$", re.I)
_ARG = re.compile(r"^\s*(?:Argument|Reason|Rationale|Justification)\s*:\s*(?P<body>\S.*)$", re.I)
_NAME_ROLE = re.compile(r"^\s*(?P<name>[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,5})\s*[,–—-]\s*(?P<role>[^.:!?]{3,200}?)\s*$")
_COLON = re.compile(
    # "Khamenei: …", "Zarif said: …", and the live-blog style "Iran's foreign ministry spokesman Esmaeil
    # Baghaei, on X: …" (a role before the name, the channel after it).
    r"^\s*(?:(?P<role>(?:[\w'’.\-]+\s+){1,6}?))?(?P<name>[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,4})"
    r"(?:,?\s+(?:on|in|via|to)\s+(?:a\s+)?(?:post\s+on\s+)?(?:X|Twitter|Telegram|Instagram|Facebook|statement|"
    r"state\s+(?:TV|television)|television|reporters))?"
    r"(?:\s+(?P<verb>said|says|wrote|writes|told \w+|tweeted|added))?\s*:\s*(?P<body>[“\"«]?\S.{10,})$")
_QA_Q = re.compile(r"^\s*(?:Q|Question|Interviewer)\s*[:.]\s*", re.I)
_QA_A = re.compile(r"^\s*(?:A|Answer)\s*[:.]\s*(?P<body>\S.*)$", re.I)
_NOT_NAMES = {"Viewpoint", "Argument", "Note", "Update", "Editor", "Source", "Photo", "Read", "Related", "Tags", "Q", "A",
              "Question", "Answer", "Published", "Updated", "By", "Date", "Title", "Summary", "Background", "Analysis"}


@dataclass(frozen=True)
class FormStatement:
    start: int
    end: int
    speaker: Speaker
    cue: str
    argument: str | None = None


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _speaker(name: str, start: int, linker: Linker, when: PartialDate | None, role: str | None = None) -> Speaker | None:
    if name.split()[0] in _NOT_NAMES:
        return None
    link = linker.link(name, when)
    if link.actor_id is None and len(name.split()) < 2:
        return None
    kind = link.kind if link.actor_id else "person"
    return Speaker(text=name, name=link.name, kind=kind, actor_id=link.actor_id, role=role or link.role, start=start, end=start + len(name))


def _trim(body_start: int, body: str) -> tuple[int, int]:
    lead = len(body) - len(body.lstrip(" “\"«"))
    stripped = body.rstrip()
    tail = len(stripped) - len(stripped.rstrip("”\"»"))
    return body_start + lead, body_start + len(stripped) - tail


def find_forms(text: str, linker: Linker, when: PartialDate | None, interviewee: Speaker | None = None) -> list[FormStatement]:
    """All list, colon and Q&A statements of a document."""
    lines = _lines(text)
    found: list[FormStatement] = []
    current_answerer = interviewee
    for i, (pos, line) in enumerate(lines):
        view = _VIEW.match(line)
        if view:
            header = next(((p, ln) for p, ln in reversed(lines[max(0, i - 2) : i]) if ln.strip()), None)
            m = _NAME_ROLE.match(header[1]) if header else None
            if header and m:
                speaker = _speaker(m.group("name"), header[0] + m.start("name"), linker, when, m.group("role").strip())
                if speaker is not None:
                    start, end = _trim(pos + view.start("body"), view.group("body"))
                    argument = None
                    for _, nxt in lines[i + 1 : i + 3]:
                        arg = _ARG.match(nxt)
                        if arg:
                            argument = arg.group("body").strip()
                            break
                    found.append(FormStatement(start, end, speaker, "viewpoint", argument))
            continue
        colon = _COLON.match(line)
        if colon and not _VIEW.match(line) and not _ARG.match(line):
            speaker = _speaker(colon.group("name"), pos + colon.start("name"), linker, when)
            if speaker is not None and (speaker.actor_id or colon.group("body").lstrip().startswith(("“", '"', "«"))):
                start, end = _trim(pos + colon.start("body"), colon.group("body"))
                found.append(FormStatement(start, end, speaker, colon.group("verb") or "colon"))
                current_answerer = speaker
            continue
        answer = _QA_A.match(line)
        if answer and current_answerer is not None and i > 0 and any(_QA_Q.match(ln) for _, ln in lines[max(0, i - 3) : i]):
            start, end = _trim(pos + answer.start("body"), answer.group("body"))
            found.append(FormStatement(start, end, current_answerer, "answer"))
    return found
