"""The prompts ``llm.v1`` sends and the JSON schemas its answers must follow.

``PROMPT_VERSION`` is part of every cache key and of ``produced_by``: change it whenever a prompt
or a schema changes, so that no answer to an old prompt is taken for an answer to the new one.
The model is only asked about what the text says: who is quoted, with which words, and how the
words stand toward targets the pack defines. Facts the text lacks (a date it does not give, a
speaker it does not name) are never asked for.
"""

from __future__ import annotations

from typing import Any

from stanceline.actors.pack import Pack
from stanceline.records import STANCES

PROMPT_VERSION = "p1"
NONE = "none"
CERTAINTY = {"high": 0.85, "medium": 0.65, "low": 0.4}  # stated, not calibrated: "low" goes to review

EXTRACT_SYSTEM = """You read news text and list every statement the text attributes to a named speaker \
(a person, an organisation, a government or a media outlet): what they said, declared, warned, \
wrote or announced, in a quotation or in reported speech.

Rules:
- "evidence": copy the words of the statement from the text exactly, character for character. \
Never paraphrase, shorten with "...", translate or add words.
- "speaker": who made the statement, written as the text writes it. Use the fullest name the text \
gives; never a pronoun. If the text does not say who it is, leave the statement out.
- "cue": the verb or phrase that reports it ("said", "warned", "according to"), copied from the text, or "".
- "kind": "direct" for words inside quotation marks, "indirect" for reported speech, "mixed" for both.
- "date_expression": the words of the text that say when it was said ("on Tuesday", "last month"), or "".
- "target": the id of the target below the statement takes a position on, or "none".
- "stance" toward that target: "support" (for it), "oppose" (against it), "conditional" (for it \
only if a condition is met), "neutral" (no position). With target "none", the stance is "neutral".
- "conditions": for a conditional stance, the words of the condition copied from the text; else [].
- "argument": the id of the argument below the statement makes, or "none".
Answer with one JSON object and nothing else."""

JUDGE_SYSTEM = """You judge the stance of statements from news articles toward the targets listed. \
Each statement is given with its speaker and the sentence around it.

For each statement answer:
- "id": the statement's number.
- "target": the id of the target the statement takes a position on, or "none".
- "stance" toward that target: "support" (for it), "oppose" (against it), "conditional" (for it \
only if a condition is met), "neutral" (no position).
- "conditions": for a conditional stance, the words of the condition copied exactly from the statement; else [].
- "argument": the id of the argument below the statement makes, or "none".
- "certainty": "high", "medium" or "low".
Judge the speaker's own position: words the speaker reports or mocks are not the speaker's stance.
Answer with one JSON object and nothing else."""


def pack_menu(pack: Pack) -> str:
    """The targets and arguments a model may choose from, by id."""
    lines = ["Targets:"]
    lines += [f"- {t.id}: {t.label}" for t in pack.targets]
    if pack.arguments:
        lines.append("Arguments:")
        lines += [f"- {a.id}: {a.label} ({a.polarity})" for a in pack.arguments]
    return "\n".join(lines)


def _enum(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": values}


def extract_schema(pack: Pack) -> dict[str, Any]:
    item = {
        "type": "object",
        "properties": {
            "speaker": {"type": "string"},
            "evidence": {"type": "string"},
            "cue": {"type": "string"},
            "kind": _enum(["direct", "indirect", "mixed"]),
            "date_expression": {"type": "string"},
            "target": _enum([t.id for t in pack.targets] + [NONE]),
            "stance": _enum(list(STANCES)),
            "conditions": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
            "argument": _enum([a.id for a in pack.arguments] + [NONE]),
        },
        "required": ["speaker", "evidence", "cue", "kind", "date_expression", "target", "stance", "conditions",
                     "argument"],
        "additionalProperties": False,
    }
    return {"type": "object", "properties": {"statements": {"type": "array", "items": item}},
            "required": ["statements"], "additionalProperties": False}


def judge_schema(pack: Pack, count: int) -> dict[str, Any]:
    """One judgement for each of ``count`` numbered statements: the schema says how many, so a
    constrained decoder cannot stop early or run on."""
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "enum": list(range(1, count + 1))},
            "target": _enum([t.id for t in pack.targets] + [NONE]),
            "stance": _enum(list(STANCES)),
            "conditions": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
            "argument": _enum([a.id for a in pack.arguments] + [NONE]),
            "certainty": _enum(list(CERTAINTY)),
        },
        "required": ["id", "target", "stance", "conditions", "argument", "certainty"],
        "additionalProperties": False,
    }
    judgements = {"type": "array", "items": item, "minItems": count, "maxItems": count}
    return {"type": "object", "properties": {"judgements": judgements},
            "required": ["judgements"], "additionalProperties": False}


def extract_messages(pack: Pack, chunk: str, title: str | None, published: str | None) -> list[dict[str, str]]:
    head = [f"Title: {title}"] if title else []
    if published:
        head.append(f"Published: {published}")
    user = "\n".join([pack_menu(pack), "", *head, "Text:", "<<<", chunk, ">>>"])
    return [{"role": "system", "content": EXTRACT_SYSTEM}, {"role": "user", "content": user}]


def judge_messages(pack: Pack, items: list[tuple[int, str, str, str]]) -> list[dict[str, str]]:
    """``items``: (number, speaker, statement, context sentence)."""
    blocks = []
    for number, speaker, statement, context in items:
        block = [f"[{number}] Speaker: {speaker}", f"Statement: {statement}"]
        if context and context.strip() != statement.strip():
            block.append(f"Context: {context}")
        blocks.append("\n".join(block))
    user = "\n".join([pack_menu(pack), "", "Statements:", "", "\n\n".join(blocks)])
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]
