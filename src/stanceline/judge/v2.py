"""``judge.v2``: a trained, calibrated, target-conditioned stance judge.

Two stacked heads, both logistic regressions run here in numpy from weights shipped in
``stanceline/models/judge_v2/`` (written by ``python -m stanceline.training stance``):

- the **proposition head** scores "does this text support or oppose this proposition?" from the
  MiniLM embeddings of text ``u`` and proposition ``v`` as ``[u, v, u*v, |u-v|]`` (a logistic
  regression or one ReLU layer, whichever scored better on the public dev splits). It was fitted on
  public claim–perspective pairs (PERSPECTRUM, IBM-ArgQ), so it has seen hundreds of topics and
  phrasings. Each pack target is phrased as a proposition ("Iran should negotiate with the
  United States") and the head's log-odds become one feature of the next head;
- the **domain head** gives one of support / oppose / conditional / neutral from words and word
  pairs with negation marking (as ``learned.v1``), the scope signals of the rule judge
  (``lexicon.v1``'s cue weights and label, and the scopes below), the statement's embedding and the
  proposition head's score. Its probabilities are temperature-scaled on the development split, so
  ``Judgement.confidence`` is a calibrated probability of the label given.

Scope signals (each a feature, and shown as ``scope:<name>`` when it fired):
``double-negation`` ("no objection to returning"), ``inverted-condition`` ("should a fair deal come
within reach, …"), ``if-not-verdict`` ("if it is not betrayal, it is folly"), ``condition-accepts`` /
``condition-without-acceptance`` (does the main clause accept talks?), ``embedded-report`` (someone
else's stance inside the speaker's words: "his talk of being ready for dialogue is a trick" — the
words inside it are marked ``rep_`` and the lexicon scores only the words outside it), ``participation`` (taking part in
talks without a stance verb), ``dismissive`` (trick, folly, sham …), ``interview-answer`` (in a
"Q: … A: …" line the answer is judged and the question's words are marked ``q_``), ``question``
and ``rhetorical-question``.

When the MiniLM package is not installed the judge uses a lexical head (same features without the
embedding and the proposition score), fitted and calibrated the same way; results never depend on
a download. Targets come from the pack's target matcher, conditions from ``judge/reasons.py`` and
arguments by cue phrases, as in ``lexicon.v1``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from stanceline.actors.linker import Linker
from stanceline.actors.pack import Pack, Target
from stanceline.errors import ModelError
from stanceline.judge.embeddings import Embedder, load_embedder
from stanceline.judge.learned import tokens
from stanceline.judge.prefilter import Guarded
from stanceline.judge.reasons import judgements_for
from stanceline.judge.stance import ACCEPTS, CONDITION, EXPLICIT_CONDITION, RHETORICAL, score_stance
from stanceline.judge.stance import IF_NOT_VERDICT as _IF_NOT_VERDICT
from stanceline.judge.targets import matcher_for, statement_targets
from stanceline.records import STANCES, Document, Judgement, PartialDate, Speaker, StanceLabel, Statement
from stanceline.registry import judges

VERSION = "judge.v2"
Vector = npt.NDArray[np.float64]

# Each target phrased as a proposition, the way the public sets phrase their claims.
PROPOSITIONS: dict[str, str] = {
    "negotiation with US": "Iran should negotiate with the United States",
    "direct negotiation with US": "Iran should hold direct talks with the United States",
    "indirect negotiation with US": "Iran should hold indirect talks with the United States",
    "negotiation with Iran": "The United States should negotiate with Iran",
    "US-Iran negotiation": "Iran and the United States should negotiate",
    "JCPOA": "The Iran nuclear deal should be upheld",
    "JCPOA revival talks": "The Iran nuclear deal should be revived through talks",
    "prisoner exchange with US": "Iran and the United States should exchange prisoners",
    "negotiation with Europe": "Iran should negotiate with Europe",
    "negotiation with the West": "Iran should negotiate with the West",
    "nuclear negotiation with P5+1": "Iran should negotiate with the world powers over its nuclear programme",
}


def proposition(target: str) -> str:
    """The proposition a target label stands for (unknown targets: "There should be <label>")."""
    return PROPOSITIONS.get(target) or f"There should be {target}"


# -- scope signals -------------------------------------------------------------------------------

_DOUBLE_NEG = re.compile(
    r"(?i)\b(?:no|not|never|nothing|without|hardly)\b[\w\s'’,-]{0,25}?\b(?:objection\w*|oppos\w*|against|"
    r"problem with|reason not to|rul(?:e|ed|ing) (?:it |this |that |talks |them )?out|reject\w*|refus\w*|obstacle|"
    r"hesitat\w*|averse|reluctan\w*|resist\w*|closed|shy away|turn(?:ed)? (?:it |them )?down|veto\w*|taboo|qualms|"
    r"off the table|out of the question)"
    r"|\bnot (?:be )?(?:ruled|written) out\b|\bnever said no\b|\bdoes not exclude\b|\bnot excluded?\b|\bnot unwilling\b"
)
_INVERTED_COND = re.compile(
    r"(?:^|[.;:!?\"“—–-]\s*|,\s*(?:but|and)\s+|\bbut\s+)(?i:should|were|had)\s+(?i:the|a|an|any|such|they|we|washington|tehran|"
    r"iran|america|the americans|it|this|that|both|their|our|your)\b"
)
_EMBEDDED_REPORT = re.compile(
    r"(?i)\b(?:his|her|their|its|the|such|this|that|these|those|all (?:this|that|the)|any)\s+(?:\w+\s+){0,2}?"
    r"(?:talk|claims?|calls?|offers?|promises?|pledges?|overtures?|rhetoric|gestures?|slogans?|words|readiness|"
    r"professions?|show|message|pretence|pretense|smiles?|charm offensive|signals?)\s+(?:of|for|about|that|to)\b"
    r"|\b(?:those|people|some|they|anyone|whoever) who "
    r"(?:say|said|call|claim|argue|want|advocate|believe|speak|talk|dream|push)\b"
    r"|\bthey call\b|\bclaim(?:s|ed)? (?:to be|that)\b|\bso-called\b|\bpretend\w*|\bpose as\b"
    r"|\bwhat (?:they|he|she|washington|tehran) calls?\b"
)
_COPULA = re.compile(r"(?i)\b(?:is|are|was|were|amounts? to|remains?|has been|have been|proved|proves|sounds?|looks?)\b")
_PARTICIPATION = re.compile(
    r"(?i)\b(?:leaves? for|leaving for|heads? (?:to|for)|will travel|travel(?:s|led|ed)? to|delegation|negotiating team|our team|"
    r"(?:next|new|another|fresh|first|second|third) round|exchanges? (?:continue|of messages)|messages? (?:through|via)|"
    r"door (?:stays|remains|is still|is) open|channels? (?:remain|stay|is|are) open|through the mediator|mediat\w+|"
    r"back to the table|return(?:ing)? to the table|at the table|sit down with|"
    r"meet(?:ing)? (?:with )?(?:the )?(?:american|us|iranian)|"
    r"constructive|productive|progress|good atmosphere|serious (?:and|talks)|our best experts|working on|drafting|draft text)\b"
)

_DISMISSIVE = re.compile(
    r"(?i)\b(?:trick\w*|ruse|folly|foolish\w*|lies?|lying|bluff\w*|ploy|trap|deceit\w*|decept\w*|hypocri\w*|theat(?:re|er)|"
    r"sham|propaganda|smokescreen|empty|hollow|nonsense|madness|fairy tale|fantasy|illusion|naive\w*|suicid\w*|"
    r"betray\w*|treason|surrender|capitulat\w*|humiliat\w*|dead end|waste|pointless|useless|futile|poison\w*)\b"
)


# The scope signals' patterns behind the substring test of their literal starts (``prefilter``).
_G_REPORT, _G_DISMISSIVE, _G_PARTICIPATION, _G_DOUBLE_NEG, _G_IF_NOT_VERDICT, _G_CONDITION, _G_RHETORICAL = (
    Guarded(p) for p in (_EMBEDDED_REPORT, _DISMISSIVE, _PARTICIPATION, _DOUBLE_NEG, _IF_NOT_VERDICT, CONDITION, RHETORICAL))


def report_span(text: str) -> tuple[int, int] | None:
    """Span of someone else's stance reported inside the speaker's words: "[his talk of being ready
    for dialogue] is a trick" (up to the verb that evaluates it, else to the end of the clause)."""
    m = _G_REPORT.search(text)
    if m is None:
        return None
    after = _COPULA.search(text, m.end())
    if after is not None:
        return m.start(), after.start()
    stop = re.compile(r"[,;.!?]").search(text, m.end())
    return m.start(), stop.start() if stop else len(text)


