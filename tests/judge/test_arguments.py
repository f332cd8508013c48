"""Argument mapping (cues + embeddings), clustering of unmatched reasons, and ``arguments --new``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stanceline.config import Settings
from stanceline.judge.arguments import ArgumentMapper, cluster_reasons, cue_hits, new_argument_types
from stanceline.judge.embeddings import HashedBagEmbedder, Matrix, normalise
from stanceline.services.judging import InvalidArgumentsRequestError, new_argument_candidates, unmatched_reasons

DATA = Path(__file__).resolve().parents[2] / "data" / "stance_training"
HELDOUT_CUE_PRECISION_FLOOR = 0.35  # cues only; measured 0.41 on the held-out split


class KeywordEmbedder:
    """A fake embedder: one axis per keyword, so similarities are known exactly."""

    name = "keywords"

    def __init__(self, axes: Sequence[str]) -> None:
        self.axes = list(axes)
        self.dim = len(self.axes) + 1

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for k, axis in enumerate(self.axes):
                out[i, k] = text.lower().count(axis)
            out[i, -1] = 0.1
        return normalise(out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Every time we talk they ask for more ransom.", "us-demands-ransom"),
        ("Talks with Washington are a waste of time.", "futility"),
        ("A deal would bring sanctions relief and lower inflation.", "economic-necessity"),
    ],
)
def test_cues_alone_map_clear_reasons(pack, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    match = ArgumentMapper(pack, None).map(text)
    assert match.argument is not None and match.argument.id == expected
    assert match.method == "cue" and match.cues


def test_no_cue_no_embedder_means_no_argument(pack) -> None:  # type: ignore[no-untyped-def]
    assert ArgumentMapper(pack, None).map("The delegation arrived on Monday.").argument is None


def test_cue_hits_are_word_initial(pack) -> None:  # type: ignore[no-untyped-def]
    ransom = next(a for a in pack.arguments if a.id == "us-demands-ransom")
    assert cue_hits("They want ransom.", ransom) == ["ransom"]
    assert cue_hits("Transom windows.", ransom) == []


def test_embedding_similarity_decides_between_cue_matches(pack) -> None:  # type: ignore[no-untyped-def]
    # One cue each for futility ("useless") and distrust ("breach"); only distrust's examples speak of a signature.
    mapper = ArgumentMapper(pack, KeywordEmbedder(["signature"]))
    match = mapper.map("It is useless: the breach showed their signature means nothing.", stance="oppose")
    assert match.argument is not None and match.argument.id == "distrust"
    assert match.method == "cue+embedding" and match.similarity > 0.9


def test_similarity_alone_does_not_map(pack) -> None:  # type: ignore[no-untyped-def]
    # On the training split, reasons matched by similarity alone were right in under a third of cases.
    match = ArgumentMapper(pack, KeywordEmbedder(["signature"])).map("Their signature means nothing.", stance="oppose")
    assert match.argument is None and match.similarity > 0.9


def test_polarity_against_the_stance_is_discounted(pack) -> None:  # type: ignore[no-untyped-def]
    mapper = ArgumentMapper(pack, None)
    text = "They will extort ransom."
    assert mapper.map(text, stance="oppose").score > mapper.map(text, stance="support").score * 0.99


def test_cluster_reasons_groups_close_vectors() -> None:
    vectors = normalise(np.array([[1, 0, 0], [0.95, 0.1, 0], [0, 1, 0], [0.05, 0.97, 0], [0, 0, 1]], dtype=np.float32))
    assert cluster_reasons(vectors, threshold=0.8, min_size=2) == [(0, 1), (2, 3)]
    assert cluster_reasons(vectors[:0]) == []


def test_new_argument_types_surface_a_recurring_unlisted_reason(pack) -> None:  # type: ignore[no-untyped-def]
    reasons = [
        "talks would wreck the tourism season in Shiraz",
        "tourism season would suffer from these talks",
        "the tourism season cannot survive another round",
        "the weather is cold",
    ]
    clusters = new_argument_types(reasons, HashedBagEmbedder(), ArgumentMapper(pack, HashedBagEmbedder()), threshold=0.3)
    assert len(clusters) == 1
    assert set(clusters[0].members) == {0, 1, 2}
    assert "tourism" in clusters[0].keywords
    assert clusters[0].nearest_argument is not None


def test_cues_only_precision_floor_on_heldout(pack) -> None:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in (DATA / "heldout.jsonl").read_text(encoding="utf-8").splitlines() if line]
    matches = ArgumentMapper(pack, None).map_many([r["text"] for r in rows], [r["stance"] for r in rows])
    predicted = [(m.argument.id, r["argument"]) for m, r in zip(matches, rows, strict=True) if m.argument is not None]
    assert predicted
    assert sum(p == g for p, g in predicted) / len(predicted) >= HELDOUT_CUE_PRECISION_FLOOR


def test_unmatched_reasons_keeps_on_target_rows_without_argument_id() -> None:
    rows = [
        {"target": "JCPOA", "argument": "the harvest", "argument_id": None},
        {"target": "JCPOA", "argument": "ransom", "argument_id": "us-demands-ransom"},
        {"target": None, "argument": "x", "argument_id": None},
        {"target": "JCPOA", "argument": None, "argument_id": None},
    ]
    assert unmatched_reasons(rows) == rows[:1]


def test_new_argument_candidates_reject_bad_parameters(settings: Settings) -> None:
    with pytest.raises(InvalidArgumentsRequestError):
        new_argument_candidates(settings, min_size=1)
    with pytest.raises(InvalidArgumentsRequestError):
        new_argument_candidates(settings, threshold=1.5)


def test_arguments_new_on_an_empty_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from stanceline.cli import app

    monkeypatch.setenv("STANCELINE_DB", settings.db)
    result = CliRunner().invoke(app, ["arguments", "--new", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def test_arguments_new_clusters_stored_unmatched_reasons(settings: Settings) -> None:
    from stanceline.records import Document, Judgement, ProcessedDocument, RawInput, Speaker, Statement
    from stanceline.storage import open_store

    reasons = ["the harvest festival season would be ruined", "talks would ruin the harvest festival season",
               "the harvest festival season cannot be ruined by talks", "a listed reason: ransom"]
    text = " ".join(f"Speaker {i} said talks are bad because {r}." for i, r in enumerate(reasons))
    doc = Document(id="doc-new-args", source="t.txt", text=text)
    statements = []
    for i, reason in enumerate(reasons):
        start = text.index(reason)
        statements.append(Statement(
            document_id=doc.id, start=start, end=start + len(reason), text=reason,
            speaker=Speaker(text=f"Speaker {i}", name=f"Speaker {i}"), cue="said", kind="indirect", produced_by="test",
            judgements=(Judgement(target="negotiation with US", stance="oppose", argument=reason,
                                  argument_id="us-demands-ransom" if "ransom" in reason else None, produced_by="test"),),
        ))
    store = open_store(settings.db)
    try:
        store.save(ProcessedDocument(RawInput("t.txt", text.encode()), doc, tuple(statements)))
    finally:
        store.close()
    candidates = new_argument_candidates(settings, threshold=0.3, embedder=HashedBagEmbedder())
    assert len(candidates) == 1
    assert candidates[0].size == 3 and "harvest" in candidates[0].keywords
    assert {e["speaker"] for e in candidates[0].examples} == {"Speaker 0", "Speaker 1", "Speaker 2"}
