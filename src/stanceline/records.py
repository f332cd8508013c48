"""The one data model of stanceline: plain, frozen records.

Every stage takes and returns these. This module imports nothing else from the
package so that any stage, store or shell can depend on it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Literal

StanceLabel = Literal["support", "oppose", "conditional", "neutral"]
STANCES: tuple[StanceLabel, ...] = ("support", "oppose", "conditional", "neutral")

StatementKind = Literal["direct", "indirect", "mixed", "list", "author"]
SpeakerKind = Literal["person", "organization", "outlet", "government", "unknown"]
DatePrecision = Literal["day", "month", "year"]
DateSource = Literal["explicit", "relative", "publication", "none"]


def content_hash(text: str) -> str:
    """Stable key for a text: re-ingesting identical content is a no-op."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PartialDate:
    """A date known to day, month or year precision (``2019``, ``2019-05``, ``2019-05-14``)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def sort_key(self) -> str:
        """ISO string padded to day precision, for ordering and range filters."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}"

    @classmethod
    def parse(cls, value: str | None) -> PartialDate | None:
        if not value:
            return None
        parts = value.strip()[:10].split("-")
        try:
            nums = [int(p) for p in parts if p]
        except ValueError:
            return None
        if not nums or not 1 <= nums[0] <= 9999:
            return None
        month = nums[1] if len(nums) > 1 and 1 <= nums[1] <= 12 else None
        day = nums[2] if month and len(nums) > 2 and 1 <= nums[2] <= 31 else None
        return cls(nums[0], month, day)

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class RawInput:
    """Bytes as they arrived, with where they came from. Kept verbatim in the store."""

    source: str
    data: bytes
    content_type: str | None = None  # e.g. "text/html"; None = guess from bytes/extension
    fetched_at: str | None = None
    meta: tuple[tuple[str, str], ...] = ()  # hints from the source (feed title, date, …)

    def meta_dict(self) -> dict[str, str]:
        return dict(self.meta)


@dataclass(frozen=True)
class RemovedLine:
    """A line the cleaner dropped as boilerplate, kept for audit."""

    line_no: int
    text: str
    reason: str


@dataclass(frozen=True)
class Document:
    """A cleaned article: the text every span points into, plus its metadata."""

    id: str  # content hash of ``text``
    source: str
    text: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: PartialDate | None = None
    language: str | None = None
    content_type: str = "text/plain"
    removed: tuple[RemovedLine, ...] = ()
    simhash: str | None = None  # near-duplicate signature (MinHash digest, hex)


@dataclass(frozen=True)
class Speaker:
    """Who made a statement, as written and as resolved."""

    text: str  # surface form in the document ("the latter", "Kazem Sediqi")
    name: str  # canonical name when linked, else the best surface form
    kind: SpeakerKind = "unknown"
    actor_id: str | None = None  # pack actor id, or None for provisional
    role: str | None = None
    start: int | None = None  # offsets of the mention that names the speaker
    end: int | None = None


@dataclass(frozen=True)
class Judgement:
    """Stance of one statement towards one target, with its explanation."""

    target: str | None
    stance: StanceLabel | None
    confidence: float = 0.0
    conditions: tuple[str, ...] = ()
    condition_ids: tuple[str, ...] = ()
    argument: str | None = None
    argument_id: str | None = None
    cues: tuple[str, ...] = ()
    produced_by: str = ""
    needs_review: bool = False  # low confidence, or a second judge disagreed: a person should look


@dataclass(frozen=True)
class Statement:
    """One attributed claim with its provenance."""

    document_id: str
    start: int
    end: int
    text: str
    speaker: Speaker
    cue: str | None
    kind: StatementKind
    produced_by: str
    date: PartialDate | None = None
    date_source: DateSource = "none"
    carrier: str | None = None  # outlet that carried it ("Arman daily reported that …")
    judgements: tuple[Judgement, ...] = ()  # one per target touched; the first is primary
    sentence_start: int | None = None
    sentence_end: int | None = None
    stated_argument: str | None = None  # an argument the text itself labels ("Argument: …")

    @property
    def id(self) -> str:
        key = f"{self.document_id}:{self.start}:{self.end}:{self.speaker.name}:{self.produced_by}"
        return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]

    @property
    def judgement(self) -> Judgement | None:
        """The primary judgement (first target), or None when not judged."""
        return self.judgements[0] if self.judgements else None

    def with_judgements(self, judgements: tuple[Judgement, ...]) -> Statement:
        return replace(self, judgements=judgements)


@dataclass(frozen=True)
class Quarantine:
    """An input that could not be processed, and why."""

    source: str
    reason: str
    size: int = 0
    detail: str = ""


@dataclass(frozen=True)
class ProcessedDocument:
    """What the pure per-document function returns."""

    raw: RawInput
    document: Document | None
    statements: tuple[Statement, ...] = ()
    quarantine: Quarantine | None = None
    timings_s: tuple[tuple[str, float], ...] = ()
    # Registered names of the extractor and judge that ran (None when they did not): stored per
    # document, so that re-processing can tell which documents a newer model has not seen yet.
    extractor: str | None = None
    judge: str | None = None
    # Why statements are not all the named extractor's or judge's: a fallback that ran, answers
    # dropped as ungrounded (``llm.v1``). Stored with the document's processing record.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActorRecord:
    """A canonical actor as stored (from the pack, or provisional)."""

    id: str
    name: str
    kind: SpeakerKind
    provisional: bool = False
    country: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