_QA = re.compile(r"^\s*Q\s*[:.]\s*(?P<q>.+?)\s+A\s*[:.]\s*(?P<a>.+)$", re.S)


def qa_split(text: str) -> tuple[str, str] | None:
    """(question, answer) of an interview line "Q: … A: …", else None."""
    m = _QA.match(text)
    return (m.group("q"), m.group("a")) if m else None


def scope_signals(text: str, cue_verb: str | None = None) -> dict[str, float]:
    """The rule judge's reading of one statement, as named features (values in about [0, 2]).

    With an embedded report, the lexicon scores the speaker's own words (outside the report);
    the whole text's scores become ``report:`` features.
    """
    return dict(_scope_signals(text, cue_verb))


@lru_cache(maxsize=128)
def _scope_signals(text: str, cue_verb: str | None) -> tuple[tuple[str, float], ...]:
    """``scope_signals``, cached (the cascade's deferral test and the features read the same statement)."""
    feats: dict[str, float] = {}
    qa = qa_split(text)
    if qa is not None:
        # An interview line: the answer carries the speaker's stance, the question the interviewer's words.
        feats["scope:interview-answer"] = 1.0
        question = score_stance(qa[0])
        feats["question:oppose"] = min(dict(question.scores).get("oppose", 0.0), 8.0) / 4
        feats["question:support"] = min(dict(question.scores).get("support", 0.0), 8.0) / 4
        text = qa[1]
    span = report_span(text)
    outer = (text[: span[0]] + " " + text[span[1] :]).strip() if span else text
    lex = score_stance(outer, cue_verb)
    scores = dict(lex.scores)
    feats["lex:support"] = min(scores.get("support", 0.0), 8.0) / 4
    feats["lex:oppose"] = min(scores.get("oppose", 0.0), 8.0) / 4
    feats[f"lex:label={lex.stance}"] = 1.0
    if any(c.startswith("condition:") for c in lex.cues):
        feats["lex:condition-rule"] = 1.0
    if span:
        feats["scope:embedded-report"] = 1.0
        whole = dict(score_stance(text, cue_verb).scores)
        feats["report:support"] = min(whole.get("support", 0.0), 8.0) / 4
        feats["report:oppose"] = min(whole.get("oppose", 0.0), 8.0) / 4
        if _G_DISMISSIVE.search(outer):
            feats["outer:dismissive"] = 1.0
    if EXPLICIT_CONDITION.search(text):
        feats["scope:explicit-condition"] = 1.0
    cond = _G_CONDITION.search(text)
    if cond:
        end = re.compile(r"[,;.!?]").search(text, cond.end())
        clause_end = end.end() if end else len(text)
        main = text[: cond.start()] + " " + text[clause_end:]
        feats["scope:condition-accepts" if ACCEPTS.search(main) else "scope:condition-without-acceptance"] = 1.0
    if _INVERTED_COND.search(text):
        feats["scope:inverted-condition"] = 1.0
    if _G_IF_NOT_VERDICT.search(text):
        feats["scope:if-not-verdict"] = 1.0
    if _G_DOUBLE_NEG.search(text):
        feats["scope:double-negation"] = 1.0
    if _G_DISMISSIVE.search(text):
        feats["scope:dismissive"] = 1.0
    if _G_PARTICIPATION.search(text):
        feats["scope:participation"] = 1.0
    stripped = text.rstrip().rstrip("\"”'’ ")
    if _G_RHETORICAL.search(text):
        feats["scope:rhetorical-question"] = 1.0
    elif stripped.endswith("?"):
        feats["scope:question"] = 1.0
    if re.search(r"[\"“”]", text):
        feats["lex:quoted"] = 1.0
    return tuple(feats.items())


