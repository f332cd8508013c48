"""A CRF tagger of attribution spans: who (SRC), the cue (CUE) and what (CONT), per paragraph.

Trained on real annotated news (``make train``; see ``models/attribution_v2/MODEL_CARD.md``),
it reads each token through features of the parse spaCy already computed: the word and its
shape, part of speech and dependency, whether it sits inside quotation marks, and — what
carries indirect speech — its syntactic relation to the nearest cue word (the subject of
"said" is a source, its clausal complement the content). ``decode`` turns the BIO labels into
attributions: content segments joined across an interrupting "he said", each linked to the
cue and source of its sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

MODEL_NAME = "attribution.v2"
LABELS = ("SRC", "CUE", "CONT")
OPEN_QUOTES = frozenset("“«„\"")
CLOSE_QUOTES = frozenset("”»\"")
QUOTE_CHARS = OPEN_QUOTES | CLOSE_QUOTES | frozenset("‘’'")
# Dependency relations of a clause or phrase a cue governs, and of its source.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "pobj", "advcl", "parataxis", "attr", "oprd", "acomp"})
_MAX_HOPS = 6


def _shape(text: str) -> str:
    out: list[str] = []
    for ch in text[:6]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _quote_state(texts: list[str]) -> list[int]:
    """Of a paragraph's token texts: 1 inside quotation marks, 2 for the marks themselves, else 0."""
    state = [0] * len(texts)
    inside = False
    for i, t in enumerate(texts):
        if t in OPEN_QUOTES and (t != '"' or not inside):
            state[i] = 2
            inside = True
        elif t in CLOSE_QUOTES and inside:
            state[i] = 2
            inside = False
        elif t == "\n":
            inside = False
        else:
            state[i] = 1 if inside else 0
    return state


_NO_CUE = ("none", -1, "")


def _cue_paths(heads: list[int], deps: list[str], is_cue: list[bool], lemmas: list[str]) -> list[tuple[str, int, str]]:
    """For every token, its nearest ancestor (or itself) whose lemma is a cue: (the relation of the
    child under that cue on the path, hops, the cue's lemma). Memoised up the tree: O(n)."""
    n = len(heads)
    memo: list[tuple[str, int, str] | None] = [None] * n

    def path(i: int) -> tuple[str, int, str]:
        chain: list[int] = []
        node = i
        while memo[node] is None and not is_cue[node] and heads[node] != node and len(chain) <= _MAX_HOPS:
            chain.append(node)
            node = heads[node]
        if memo[node] is not None:
            result = memo[node]
        elif is_cue[node]:
            result = ("self", 0, lemmas[node])
        else:
            result = _NO_CUE
        memo[node] = result
        assert result is not None
        for k in reversed(chain):  # walk back down: each step is one hop further from the cue
            prev = result
            if prev[1] < 0 or prev[1] >= _MAX_HOPS:
                result = _NO_CUE
            else:
                result = (deps[k] if prev[1] == 0 else prev[0], prev[1] + 1, prev[2])
            memo[k] = result
        return result

    return [path(i) for i in range(n)]


@dataclass
class CueLexicon:
    """Cue lemmas seen in training (single words) and multi-word cue openers."""

    lemmas: frozenset[str]
    phrases: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def load(cls, path: Path) -> CueLexicon:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(frozenset(data["lemmas"]), frozenset(data.get("phrases", ())))

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps({"lemmas": sorted(self.lemmas), "phrases": sorted(self.phrases)}, indent=0) + "\n",
                        encoding="utf-8")


