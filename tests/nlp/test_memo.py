"""The memoised attribute rules and lemmas give exactly what the stock components give."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from stanceline.nlp import load_nlp  # noqa: E402
from stanceline.nlp.memo import NAME, remember_attributes  # noqa: E402

# Written for this test: the patterns of two tokens ("ain't", "gonna", "gotta", "let's", "y'all",
# expletive "there is"), tags the tag map covers, spaces, numbers, quotes, a repeated text (second
# time from the memo).
TEXTS = [
    "The foreign minister said on Tuesday that Tehran ain't gonna return to the talks under pressure.",
    "There is a window, there's still time, and there were offers on the table, the envoy told reporters.",
    "Let's be clear: y'all gotta see that the sanctions hurt ordinary people, she wrote in 2019.",
    "“We have no objection to talking,” he said.  “But not with a gun to our head.”\n\nAnalysts disagreed.",
    "Negotiators met 3 times in Vienna; the U.S. delegation's proposals — 12 pages — were rejected.",
    "The spokesmen were meeting, had met, and will be meeting again; the better offers came later, best of all.",
    "The foreign minister said on Tuesday that Tehran ain't gonna return to the talks under pressure.",
]
ATTRS = ("text", "tag_", "pos_", "morph", "lemma_", "dep_", "is_sent_start")


def _reading(doc):  # type: ignore[no-untyped-def]
    return [tuple(str(getattr(t, a)) for a in ATTRS) + (t.head.i,) for t in doc]


@pytest.fixture(scope="module")
def pipelines():  # type: ignore[no-untyped-def]
    fresh = load_nlp.__wrapped__  # not the cached pipeline other tests may have changed
    stock = fresh("en_core_web_sm", ("ner",))
    memo = remember_attributes(fresh("en_core_web_sm", ("ner",)))
    return stock, memo


def test_the_memo_replaces_the_attribute_ruler_and_lemmatizer(pipelines) -> None:  # type: ignore[no-untyped-def]
    stock, memo = pipelines
    assert "attribute_ruler" in stock.pipe_names and "lemmatizer" in stock.pipe_names
    assert memo.pipe_names[-1] == NAME
    assert "attribute_ruler" not in memo.pipe_names and "lemmatizer" not in memo.pipe_names
    assert remember_attributes(memo).pipe_names == memo.pipe_names  # idempotent


def test_every_token_attribute_is_the_stock_one(pipelines) -> None:  # type: ignore[no-untyped-def]
    stock, memo = pipelines
    for expected, got in zip(stock.pipe(TEXTS), memo.pipe(TEXTS), strict=True):
        assert _reading(got) == _reading(expected)
    # The two-token patterns fired where they should (the memo cannot have skipped them).
    doc = memo(TEXTS[0])
    lemmas = {t.lower_: t.lemma_ for t in doc}
    assert lemmas["ai"] == "be" and lemmas["gon"] == "go" and lemmas["na"] == "to"
    there = memo("There is a window.")
    assert there[1].pos_ == "VERB"


def test_the_pipeline_parses_through_the_memo(resources) -> None:  # type: ignore[no-untyped-def]
    assert NAME in resources.extractor.nlp.pipe_names


def test_patterns_it_does_not_understand_leave_the_stock_components(pipelines) -> None:  # type: ignore[no-untyped-def]
    nlp = load_nlp.__wrapped__("en_core_web_sm", ("ner",))
    nlp.get_pipe("attribute_ruler").add([[{"LOWER": "deal", "OP": "+"}]], {"LEMMA": "deal"})
    assert remember_attributes(nlp).pipe_names == load_nlp.__wrapped__("en_core_web_sm", ("ner",)).pipe_names