def featurize(text: str, cue_verb: str | None = None) -> dict[str, float]:
    """Sparse features of one statement: words, word pairs (negation-marked) and scope signals.

    Words inside an embedded report carry a ``rep_`` mark ("rep_ready"): they are someone else's; so
    do the interviewer's words in a "Q: … A: …" line (``q_``), where the answer is judged.
    """
    qa = qa_split(text)
    body = qa[1] if qa is not None else text
    span = report_span(body)
    if span is None:
        toks = tokens(body)
    else:
        a, b = span
        toks = tokens(body[:a]) + [f"rep_{t}" for t in tokens(body[a:b])] + tokens(body[b:])
    if qa is not None:
        toks = [f"q_{t}" for t in tokens(qa[0])] + toks
    feats: dict[str, float] = {}
    for tok in toks:
        feats[f"w:{tok}"] = 1.0
    for first, second in zip(toks, toks[1:], strict=False):
        feats[f"b:{first} {second}"] = 1.0
    feats.update(scope_signals(text, cue_verb))
    return feats


# -- the model ------------------------------------------------------------------------------------

_UNEXPLAINING = frozenset("a an the and or of to in on at by for with as is are was were be it its that this we they he she "
                          "i you our their his her said says".split())


@dataclass(frozen=True)
class DomainHead:
    """Multinomial logistic regression: sparse named features (+ embedding block), calibrated by a temperature."""

    features: dict[str, int]
    weights: Vector  # (n_features, n_classes)
    bias: Vector
    temperature: float
    embedding_weights: Vector | None = None  # (dim, n_classes)
    embedding_scale: float = 1.0

    def logits(self, feats: dict[str, float], embedding: Vector | None) -> Vector:
        z = self.bias.copy()
        for name, value in feats.items():
            k = self.features.get(name)
            if k is not None:
                z += value * self.weights[k]
        if self.embedding_weights is not None and embedding is not None:
            z += self.embedding_scale * embedding @ self.embedding_weights
        return z

    def probabilities(self, feats: dict[str, float], embedding: Vector | None) -> Vector:
        z = self.logits(feats, embedding) / self.temperature
        p: Vector = np.exp(z - z.max())
        out: Vector = p / p.sum()
        return out

    def explain(self, feats: dict[str, float], label: int, embedding: Vector | None, top: int = 4) -> list[tuple[str, float]]:
        """Features that pushed most towards ``label`` against the mean of the other labels."""
        contrib = []
        for name, value in feats.items():
            k = self.features.get(name)
            if k is None or (name.startswith("w:") and name[2:].removeprefix("neg_") in _UNEXPLAINING):
                continue
            row = self.weights[k]
            push = value * (row[label] - (row.sum() - row[label]) / (len(row) - 1))
            if push > 0:
                contrib.append((float(push), name))
        if self.embedding_weights is not None and embedding is not None:
            z = self.embedding_scale * embedding @ self.embedding_weights
            push = float(z[label] - (z.sum() - z[label]) / (len(z) - 1))
            if push > 0:
                contrib.append((push, "embedding"))
        contrib.sort(reverse=True)
        return [(name, round(push, 2)) for push, name in contrib[:top]]