def _columns(doc: Doc) -> tuple[list[str], list[str], list[str], list[str], list[str], list[str], list[int], list[bool]]:
    """Per token, read in one pass of ``Doc.to_array``: text, lower case, tag, lower-cased lemma,
    dependency, coarse part of speech, head index, sentence start."""
    from spacy.attrs import DEP, HEAD, LEMMA, LOWER, ORTH, POS, SENT_START, TAG

    table = doc.to_array([ORTH, LOWER, TAG, LEMMA, DEP, POS, HEAD, SENT_START]).astype("int64").tolist()
    strings = doc.vocab.strings
    names: dict[int, str] = {}

    def name(key: int) -> str:
        value = names.get(key)
        if value is None:
            value = names[key] = strings[key % 2**64]
        return value

    texts, lower, tags, lemmas, deps, pos, heads, starts = [], [], [], [], [], [], [], []
    for i, (orth, low, tag, lemma, dep, upos, head, start) in enumerate(table):
        texts.append(name(orth))
        lower.append(name(low))
        tags.append(name(tag))
        lemmas.append(name(lemma).lower())
        deps.append(name(dep))
        pos.append(name(upos))
        heads.append(i + head)
        starts.append(i == 0 or start == 1)
    return texts, lower, tags, lemmas, deps, pos, heads, starts


def features(doc: Doc, lex: CueLexicon) -> list[list[str]]:
    """CRF features of every token of a parsed paragraph."""
    cues = lex.lemmas
    texts, lower, tags, lemmas, deps, pos, heads, sent_start = _columns(doc)
    quotes = _quote_state(texts)
    n = len(texts)
    cue_tok = [lemmas[i] in cues and pos[i] in ("VERB", "NOUN") for i in range(n)]
    # "according to" and a colon closing a name ("Zarif: …") are cues the lemma list cannot hold.
    for i in range(n - 1):
        if lower[i] == "according" and lower[i + 1] == "to":
            cue_tok[i] = cue_tok[i + 1] = True
    # Distance to the nearest cue token in the same sentence, left and right.
    left = [-1] * n
    last = -1
    for i in range(n):
        if sent_start[i]:
            last = -1
        if cue_tok[i]:
            last = i
        left[i] = i - last if last >= 0 else -1
    right = [-1] * n
    nxt = -1
    for i in range(n - 1, -1, -1):
        if cue_tok[i]:
            nxt = i
        right[i] = nxt - i if nxt >= 0 else -1
        if sent_start[i]:
            nxt = -1
    para_quote = int(n > 0 and texts[0] in OPEN_QUOTES)
    paths = _cue_paths(heads, deps, [lemmas[i] in cues and pos[i] in ("VERB", "NOUN", "AUX", "ADP") for i in range(n)], lemmas)
    out: list[list[str]] = []
    for i in range(n):
        w = lower[i]
        rel, hops, cue_lemma = paths[i]
        h = heads[i]
        f = [
            "b",
            "w=" + w,
            "l=" + lemmas[i],
            "s3=" + w[-3:],
            "sh=" + _shape(texts[i]),
            "t=" + tags[i],
            "d=" + deps[i],
            "hd=" + deps[h],
            "hl=" + lemmas[h],
            "ht=" + tags[h],
            "d|ht=" + deps[i] + "|" + tags[h],
            "q=" + str(quotes[i]),
            "pq=" + str(para_quote),
            "cue=" + str(int(cue_tok[i])),
            "rel=" + rel,
            "rel|hops=" + rel + "|" + str(min(hops, 3)),
            "rel|q=" + rel + "|" + str(quotes[i]),
            "cl=" + cue_lemma,
            "lc=" + str(min(left[i], 8)),
            "rc=" + str(min(right[i], 8)),
            "lc|q=" + str(min(left[i], 4)) + "|" + str(quotes[i]),
            "ss=" + str(int(sent_start[i])),
            "pron=" + str(int(pos[i] == "PRON")),
            "subj=" + str(int(deps[i] in ("nsubj", "nsubjpass"))),
        ]
        if i == 0:
            f.append("BOP")
        if i == n - 1:
            f.append("EOP")
        for k in (-2, -1, 1, 2):
            j = i + k
            if 0 <= j < n:
                f.append(f"w{k}=" + lower[j])
                f.append(f"t{k}=" + tags[j])
                f.append(f"q{k}=" + str(quotes[j]))
                if k in (-1, 1):
                    f.append(f"cue{k}=" + str(int(cue_tok[j])))
                    f.append(f"t{k}|t=" + tags[j] + "|" + tags[i])
            else:
                f.append(f"w{k}=<pad>")
        out.append(f)
    return out


