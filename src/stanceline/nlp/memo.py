"""The same attribute rules and lemmas as ``en_core_web_sm``, remembered instead of recomputed.

The stock ``attribute_ruler`` runs a token matcher with 179 patterns over every token of every
document, and the rule lemmatizer recomputes every base form (its own cache skips them). Both are
deterministic functions of a few token attributes:

- a one-token attribute pattern tests only the token's TAG, LOWER, DEP and IS_SPACE, so what the
  ruler writes on a token is a function of those four values (plus, for the few patterns of two
  tokens, of the neighbour: those are tested directly on each document);
- the lemmatizer's answer is a function of (ORTH, POS, MORPH) — the key its own cache uses.

``remember_attributes(nlp)`` puts one component in place of the two that looks each key up once
per process and otherwise asks the stock components (kept, disabled, inside it). Its output is
identical to theirs (``tests/nlp/test_memo.py`` compares every token attribute); anything the
memo does not understand (an operator other than IN / NOT_IN / REGEX, a pattern over other
attributes) leaves the stock components in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

if TYPE_CHECKING:
    from spacy.pipeline import AttributeRuler, Lemmatizer

NAME = "stanceline_memo"
_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_MAX_ENTRIES = 200_000  # a bound on memory for a process that reads a great deal of text


def _value_test(spec: Any) -> Callable[[Any], bool] | None:
    """A predicate over one attribute value for a matcher token spec, or None if not understood."""
    if isinstance(spec, (str, bool, int)):
        return lambda value: value == spec
    if isinstance(spec, dict) and len(spec) == 1:
        (op, arg), = spec.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda value: value in allowed
        if op == "NOT_IN":
            banned = frozenset(arg)
            return lambda value: value not in banned
        if op == "REGEX":
            pattern = re.compile(arg)
            return lambda value: isinstance(value, str) and pattern.search(value) is not None
    return None


def _token_test(spec: dict[str, Any]) -> Callable[[tuple[str, str, str, bool]], bool] | None:
    tests = []
    for attr, value in spec.items():
        if attr not in _KEYS:
            return None
        test = _value_test(value)
        if test is None:
            return None
        tests.append((_KEYS.index(attr), test))
    return lambda values: all(test(values[k]) for k, test in tests)


class _Rules:
    """The ruler's patterns as predicates: one-token ones indexed by the TAG or LOWER value they
    require (so that a new key tests only the few that can match), and longer ones."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.by_tag: dict[str, list[tuple[int, Callable[[tuple[str, str, str, bool]], bool]]]] = {}
        self.by_lower: dict[str, list[tuple[int, Callable[[tuple[str, str, str, bool]], bool]]]] = {}
        self.other: list[tuple[int, Callable[[tuple[str, str, str, bool]], bool]]] = []
        self.longer: list[tuple[int, list[Callable[[tuple[str, str, str, bool]], bool]], int]] = []
        self.understood = True
        entries: list[dict[str, Any]] = ruler.patterns
        for attr_id, entry in enumerate(entries):
            for tokens in entry["patterns"]:
                tests = [_token_test(t) for t in tokens]
                if not tokens or any(t is None for t in tests):
                    self.understood = False
                    return
                at: int = entry["index"]
                index = at if at >= 0 else len(tokens) + at
                if len(tokens) > 1:
                    self.longer.append((attr_id, tests, index))  # type: ignore[arg-type]
                elif isinstance(tokens[0].get("TAG"), str):
                    self.by_tag.setdefault(tokens[0]["TAG"], []).append((attr_id, tests[0]))  # type: ignore[arg-type]
                elif isinstance(tokens[0].get("LOWER"), str):
                    self.by_lower.setdefault(tokens[0]["LOWER"], []).append((attr_id, tests[0]))  # type: ignore[arg-type]
                else:
                    self.other.append((attr_id, tests[0]))  # type: ignore[arg-type]

    def single(self, values: tuple[str, str, str, bool]) -> tuple[int, ...]:
        """The attr_ids of the one-token patterns that match a token with these values, in order."""
        candidates = [*self.by_tag.get(values[0], ()), *self.by_lower.get(values[1], ()), *self.other]
        return tuple(sorted({attr_id for attr_id, test in candidates if test(values)}))


_Merged = tuple[int, int, int, dict[int, Any]]  # POS, MORPH, LEMMA (-1: not written), other attributes
_Found = tuple[tuple[int, ...], _Merged, tuple[int, ...]]  # one-token attr_ids, what they write, longer patterns begun