@dataclass(frozen=True)
class PropositionHead:
    """Log-odds that text ``u`` supports proposition ``v``, from ``[u, v, u*v, |u-v|]``: a logistic
    regression, or a one-hidden-layer (ReLU) network when ``hidden_weights`` is set."""

    weights: Vector  # (4 * dim,) or (hidden,)
    bias: float
    hidden_weights: Vector | None = None  # (4 * dim, hidden)
    hidden_bias: Vector | None = None

    def log_odds(self, u: Vector, v: Vector) -> Vector:
        u2 = np.atleast_2d(u)
        v2 = np.broadcast_to(np.atleast_2d(v), u2.shape)
        x = np.hstack([u2, v2, u2 * v2, np.abs(u2 - v2)])
        if self.hidden_weights is not None and self.hidden_bias is not None:
            x = np.maximum(x @ self.hidden_weights + self.hidden_bias, 0.0)
        return np.asarray(x @ self.weights + self.bias, dtype=np.float64)


def prop_feature(log_odds: float) -> dict[str, float]:
    """The proposition head's score as domain features (clipped log-odds, and its strength)."""
    s = float(np.clip(log_odds, -6.0, 6.0)) / 3
    return {"prop:log-odds": s, "prop:strength": abs(s)}


@dataclass(frozen=True)
class JudgeV2Model:
    classes: tuple[StanceLabel, ...]
    semantic: DomainHead | None
    lexical: DomainHead
    proposition: PropositionHead | None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cascade(self) -> tuple[str, ...]:
        return tuple(self.meta.get("cascade", ()))


