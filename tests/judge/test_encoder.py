"""stance-encoder.v1 (fine-tuned MiniLM run in numpy), judge.v3 (it + the lexical head) and cascade.v2."""

from __future__ import annotations

import numpy as np
import pytest

from stanceline.config import load_settings
from stanceline.judge.embeddings import embeddings_available
from stanceline.judge.encoder import NAME, load_encoder
from stanceline.models import model_dir, read_card
from stanceline.records import STANCES
from stanceline.services.judging import judge_items
from stanceline.training.stance import domain_splits, scores

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not embeddings_available(), reason="the MiniLM package is not installed")]
TARGET = "negotiation with US"
DEV_FLOOR = 0.80  # judge.v3 measured 0.8+ on the domain dev split when trained (see the model card)


def test_model_folder_is_small_and_has_a_card() -> None:
    folder = model_dir(NAME)
    assert sum(p.stat().st_size for p in folder.iterdir()) < 30_000_000
    card = read_card(NAME)
    assert card.name == NAME
    assert any(k.startswith("public stage, perspectrum test") for k in card.figures)
    assert any(k.startswith("judge.v3") and k.endswith("test") for k in card.figures)
    assert {"project (self-written)"} <= {d.licence for d in card.data}


def test_probabilities_are_calibrated_rows_in_the_class_order() -> None:
    encoder = load_encoder()
    assert encoder is not None and set(encoder.classes) == set(STANCES) and encoder.temperature > 0
    p = encoder.probabilities(["We will never sit down with the Americans.", "The talks resume on Monday in Oman."],
                              ["Iran should negotiate with the United States"] * 2)
    assert p.shape == (2, 4) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    # batching and padding do not change an answer
    alone = encoder.probabilities(["The talks resume on Monday in Oman."], ["Iran should negotiate with the United States"])
    assert np.allclose(alone[0], p[1], atol=1e-4)
    assert encoder.probabilities([], []).shape == (0, 4)


def test_long_statements_are_truncated_not_refused() -> None:
    encoder = load_encoder()
    assert encoder is not None
    ids, types = encoder.encode("word " * 500, "Iran should negotiate with the United States")
    assert len(ids) == len(types) <= encoder.max_tokens and types[-1] == 1


@pytest.fixture(scope="module")
def judged():  # type: ignore[no-untyped-def]
    settings = load_settings(db="sqlite:///unused.db")

    def run(text: str, judge: str) -> dict:  # type: ignore[type-arg]
        [out] = judge_items([{"text": text, "target": TARGET}], settings, judge)
        return out

    return run


# Sentences written for these tests; none is in the training data.
@pytest.mark.parametrize(("stance", "text"), [
    ("support", "The envoy said the exchanges through the Omani mediator would go on and that diplomacy was still alive."),
    ("oppose", "Sitting at a table with those who tore up the last agreement would be a humiliation, the cleric said."),
    ("conditional", "Tehran would only return to the talks once Washington lifted the oil embargo, the minister said."),
    ("neutral", "The spokesman said the venue of the next meeting had not yet been announced."),
])
def test_judge_v3_reads_plain_statements(judged, stance: str, text: str) -> None:  # type: ignore[no-untyped-def]
    out = judged(text, "judge.v3")
    assert out["stance"] == stance, out
    assert out["judged_by"] == "judge.v3" and "head:" in out["explanation"]
    assert 0.0 < out["confidence"] <= 1.0


def test_the_gate_leaves_sure_statements_to_the_lexical_head(pack, linker) -> None:  # type: ignore[no-untyped-def]
    from stanceline.judge.v3 import JudgeV3

    scorer = JudgeV3(pack, linker).scorer
    texts = ["Sitting at a table with those who tore up the last agreement would be a humiliation, the cleric said.",
             "The spokesman said the venue of the next meeting had not yet been announced."]
    assert 0.0 < scorer.gate <= 1.01  # as chosen on dev; 1.01: every statement is encoded
    gate = scorer.gate = 0.6
    gated = scorer.score(texts, [TARGET] * 2)
    scorer.gate = 1.01
    encoded = scorer.score(texts, [TARGET] * 2)
    assert all(any(c.startswith(f"head:{NAME}") for c in p.cues) for p in encoded)
    assert all(any(c.startswith("encoder:") for c in p.cues) for p in encoded)
    for g in gated:  # each as shipped: encoded, or left to a lexical head sure of it
        assert any(c.startswith(f"head:{NAME}") for c in g.cues) or g.probability >= gate
    scorer.gate = 0.0
    assert all("not encoded" in p.cues[-1] for p in scorer.score(texts, [TARGET] * 2))


def test_cascade_v2_puts_the_rules_first_and_judge_v3_behind_them(judged) -> None:  # type: ignore[no-untyped-def]
    rule = judged("Negotiation with America is poison and we will not go down that road.", "cascade.v2")
    assert rule["stance"] == "oppose" and rule["judged_by"] == "cascade.v2"
    assert "decided-by:lexicon.v1" in rule["explanation"]
    text = "Our delegation leaves for Muscat tomorrow with our best experts to continue the exchanges with the Americans."
    assert judged(text, "lexicon.v1")["stance"] == "neutral"
    out = judged(text, "cascade.v2")
    assert out["stance"] == "support" and "decided-by:judge.v3" in out["explanation"]


