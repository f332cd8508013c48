"""Judging services: statements judged on request, and candidate new argument types.

``stanceline judge`` and ``POST /api/v1/judge`` call ``judge_items``: each item (a text, the
target asked about, optionally its speaker, context and date) becomes a one-statement document
that the configured judge — any registered one — judges like an ingested statement; nothing is
stored.

``stanceline arguments --new`` calls ``new_argument_candidates``: the reasons of
on-target statements that no pack argument matched are embedded and clustered;
each cluster of at least ``min_size`` reasons is a candidate for a new entry in
the pack's ``arguments.yaml``, shown with its keywords, example statements and
the nearest argument already listed (a high similarity there means "a variant of
an existing argument", a low one "something new").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Actor, Pack, Target, load_pack
from stanceline.analyze import spans
from stanceline.config import Settings
from stanceline.errors import StancelineError
from stanceline.judge.arguments import ArgumentMapper, new_argument_types
from stanceline.judge.embeddings import Embedder, HashedBagEmbedder, load_embedder
from stanceline.llm.config import LLMConfig, llm_config
from stanceline.records import Document, Judgement, PartialDate, Speaker, Statement, content_hash
from stanceline.registry import build, judges
from stanceline.storage import StatementFilter, open_store, queries

JUDGE_MAX_TEXT = 5_000  # characters of one item's text (and of its context)
JUDGED_KEYS = ("stance", "confidence", "conditions", "argument", "explanation", "judged_by")


class InvalidArgumentsRequestError(StancelineError):
    """A parameter of the new-arguments analysis is out of range."""


@dataclass(frozen=True)
class ArgumentCandidate:
    """A cluster of unmatched reasons: a possible new argument type."""

    keywords: tuple[str, ...]
    size: int
    cohesion: float
    nearest_argument: str | None
    nearest_similarity: float
    examples: tuple[dict[str, Any], ...]  # speaker, stance, target, reason, text, statement id
    embedder: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        data["examples"] = list(self.examples)
        return data


def unmatched_reasons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On-target statements whose stated reason maps to no pack argument."""
    return [r for r in rows if r.get("target") and r.get("argument") and not r.get("argument_id")]


def new_argument_candidates(settings: Settings, min_size: int = 2, threshold: float = 0.55, limit: int = 20,
                            examples: int = 3, embedder: Embedder | None = None) -> list[ArgumentCandidate]:
    """Clusters of reasons that no listed argument matched, largest first."""
    if min_size < 2:
        raise InvalidArgumentsRequestError("--min-size must be at least 2: a cluster of one is not a type")
    if not 0.0 < threshold < 1.0:
        raise InvalidArgumentsRequestError(f"--threshold must be between 0 and 1, got {threshold}")
    store = open_store(settings.db)
    try:
        rows = unmatched_reasons(store.statement_rows(StatementFilter(on_target=True)))
    finally:
        store.close()
    if not rows:
        return []
    # Without the embeddings extra, word overlap still groups reasons that share their wording.
    backend: Embedder = embedder or load_embedder() or HashedBagEmbedder()
    pack = load_pack(settings.pack)
    mapper = ArgumentMapper(pack, backend)
    reasons = [str(r["argument"]) for r in rows]
    clusters = new_argument_types(reasons, backend, mapper, threshold, min_size)
    out = []
    for cluster in clusters[:limit]:
        shown = tuple(
            {"statement_id": rows[i].get("id"), "speaker": rows[i].get("speaker"), "stance": rows[i].get("stance"),
             "target": rows[i].get("target"), "reason": reasons[i], "text": rows[i].get("text")}
            for i in cluster.members[:examples]
        )
        out.append(ArgumentCandidate(cluster.keywords, len(cluster.members), cluster.cohesion, cluster.nearest_argument,
                                     cluster.nearest_similarity, shown, backend.name))
    return out


# -- judging on request ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Judging:
    pack: Pack
    linker: Linker
    judge: Any
    targets: dict[str, Target]  # id and label, case-folded


@lru_cache(maxsize=4)
def _judging(pack_path: Path, name: str, llm: LLMConfig | None = None) -> _Judging:
    """The pack, its linker and the named judge, built once per process."""
    import stanceline.judge  # noqa: F401 - registers the built-in judges

    pack = load_pack(pack_path)
    linker = Linker(pack)
    judge = build(judges.get(name), pack, linker, llm=llm)
    by_name = {key.casefold(): t for t in pack.targets for key in (t.id, t.label)}
    return _Judging(pack, linker, judge, by_name)