def _head(arrays: dict[str, np.ndarray], spec: dict[str, Any], prefix: str) -> DomainHead:
    emb = arrays.get(f"{prefix}_embedding")
    return DomainHead(
        features={n: i for i, n in enumerate(spec["features"])},
        weights=arrays[f"{prefix}_weights"].astype(np.float64),
        bias=arrays[f"{prefix}_bias"].astype(np.float64),
        temperature=float(spec["temperature"]),
        embedding_weights=None if emb is None else emb.astype(np.float64),
        embedding_scale=float(spec.get("embedding_scale", 1.0)),
    )


@lru_cache(maxsize=2)
def load_model(folder: str | None = None) -> JudgeV2Model:
    """The committed weights (``models/judge_v2/``), read once per process."""
    from pathlib import Path

    from stanceline.models import model_dir, model_file

    try:
        base = Path(folder) if folder else model_dir(VERSION)
        spec_path = base / "model.json" if folder else model_file(VERSION, "model.json")
        weights_path = base / "weights.npz" if folder else model_file(VERSION, "weights.npz")
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        with np.load(weights_path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        classes: tuple[StanceLabel, ...] = tuple(spec["classes"])
        if not set(classes) <= set(STANCES):
            raise ValueError(f"unknown classes {classes}")
        semantic = _head(arrays, spec["semantic"], "semantic") if spec.get("semantic") else None
        lexical = _head(arrays, spec["lexical"], "lexical")
        hidden = arrays.get("proposition_hidden_weights")
        hidden_bias = arrays.get("proposition_hidden_bias")
        prop = (PropositionHead(arrays["proposition_weights"].astype(np.float64), float(spec["proposition"]["bias"]),
                                None if hidden is None else hidden.astype(np.float64),
                                None if hidden_bias is None else hidden_bias.astype(np.float64))
                if spec.get("proposition") else None)
        return JudgeV2Model(classes, semantic, lexical, prop, spec.get("meta", {}))
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot load the {VERSION} model: {exc}; re-create it with "
                         "`python -m stanceline.training stance`") from exc


@dataclass(frozen=True)
class Prediction:
    stance: StanceLabel
    probability: float  # calibrated
    probabilities: dict[StanceLabel, float]
    cues: tuple[str, ...]
    head: str  # "semantic", "lexical" or "rule"