def test_judge_v3_falls_back_to_the_lexical_head_without_the_encoder(monkeypatch, pack, linker) -> None:  # type: ignore[no-untyped-def]
    from stanceline.judge import v3
    from stanceline.judge.v2 import StanceScorer

    monkeypatch.setattr(v3, "load_encoder", lambda: None)
    judge = v3.JudgeV3(pack, linker)
    assert isinstance(judge.scorer, StanceScorer) and judge.name == "judge.v3"


def test_committed_judge_v3_on_the_domain_dev_split(pack, linker) -> None:  # type: ignore[no-untyped-def]
    from stanceline.judge.v3 import JudgeV3

    rows = domain_splits()["dev"]
    predictions = JudgeV3(pack, linker).scorer.score([r["text"] for r in rows], [r["target"] for r in rows])
    m = scores([r["stance"] for r in rows], [p.stance for p in predictions])
    assert m["macro_f1"] >= DEV_FLOOR, m


def test_retraining_the_encoder_without_pytorch_says_what_to_install(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    from stanceline.services.judging import training_problem

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    if real("sklearn") is None:
        pytest.skip("the train extra is not installed")
    problem = training_problem(None, encoder=True)
    assert problem is not None and "PyTorch" in problem and "make train-deps" in problem


def test_a_damaged_model_file_is_a_clear_error_and_a_missing_one_falls_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from stanceline.errors import ModelError
    from stanceline.judge.encoder import read_encoder

    assert read_encoder(str(tmp_path)) is None  # no files: judge.v3 runs its lexical head
    (tmp_path / "model.json").write_text('{"classes": ["support", "oppose", "conditional", "neutral"]}', encoding="utf-8")
    (tmp_path / "weights.npz").write_bytes(b"not a weights file")
    with pytest.raises(ModelError, match="make train"):
        read_encoder(str(tmp_path))


def test_a_shallower_encoder_runs_only_its_own_layers() -> None:
    from stanceline.judge.embeddings import load_embedder
    from stanceline.judge.encoder import StanceEncoder
    from stanceline.training.encoder import first_layers

    base = load_embedder()
    assert base is not None
    kept = first_layers(dict(base.w), 2)
    assert {k.split(".")[2] for k in kept if k.startswith("encoder.layer.")} == {"0", "1"}
    with pytest.raises(SystemExit):
        first_layers(dict(base.w), 7)
    layers = {k: v for k, v in kept.items() if k.startswith("encoder.layer.")}
    rng = np.random.default_rng(0)
    head = {"head.weight": rng.normal(size=(4, base.dim)).astype(np.float32), "head.bias": np.zeros(4, np.float32)}
    meta = {"classes": list(STANCES), "layers": 2}
    two = StanceEncoder(base, {**layers, **head}, meta).probabilities(["The talks resume on Monday."], ["Iran should talk"])
    # The same two layers inside a six-layer run would go on through layers 2-5 and read differently.
    six = StanceEncoder(base, {**layers, **head}, {**meta, "layers": 6}).probabilities(["The talks resume on Monday."],
                                                                                       ["Iran should talk"])
    assert two.shape == (1, 4) and not np.allclose(two, six)


def test_the_int8_graph_and_the_numpy_forward_pass_read_statements_alike() -> None:
    pytest.importorskip("onnxruntime")
    from stanceline.judge.encoder import StanceEncoder
    from stanceline.judge.v2 import proposition

    encoder = load_encoder()
    assert encoder is not None and encoder.runtime == "onnxruntime-int8"
    plain = StanceEncoder(encoder.base, {**encoder.layers, "head.weight": encoder.head_w, "head.bias": encoder.head_b},
                          encoder.meta)
    assert plain.runtime == "numpy-float32"
    rows = domain_splits()["dev"]
    texts, props = [r["text"] for r in rows], [proposition(r["target"]) for r in rows]
    fast, exact = encoder.probabilities(texts, props), plain.probabilities(texts, props)
    # Quantisation moves a probability by a few hundredths and flips only near-ties.
    assert (fast.argmax(1) == exact.argmax(1)).mean() >= 0.93
    assert np.median(np.abs(fast - exact).max(1)) < 0.05


def test_a_damaged_graph_is_a_clear_error_and_a_missing_one_runs_numpy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("onnxruntime")
    import shutil

    from stanceline.errors import ModelError
    from stanceline.judge.encoder import ONNX_FILE, read_encoder

    for name in ("model.json", "weights.npz"):
        shutil.copy(model_dir(NAME) / name, tmp_path / name)
    without = read_encoder(str(tmp_path))
    assert without is not None and without.runtime == "numpy-float32"
    (tmp_path / ONNX_FILE).write_bytes(b"not a graph")
    with pytest.raises(ModelError, match="make train"):
        read_encoder(str(tmp_path))