@dataclass(frozen=True)
class Found:
    """One attribution read off the labels: token ranges in the paragraph's doc."""

    content: tuple[tuple[int, int], ...]  # segments, in order
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    sentence: int  # index of the sentence that holds the cue (or the content's first token)

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return self.content[-1][1]


def spans(labels: list[str], kind: str) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` labelled ``kind`` (B- opens, I- continues)."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, lab in enumerate(labels):
        if lab == "B-" + kind or (lab == "I-" + kind and start is None):
            if start is not None:
                out.append((start, i))
            start = i
        elif lab != "I-" + kind and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(labels)))
    return out


def decode(doc: Doc, labels: list[str]) -> list[Found]:
    """Attributions of one paragraph: content spans joined across an interrupting cue and source,
    each linked to the nearest cue (its own sentence first) and that cue's source."""
    sent_of = [0] * len(doc)
    for k, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            sent_of[i] = k
    contents = spans(labels, "CONT")
    cues = spans(labels, "CUE")
    sources = spans(labels, "SRC")
    # Join content segments separated only by a source, a cue and punctuation ("…," he said, "…").
    joined: list[list[tuple[int, int]]] = []
    for seg in contents:
        if joined:
            prev_end = joined[-1][-1][1]
            gap = range(prev_end, seg[0])
            between = [labels[i] for i in gap if not (doc[i].is_punct or doc[i].is_space)]
            if between and len(between) <= 8 and all(lab != "O" for lab in between) and any("CUE" in lab for lab in between):
                joined[-1].append(seg)
                continue
            if not between and seg[0] - prev_end <= 2:
                joined[-1].append(seg)
                continue
        joined.append([seg])
    out: list[Found] = []
    for segs in joined:
        start, end = segs[0][0], segs[-1][1]
        sentences = {sent_of[i] for i in range(start, end)}
        inside = [c for c in cues if start <= c[0] < end and not any(s <= c[0] < e for s, e in segs)]
        near = [c for c in cues if sent_of[c[0]] in sentences and not any(s <= c[0] < e for s, e in segs)]
        # A quotation whose cue stands in the sentence after or before it ("…” That is what X said.)
        adjacent = [c for c in cues if sent_of[c[0]] in (min(sentences) - 1, max(sentences) + 1)
                    and not any(s <= c[0] < e for s, e in contents)]
        pool = inside or near or adjacent
        cue = min(pool, key=lambda c: min(abs(c[0] - end), abs(c[1] - start))) if pool else None
        source = None
        if cue is not None:
            cands = [s for s in sources if sent_of[s[0]] == sent_of[cue[0]]
                     and not any(a <= s[0] < b for a, b in segs)]
            subject = _cue_subject(doc, cue)
            if subject is not None:
                held = [s for s in cands if s[0] <= subject[2] < s[1]]
                source = held[0] if held else (subject[0], subject[1]) if not cands else None
            if source is None and cands:
                source = min(cands, key=lambda s: min(abs(s[1] - cue[0]), abs(s[0] - cue[1])))
        else:
            cands = [s for s in sources if sent_of[s[0]] in sentences and not any(a <= s[0] < b for a, b in segs)]
            if cands:
                source = min(cands, key=lambda s: min(abs(s[1] - start), abs(s[0] - end)))
        sentence = sent_of[cue[0]] if cue else sent_of[start]
        out.append(Found(tuple(segs), cue, source, sentence))
    return out + _outer_reports(doc, labels, cues, sources, out, sent_of)


def _outer_reports(doc: Doc, labels: list[str], cues: list[tuple[int, int]], sources: list[tuple[int, int]],
                   found: list[Found], sent_of: list[int]) -> list[Found]:
    """A report whose content is itself a report ("X said Y has called for Z"): the tagger can give
    each token one label, so the outer content shows only as the inner source, cue and content
    that follow an unused cue. Rebuild it: from the cue's right to the end of that labelled run."""
    used = {f.cue for f in found if f.cue is not None}
    out: list[Found] = []
    for cue in cues:
        if cue in used:
            continue
        i = cue[1]
        while i < len(doc) and (doc[i].is_punct or doc[i].lower_ == "that") and labels[i] == "O":
            i += 1
        start = i
        while i < len(doc) and labels[i] != "O" and sent_of[i] == sent_of[cue[0]]:
            i += 1
        if i - start < 3 or not any(lab.endswith("CUE") for lab in labels[start:i]):
            continue
        subject = _cue_subject(doc, cue)
        held = [s for s in sources if subject is not None and s[0] <= subject[2] < s[1]]
        source = held[0] if held else (subject[0], subject[1]) if subject is not None else None
        if source is None:
            continue
        out.append(Found(((start, i),), cue, source, sent_of[cue[0]]))
    return out


_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
_NAME_DEPS = frozenset({"compound", "det", "amod", "poss", "flat", "nmod", "case", "nummod", "punct", "prep", "pobj", "appos", "cc", "conj"})


def _cue_subject(doc: Doc, cue: tuple[int, int]) -> tuple[int, int, int] | None:
    """The syntactic source of a cue: the subject of its verb, the agent of a passive, the object of
    "according to"; as (start, end, head index) of its noun phrase."""
    tokens = list(doc[cue[0] : cue[1]])
    verb = next((t for t in tokens if t.pos_ in ("VERB", "AUX")), None)
    head = None
    if tokens and tokens[0].lower_ == "according":
        head = next((c for t in tokens for c in t.children if c.dep_ == "pobj"), None)
    elif verb is not None:
        node = verb
        for _ in range(3):  # "said" in "he has said", "went on to say": climb to the clause that has the subject
            head = next((c for c in node.children if c.dep_ in _SUBJECT_DEPS), None)
            if head is None:
                agent = next((c for c in node.children if c.dep_ == "agent"), None)
                head = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            if head is not None or node.dep_ not in ("xcomp", "conj", "advcl", "ccomp") or node.head is node:
                break
            node = node.head
    if head is None or head.dep_ == "expl" or head.lower_ in ("it", "that", "which", "who", "what"):
        return None
    left = head.i
    for t in head.lefts:
        if t.dep_ in _NAME_DEPS:
            left = min(left, t.left_edge.i)
    right = head.i + 1
    for t in head.rights:
        if t.dep_ in ("compound", "flat", "appos") or (t.dep_ == "prep" and t.lower_ == "of"):
            right = max(right, t.right_edge.i + 1)
    return left, right, head.i


class CrfTagger:
    """The trained CRF and its cue lexicon, loaded once per process."""

    def __init__(self, model_path: Path, lexicon: CueLexicon) -> None:
        import pycrfsuite

        self.lexicon = lexicon
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))

    def tag(self, doc: Doc) -> list[str]:
        if len(doc) == 0:
            return []
        return list(self._tagger.tag(features(doc, self.lexicon)))


@lru_cache(maxsize=2)
def load_tagger(folder: str | None = None) -> CrfTagger:
    from stanceline.models import model_file

    if folder is None:
        model, cues = model_file(MODEL_NAME, "model.crfsuite"), model_file(MODEL_NAME, "cues.json")
    else:
        model, cues = Path(folder) / "model.crfsuite", Path(folder) / "cues.json"
    return CrfTagger(model, CueLexicon.load(cues))