class StanceScorer:
    """Stance of bare texts towards targets: the part of ``judge.v2`` that needs no pack.

    ``gate``: the lexical head's calibrated probability at or above which a statement is not
    embedded (the lexical answer stands); None takes the model's measured gate, 1.0 or more
    embeds every statement, 0 none.
    """

    def __init__(self, model: JudgeV2Model | None = None, embedder: Embedder | None = None,
                 use_embeddings: bool = True, gate: float | None = None) -> None:
        self.model = model or load_model()
        if embedder is None and use_embeddings and self.model.semantic is not None:
            embedder = load_embedder()
        self.embedder = embedder if (self.model.semantic is not None and use_embeddings) else None
        self.gate = float(self.model.meta.get("gate", 1.01)) if gate is None else gate
        self._propositions: dict[str, Vector] = {}

    @property
    def head_name(self) -> str:
        return "semantic" if self.embedder is not None else "lexical"

    def _proposition_vector(self, target: str) -> Vector:
        if target not in self._propositions:
            assert self.embedder is not None
            self._propositions[target] = self.embedder.embed([proposition(target)])[0].astype(np.float64)
        return self._propositions[target]

    def score(self, texts: Sequence[str], targets: Sequence[str],
              cue_verbs: Sequence[str | None] | None = None) -> list[Prediction]:
        """One prediction per (text, target); the texts that need it are embedded in one batch."""
        feats, lexical = self._lexical(texts, cue_verbs)
        vectors: dict[int, Vector] = {}
        semantic = self.model.semantic
        if self.embedder is not None and semantic is not None:
            uncertain = [k for k, p in enumerate(lexical) if float(p.max()) < self.gate]
            if uncertain:
                rows = self.embedder.embed([texts[k] for k in uncertain]).astype(np.float64)
                vectors = dict(zip(uncertain, rows, strict=True))
        out = []
        for k, f in enumerate(feats):
            emb = vectors.get(k)
            if emb is not None and semantic is not None:
                if self.model.proposition is not None:
                    odds = self.model.proposition.log_odds(emb, self._proposition_vector(targets[k]))
                    f = {**f, **prop_feature(float(odds[0]))}
                head, used, p = semantic, "semantic", semantic.probabilities(f, emb)
            else:
                head, p = self.model.lexical, lexical[k]
                used = "lexical" if self.embedder is None else f"lexical (p>={self.gate:.2f}, not embedded)"
            label = int(np.argmax(p))
            stance = self.model.classes[label]
            cues = [f"feature:{name} (+{push})" for name, push in head.explain(f, label, emb)]
            probs = self._rounded(p)
            prob = probs[stance]
            rule = self._cascade(f)
            if rule is not None and rule[0] != stance:
                stance, used = rule[0], "rule"
                prob = float(self.model.meta.get("cascade_precision", {}).get(rule[1], probs[stance]))
                cues = [f"rule:{rule[1]}", *cues]
            cues += [f"scope:{n.split(':', 1)[1]}" for n in f if n.startswith("scope:")]
            if "prop:log-odds" in f:
                cues.append(f"proposition:{proposition(targets[k])} (support p={1 / (1 + np.exp(-3 * f['prop:log-odds'])):.2f})")
            cues.append(f"head:{used}")
            out.append(Prediction(stance, round(float(prob), 4), probs, tuple(dict.fromkeys(cues)), used.split(" ")[0]))
        return out

    def beliefs(self, texts: Sequence[str], targets: Sequence[str],
                cue_verbs: Sequence[str | None]) -> list[dict[StanceLabel, float]]:
        """The class probabilities ``score`` gives, without its explanations where no embedding is
        involved (the cascade's confidence in a rule reading needs only these)."""
        if self.embedder is not None:
            return [p.probabilities for p in self.score(texts, targets, cue_verbs)]
        return [self._rounded(p) for p in self._lexical(texts, cue_verbs)[1]]

    def _lexical(self, texts: Sequence[str], cue_verbs: Sequence[str | None] | None
                 ) -> tuple[list[dict[str, float]], list[Vector]]:
        """Features of each text and the lexical head's probabilities over them."""
        cue_verbs = cue_verbs or [None] * len(texts)
        feats = [featurize(t, c) for t, c in zip(texts, cue_verbs, strict=True)]
        return feats, [self.model.lexical.probabilities(f, None) for f in feats]

    def _rounded(self, p: Vector) -> dict[StanceLabel, float]:
        return {c: round(float(v), 4) for c, v in zip(self.model.classes, p, strict=True)}

    def _cascade(self, feats: dict[str, float]) -> tuple[StanceLabel, str] | None:
        """Rules kept ahead of the model where they measured more reliable than it (see the model card)."""
        for rule in self.model.cascade:
            if rule == "explicit-condition" and feats.get("scope:explicit-condition") and feats.get("lex:label=conditional"):
                return "conditional", rule
        return None


# -- the judge ------------------------------------------------------------------------------------


def statement_scope(doc: Document, statement: Statement) -> str:
    """The text judged: the quote for direct speech, lists and theses; else the whole sentence."""
    sentence = doc.text[statement.sentence_start or statement.start : statement.sentence_end or statement.end]
    return statement.text if statement.kind in ("direct", "list", "author") else sentence


