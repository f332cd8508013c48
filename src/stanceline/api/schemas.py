"""What the REST API returns and accepts (pydantic at the edge; the core speaks records and dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from stanceline.services.judging import JUDGE_MAX_TEXT


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: list[dict[str, Any]] | None = None


class ErrorPublic(BaseModel):
    error: ErrorBody


class StatementPublic(BaseModel):
    id: str
    document_id: str
    start: int
    end: int
    text: str
    speaker: str
    speaker_text: str | None = None
    speaker_kind: str | None = None
    speaker_role: str | None = None
    speaker_start: int | None = Field(None, description="Offset of the mention the speaker was resolved from")
    speaker_end: int | None = None
    actor_id: str | None = None
    cue: str | None = None
    kind: str
    date: str | None = None
    date_source: str | None = None
    carrier: str | None = None
    source: str | None = None
    title: str | None = None
    outlet: str | None = None
    target: str | None = None
    stance: str | None = None
    confidence: float | None = None
    conditions: list[str] | None = None
    argument: str | None = None
    argument_id: str | None = None
    corrected: bool = False
    needs_review: bool = Field(False, description="Awaiting review: low confidence or judges disagree; never once corrected")


class StatementPagePublic(BaseModel):
    items: list[StatementPublic]
    total: int | None
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page, when there is one")


class DocumentPublic(BaseModel):
    id: str
    source: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None
    language: str | None = None


class DocumentPagePublic(BaseModel):
    items: list[DocumentPublic]
    total: int | None
    limit: int
    offset: int


class DocumentDetailPublic(DocumentPublic):
    text: str
    sources: list[str] = []
    statements: list[StatementPublic] = []


class ActorPublic(BaseModel):
    id: str
    name: str
    kind: str
    provisional: bool = False
    country: str | None = None
    aliases: list[str] | None = None
    merged_into: str | None = None
    statements: int = 0


class ActorPagePublic(BaseModel):
    items: list[ActorPublic]
    total: int | None
    limit: int
    offset: int


class PeriodStancePublic(BaseModel):
    period: str
    counts: dict[str, int]
    total: int
    net: float | None = Field(None, description="(support + ½ conditional − oppose) / judged, in [-1, 1]")


class ShiftPublic(BaseModel):
    actor_id: str
    speaker: str
    target: str
    before_period: str
    after_period: str
    before_stance: str
    after_stance: str
    before_ids: list[str]
    after_ids: list[str]
    gap_days: int | None
    strength: float


class DivisionPointPublic(BaseModel):
    period: str
    index: float = Field(description="0 = one line across factions, 1 = evenly split")
    factions: dict[str, float | None]
    stances: dict[str, int]
    statements: int


class SpeakerCountPublic(BaseModel):
    speaker: str
    count: int


class ArgumentPublic(BaseModel):
    argument_id: str
    label: str
    polarity: str
    count: int
    first_seen: str | None
    last_seen: str | None
    speakers: list[SpeakerCountPublic]
    targets: list[str]
    statement_ids: list[str]


class CorrectionCreate(BaseModel):
    field: str = Field(description="stance, speaker or target")
    value: str | None
    author: str = Field(min_length=1, max_length=120)


class MergeCreate(BaseModel):
    source: str
    target: str


class MergePublic(BaseModel):
    moved: int


class IngestCreate(BaseModel):
    url: str = Field(pattern=r"^https?://", max_length=2000)


class IngestPublic(BaseModel):
    new: int
    duplicate: int
    quarantined: int
    statements: int
    messages: list[str]


JUDGE_MAX_ITEMS = 256


class JudgeItem(BaseModel):
    """A statement to judge toward a target; nothing is stored."""

    text: str = Field(min_length=1, max_length=JUDGE_MAX_TEXT, description="The statement's words")
    target: str = Field(min_length=1, max_length=200, description="Target id or label of the pack, e.g. negotiation-with-us")
    speaker: str | None = Field(None, max_length=200, description="Who said it (linked to the pack's actors)")
    context: str | None = Field(None, max_length=JUDGE_MAX_TEXT,
                                description="Text before the statement, e.g. the preceding sentences")
    date: str | None = Field(None, max_length=10, description="YYYY[-MM[-DD]]")


class JudgeRequest(BaseModel):
    items: list[JudgeItem] = Field(min_length=1, max_length=JUDGE_MAX_ITEMS)
    judge: str | None = Field(None, max_length=80, description="Registered judge (default: the configured one)")


class JudgedPublic(BaseModel):
    """The item as given plus its judgement, or ``error`` when it could not be judged (unknown target …)."""

    text: str | None = None
    target: str | None = None
    speaker: str | None = None
    context: str | None = None
    date: str | None = None
    stance: str | None = None
    confidence: float | None = None
    conditions: list[str] | None = None
    argument: str | None = None
    explanation: str | None = None
    judged_by: str | None = None
    error: str | None = None


class JudgePublic(BaseModel):
    items: list[JudgedPublic]


class ReviewItemPublic(StatementPublic):
    context: str = Field(description="The sentence around the statement")
    evidence_start: int = Field(description="Where the statement starts within context")
    evidence_end: int


class ReviewPagePublic(BaseModel):
    items: list[ReviewItemPublic]
    total: int | None
    limit: int
    offset: int
    next: str | None = None