class MemoAttributes:
    """``attribute_ruler`` followed by ``lemmatizer``, each answer computed once per key."""

    def __init__(self, ruler: AttributeRuler, lemmatizer: Lemmatizer | None) -> None:
        self.ruler = ruler
        self.lemmatizer = lemmatizer
        self.rules = _Rules(ruler)
        # (TAG, LOWER, DEP, IS_SPACE) → the attr_ids of the one-token patterns that match, and
        # the longer patterns whose first token matches.
        self._attrs: dict[tuple[int, int, int, int], _Found] = {}
        self._lemmas: dict[tuple[int, int, int], int] = {}

    def _values(self, key: tuple[int, int, int, int]) -> tuple[str, str, str, bool]:
        strings = self.ruler.vocab.strings
        return strings[key[0]], strings[key[1]], strings[key[2]], bool(key[3])

    def _merge(self, attr_ids: Any) -> _Merged:
        """What the patterns ``attr_ids`` write, applied in the ruler's order (later ones win):
        POS, MORPH, LEMMA (-1 where none writes it) and any other attribute."""
        pos = morph = lemma = -1
        other: dict[int, Any] = {}
        for attr_id in sorted(attr_ids):
            for attr, value in self.ruler.attrs[attr_id].items():
                if attr == POS:
                    pos = value
                elif attr == MORPH:
                    morph = value
                elif attr == LEMMA:
                    lemma = value
                else:
                    other[attr] = value
        return pos, morph, lemma, other

    def _lookup(self, key: tuple[int, int, int, int]) -> _Found:
        found = self._attrs.get(key)
        if found is None:
            values = self._values(key)
            single = self.rules.single(values)
            starts = tuple(j for j, (_, tests, _) in enumerate(self.rules.longer) if tests[0](values))
            found = (single, self._merge(single), starts)
            if len(self._attrs) < _MAX_ENTRIES:
                self._attrs[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        keys: list[tuple[int, int, int, int]] = [tuple(row) for row in doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()]
        found = [self._lookup(key) for key in keys]
        merged = [m for _, m, _ in found]
        extra: dict[int, list[int]] = {}
        for i, (_, _, starts) in enumerate(found):
            for j in starts:  # a longer pattern may start here: test the rest of it
                attr_id, tests, index = self.rules.longer[j]
                rest = range(1, len(tests))
                if i + len(tests) <= n and all(tests[k](self._values(keys[i + k])) for k in rest):
                    extra.setdefault(i + index, []).append(attr_id)
        for i, attr_ids in extra.items():
            merged[i] = self._merge([*found[i][0], *attr_ids])
        columns = [POS, MORPH, LEMMA]
        table = doc.to_array(columns)
        for i, (pos, morph, lemma, other) in enumerate(merged):
            if pos >= 0:
                table[i, 0] = pos
            if morph >= 0:
                table[i, 1] = morph
            if lemma >= 0:
                table[i, 2] = lemma
            if other:  # TAG and DEP exceptions: rare, set as the ruler sets them
                set_token_attrs(doc[i], other)
        doc.from_array(columns, table)  # type: ignore[arg-type]
        if self.lemmatizer is not None:
            self._lemmatize(doc)
        return doc

    def _lemmatize(self, doc: Doc) -> None:
        lemmatizer = self.lemmatizer
        assert lemmatizer is not None
        overwrite = lemmatizer.overwrite
        strings = lemmatizer.vocab.strings
        memo = self._lemmas
        table = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = table[:, 3].copy()
        for i, (orth, pos, morph, current) in enumerate(table.tolist()):
            if not overwrite and current != 0:
                continue
            key = (orth, pos, morph)
            lemma = memo.get(key)
            if lemma is None:
                lemma = strings.add(lemmatizer.lemmatize(doc[i])[0])
                if len(memo) < _MAX_ENTRIES:
                    memo[key] = lemma
            lemmas[i] = lemma
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]


@Language.factory(NAME)
def _make_memo(nlp: Language, name: str) -> MemoAttributes:
    # Called by ``remember_attributes`` only when a lemmatizer in the pipeline directly follows the ruler.
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    return MemoAttributes(nlp.get_pipe("attribute_ruler"), lemmatizer)  # type: ignore[arg-type]


def remember_attributes(nlp: Language) -> Language:
    """Replace ``attribute_ruler`` (and the rule ``lemmatizer`` right after it) by one memoised
    component with the same output; ``nlp`` unchanged if its pipeline is not the expected shape."""
    names = nlp.pipe_names
    if NAME in nlp.component_names or "attribute_ruler" not in names:
        return nlp
    at = names.index("attribute_ruler")
    lemmatizer_next = at + 1 < len(names) and names[at + 1] == "lemmatizer"
    if lemmatizer_next and getattr(nlp.get_pipe("lemmatizer"), "mode", None) != "rule":
        return nlp
    if not lemmatizer_next and "lemmatizer" in names:
        return nlp  # something sits between them: leave the stock order alone
    if not _Rules(nlp.get_pipe("attribute_ruler")).understood:  # type: ignore[arg-type]
        return nlp
    nlp.add_pipe(NAME, before="attribute_ruler")
    nlp.disable_pipe("attribute_ruler")
    if lemmatizer_next:
        nlp.disable_pipe("lemmatizer")
    return nlp