class JudgeV2:
    """Targets from the pack; stance from the calibrated model; conditions and arguments as ``lexicon.v1``."""

    name = VERSION

    def __init__(self, pack: Pack, linker: Linker | None = None, model: JudgeV2Model | None = None,
                 embedder: Embedder | None = None, use_embeddings: bool = True, gate: float | None = None) -> None:
        self.pack = pack
        self.linker = linker
        self.targets = matcher_for(pack)
        self.scorer = StanceScorer(model, embedder, use_embeddings, gate)

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        default = self.targets.document_default(doc.text, doc.title)
        scopes = [statement_scope(doc, s) for s in statements]
        found = [statement_targets(self.targets, self.pack, doc, s, scope, default) for s, scope in zip(statements, scopes, strict=True)]
        on_target = [i for i, (targets, _) in enumerate(found) if targets]
        # Only statements on a target are embedded, in one batch per document.
        predictions = dict(zip(on_target, self.scorer.score(
            [scopes[i] for i in on_target], [found[i][0][0].label for i in on_target],
            [statements[i].cue for i in on_target]), strict=True))
        out = []
        for i, statement in enumerate(statements):
            targets, contextual = found[i]
            if not targets:
                off = Judgement(target=None, stance=None, confidence=0.0, produced_by=self.name)
                out.append(statement.with_judgements((off,)))
                continue
            out.append(statement.with_judgements(self._judgements(scopes[i], statement.stated_argument, targets, contextual,
                                                                  predictions[i])))
        return out

    def judge_toward(self, doc: Document, statement: Statement, target: Target) -> Judgement:
        """The statement's stance toward ``target``, given rather than found (``stanceline judge``)."""
        scope = statement_scope(doc, statement)
        pred = self.scorer.score([scope], [target.label], [statement.cue])[0]
        return self._judgements(scope, statement.stated_argument, [target], False, pred)[0]

    def _judgements(self, scope: str, stated_argument: str | None, targets: list[Target], contextual: bool,
                    pred: Prediction) -> tuple[Judgement, ...]:
        return judgements_for(self.pack, scope, pred.stance, pred.probability, pred.cues, targets, contextual,
                              stated_argument, self.name)


@lru_cache(maxsize=4)
def _default_judge(pack_path: str | None) -> JudgeV2:
    from pathlib import Path

    from stanceline.actors.pack import load_pack
    from stanceline.config import BUNDLED_PACK

    pack = load_pack(Path(pack_path) if pack_path else BUNDLED_PACK)
    return JudgeV2(pack, Linker(pack))


def judge_text(text: str, target: str | None = None, speaker: str | None = None, context: str | None = None,
               date: str | None = None, judge: JudgeV2 | None = None) -> Judgement:
    """Judge one statement given as text (for the CLI and the API).

    ``target`` is a pack target label ("negotiation with US") or id; when None the pack's target
    matcher finds it from the text and ``context`` (a None stance means off target). ``speaker``
    (a name the pack's linker may resolve, which decides whose counterpart is whose), ``context``
    (the surrounding paragraph or headline) and ``date`` (ISO, for offices held at that date)
    are optional. The text is judged as a direct quotation.
    """
    judge = judge or _default_judge(None)
    pack = judge.pack
    wanted: Target | None = None
    if target is not None:
        wanted = next((t for t in pack.targets if target in (t.label, t.id)), None)
        if wanted is None:
            known = ", ".join(t.label for t in pack.targets)
            raise ValueError(f"unknown target {target!r} (known: {known})")
    prefix = (context.strip() + "\n\n") if context else ""
    body = prefix + text
    actor_id = None
    kind = "unknown"
    if speaker and judge.linker is not None:
        link = judge.linker.link(speaker, PartialDate.parse(date))
        actor_id, kind = link.actor_id, link.kind
    doc = Document(id="text", source="text", text=body, title=None)
    statement = Statement(
        document_id=doc.id, start=len(prefix), end=len(body), text=text,
        speaker=Speaker(text=speaker or "", name=speaker or "", kind=kind, actor_id=actor_id),  # type: ignore[arg-type]
        cue=None, kind="direct", produced_by="text", sentence_start=len(prefix), sentence_end=len(body),
    )
    if wanted is not None:
        pred = judge.scorer.score([text], [wanted.label])[0]
        return judge._judgements(text, None, [wanted], False, pred)[0]
    judged = judge.judge(doc, [statement])[0]
    return judged.judgement or Judgement(target=None, stance=None, confidence=0.0, produced_by=VERSION)


@judges.register(VERSION)
def make_v2_judge(pack: Pack, linker: Linker) -> JudgeV2:
    return JudgeV2(pack, linker)
