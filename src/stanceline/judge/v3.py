"""``judge.v3``: the fine-tuned stance encoder and ``judge.v2``'s lexical head, averaged.

``stance-encoder.v1`` (``judge/encoder.py``) reads the statement against the target phrased as a
proposition and knows what support and opposition look like beyond cue words ("a real chance to
put the agreement back on its feet"); the lexical head knows the project's scope signals and the
words that mark conditions. Their calibrated probabilities are averaged with the weight chosen on
the development split (``mix_weight`` in the encoder's ``model.json``), so the confidence shown
stays a probability. Targets, conditions and arguments come as in ``judge.v2``.

**The gate.** The encoder runs only where the lexical head's calibrated probability is below
``gate``, chosen on dev as the best macro-F1 of ``cascade.v2`` (``choose_gate`` in
``training/encoder.py``); elsewhere the lexical head's answer stands. With the int8 graph in
onnxruntime (about 4 ms a statement) the chosen gate is 1.01: every statement the cascade hands
the model is encoded. The numpy runtime (about 15 ms) needed a gate that encoded a fifth of them.

Without the MiniLM package (the ``embeddings`` extra) the encoder cannot run and ``judge.v3``
is the lexical head alone; results never depend on a download.
"""

from __future__ import annotations

from collections.abc import Sequence

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack
from stanceline.judge.encoder import NAME as ENCODER
from stanceline.judge.encoder import EncoderScorer, load_encoder
from stanceline.judge.v2 import JudgeV2, Prediction, StanceScorer
from stanceline.registry import judges

VERSION = "judge.v3"


class MixScorer:
    """``StanceScorer``'s interface: the encoder's and the lexical head's probabilities, averaged."""

    head_name = "encoder+lexical"

    def __init__(self, encoder: EncoderScorer, lexical: StanceScorer, weight: float, gate: float = 1.01) -> None:
        self.encoder = encoder
        self.lexical = lexical
        self.model = lexical.model  # the cascade reads its deferral list from here
        self.weight = weight
        self.gate = gate

    def score(self, texts: Sequence[str], targets: Sequence[str],
              cue_verbs: Sequence[str | None] | None = None) -> list[Prediction]:
        """The lexical head for every text; the encoder too where the lexical head's probability is below ``gate``."""
        lex = self.lexical.score(texts, targets, cue_verbs)
        unsure = [k for k, p in enumerate(lex) if p.probability < self.gate]
        verbs: list[str | None] = list(cue_verbs) if cue_verbs else [None] * len(texts)
        encoded = dict(zip(unsure, self.encoder.score([texts[k] for k in unsure], [targets[k] for k in unsure],
                                                      [verbs[k] for k in unsure]), strict=True))
        out = []
        for k, a in enumerate(lex):
            b = encoded.get(k)
            if b is None:
                sure = tuple(c for c in a.cues if not c.startswith("head:"))
                out.append(Prediction(a.stance, a.probability, a.probabilities,
                                      (*sure, f"head:lexical (p>={self.gate:.2f}, not encoded)"), "lexical"))
                continue
            probs = {c: round(self.weight * b.probabilities[c] + (1 - self.weight) * a.probabilities[c], 4)
                     for c in b.probabilities}
            stance = max(probs, key=lambda c: probs[c])
            features = [c for c in a.cues if c.startswith("feature:")][:4]
            cues = [*(c for c in b.cues if c.startswith("encoder:")), *features,
                    *(c for c in a.cues if c.startswith("scope:")), f"head:{ENCODER}+lexical (weight {self.weight})"]
            out.append(Prediction(stance, probs[stance], probs, tuple(dict.fromkeys(cues)), "encoder"))
        return out


class JudgeV3(JudgeV2):
    """``judge.v2``'s targets, conditions and arguments; stance from the encoder and the lexical head."""

    name = VERSION

    def __init__(self, pack: Pack, linker: Linker | None = None) -> None:
        super().__init__(pack, linker, use_embeddings=False)
        encoder = load_encoder()
        if encoder is not None:
            weight = float(encoder.meta.get("mix_weight", 0.5))  # type: ignore[arg-type]
            gate = float(encoder.meta.get("gate", 1.01))  # type: ignore[arg-type]
            self.scorer = MixScorer(EncoderScorer(encoder), self.scorer, weight, gate)  # type: ignore[assignment]


@judges.register(VERSION)
def make_v3_judge(pack: Pack, linker: Linker) -> JudgeV3:
    return JudgeV3(pack, linker)