def _item_problem(item: Any, j: _Judging) -> str | None:
    """Why ``item`` cannot be judged, or None."""
    if not isinstance(item, dict):
        return "expected a JSON object with 'text' and 'target'"
    for key in ("text", "target"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            return f"missing {key!r} (a non-empty string)"
    for key in ("speaker", "context", "date"):
        if item.get(key) is not None and not isinstance(item[key], str):
            return f"{key!r} must be a string"
    for key in ("text", "context"):
        if len(item.get(key) or "") > JUDGE_MAX_TEXT:
            return f"{key!r} is longer than {JUDGE_MAX_TEXT:,} characters"
    if item["target"].strip().casefold() not in j.targets:
        known = ", ".join(t.id for t in j.pack.targets)
        return f"unknown target {item['target']!r} (known: {known})"
    if item.get("date") and PartialDate.parse(item["date"]) is None:
        return f"'date' must look like 2019, 2019-05 or 2019-05-14, got {item['date']!r}"
    return None


def _statement(item: dict[str, Any], j: _Judging) -> tuple[Document, Statement]:
    """A one-statement document: the context, then the text, which is the statement."""
    when = PartialDate.parse(item.get("date"))
    context = (item.get("context") or "").strip()
    prefix = f"{context}\n\n" if context else ""
    text = item["text"].strip()
    doc = Document(id=content_hash(prefix + text), source="judge", text=prefix + text, published=when)
    name = (item.get("speaker") or "").strip()
    if name:
        link = j.linker.link(name, when)
        speaker = Speaker(text=name, name=link.name if link.actor_id else name, kind=link.kind,
                          actor_id=link.actor_id, role=link.role)
    else:
        speaker = Speaker(text="", name="unknown")
    start, end = len(prefix), len(prefix) + len(text)
    statement = Statement(document_id=doc.id, start=start, end=end, text=text, speaker=speaker, cue=None,
                          kind="direct", produced_by="judge-request", date=when,
                          date_source="explicit" if when else "none", sentence_start=start, sentence_end=end)
    return doc, statement


def _toward(j: _Judging, doc: Document, statement: Statement, target: Target) -> tuple[Judgement, str]:
    """The judgement toward ``target`` and how the target was settled.

    The judge first judges the statement as it would in an article. When it finds the requested
    target, that judgement stands. Otherwise a judge that can be asked about a given target
    (``judge_toward``) is asked; any other judge's stance on the text is reported toward the
    requested target, and the explanation says so.
    """
    judged = j.judge.judge(doc, [statement])[0].judgements
    names = {target.id.casefold(), target.label.casefold()}
    match = next((x for x in judged if x.target and x.target.casefold() in names), None)
    if match is not None:
        return match, "target found in the text"
    found = ", ".join(x.target for x in judged if x.target) or "no target"
    if hasattr(j.judge, "judge_toward"):
        return j.judge.judge_toward(doc, statement, target), f"target given (the judge found {found} in the text)"
    primary = judged[0] if judged else None
    if primary is not None and primary.stance is not None:
        return (replace(primary, target=target.label),
                f"target given; stance judged toward {primary.target} and reported toward the given target")
    return (Judgement(target=target.label, stance=None, produced_by=getattr(j.judge, "name", "")),
            "target given; the judge found no target in the text and cannot judge toward a given one")


def judge_one(item: dict[str, Any], j: _Judging) -> dict[str, Any]:
    doc, statement = _statement(item, j)
    target = j.targets[item["target"].strip().casefold()]
    judgement, how = _toward(j, doc, statement, target)
    return {
        **item,
        "stance": judgement.stance, "confidence": judgement.confidence, "conditions": list(judgement.conditions),
        "argument": judgement.argument,
        "explanation": how + (f"; cues: {', '.join(judgement.cues)}" if judgement.cues else ""),
        "judged_by": judgement.produced_by or getattr(j.judge, "name", None),
    }


def _llm(settings: Settings, judge: str) -> LLMConfig | None:
    """The endpoint of ``llm.v1`` (checked once), when that is the judge asked for."""
    if not judge.startswith("llm."):
        return None
    from stanceline.llm.check import check_endpoint

    config = llm_config(settings)
    check_endpoint(config)
    return config


def prepare_judge(settings: Settings, judge: str | None = None) -> str:
    """Load the named judge (default: the configured one) now; its name. An unknown name is a ConfigError."""
    name = judge or settings.judge
    _judging(Path(settings.pack), name, _llm(settings, name))
    return name


def judge_items(items: Sequence[Any], settings: Settings, judge: str | None = None) -> list[dict[str, Any]]:
    """Judge each item toward its target; one output record per item, in order.

    An item that cannot be judged (not an object, no text, an unknown target …) gives
    ``{"error": message}`` in its place and the others are judged. Nothing is stored.
    """
    name = judge or settings.judge
    j = _judging(Path(settings.pack), name, _llm(settings, name))
    out: list[dict[str, Any]] = []
    for item in items:
        problem = _item_problem(item, j)
        if problem is not None:
            out.append({"error": problem})
            continue
        try:
            out.append(judge_one(item, j))
        except Exception as exc:  # noqa: BLE001 - one bad item must not stop a batch
            out.append({"error": f"judging failed: {type(exc).__name__}: {exc}"[:500]})
    return out


# -- learning from corrections --------------------------------------------------------------
EUROPEAN = frozenset({"GB", "FR", "DE", "EU", "IT", "ES", "NL", "BE", "SE", "NO", "CH", "AT", "IE", "DK", "FI"})


def _speaker_type(actor: Actor | None) -> str:
    """The domain data's speaker type of a pack actor (``third_party`` when unknown)."""
    if actor is None:
        return "third_party"
    if actor.kind == "outlet":
        return "state_media" if actor.country == "IR" else "journalist"
    if actor.country == "IR":
        return "iran_official"
    if actor.country == "US":
        return "us_official"
    return "european" if actor.country in EUROPEAN else "third_party"


def corrections_as_training(settings: Settings) -> list[dict[str, Any]]:
    """The store's stance corrections as labelled items in the domain data format.

    Each item is the sentence around a statement whose stance a person corrected, labelled with
    that stance toward the statement's (possibly corrected) target; ``group`` is
    ``correction:<statement id>`` so that a statement never straddles two splits. Statements
    corrected to no stance or to no target are left out.
    """
    pack = load_pack(settings.pack)
    linker = Linker(pack)
    store = open_store(settings.db)
    try:
        rows = queries.statements_by_ids(store, queries.corrected_ids(store, "stance"))
        texts = queries.document_texts(store, [r["document_id"] for r in rows])
    finally:
        store.close()
    items = []
    for row in rows:
        if not row.get("stance") or not row.get("target"):
            continue
        text = texts.get(row["document_id"], "")
        lo, hi = spans.context_window(row, text)
        sentence = text[lo:hi].strip() or str(row["text"])
        conditional = row["stance"] == "conditional"
        outlet = linker.link(row["outlet"]).actor_id if row.get("outlet") else None
        items.append({
            "id": row["id"], "text": sentence, "target": row["target"], "stance": row["stance"],
            "conditions": [c for c in row.get("conditions") or [] if c in sentence] if conditional else [],
            "condition_ids": list(row.get("condition_ids") or []) if conditional else [],
            "argument": row.get("argument_id"),
            "speaker_type": _speaker_type(pack.actors.get(row.get("actor_id") or "")),
            # Iranian outlets in the pack are read as state media; anything else as wire copy.
            "style": "state_media" if outlet and pack.actors[outlet].country == "IR" else "wire",
            "group": f"correction:{row['id']}",
        })
    return items


def training_problem(corpus: str | None = None, encoder: bool = False) -> str | None:
    """Why the stance trainer (with ``encoder``, also the encoder's) cannot run here (a missing extra, trainer or
    corpus), or None."""
    import importlib.util

    from stanceline.training import corpus_root

    if importlib.util.find_spec("sklearn") is None:
        return "training needs the train extra (scikit-learn): run 'make train-deps' or pip install 'stanceline[train]'"
    if encoder and importlib.util.find_spec("torch") is None:
        return "fine-tuning the stance encoder needs PyTorch from the train extra: run 'make train-deps'"
    if importlib.util.find_spec("stanceline.training.stance") is None:
        return "this installation has no stance trainer (stanceline.training.stance)"
    try:
        corpus_root(corpus)
    except SystemExit as exc:
        return str(exc)
    return None
