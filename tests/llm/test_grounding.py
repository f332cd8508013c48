"""Grounding, chunking and the checks on a model's answers: pure functions, no server."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from stanceline.llm.extractor import chunks, judgement_from, sentence_bounds
from stanceline.llm.grounding import locate, locate_name

TEXT = ("KUWAIT CITY, March 3 — The foreign minister said on Monday that “talks are possible — if the "
        "sanctions end first.” His deputy disagreed.\n\nA second paragraph, quoting nobody at all.")


def test_exact_substring_is_found_where_it_is() -> None:
    start, end = locate(TEXT, "talks are possible")
    assert TEXT[start:end] == "talks are possible"


def test_retyped_quotes_dashes_and_spaces_are_found_and_the_text_own_characters_kept() -> None:
    span = locate(TEXT, '"talks are  possible - if the sanctions end first."')
    assert span is not None
    assert TEXT[span[0] : span[1]] == "“talks are possible — if the sanctions end first.”"


def test_words_the_text_does_not_have_are_not_grounded() -> None:
    assert locate(TEXT, "talks are impossible unless the sanctions end") is None
    assert locate(TEXT, "talks are possible if sanctions end") is None  # a paraphrase, not the text
    assert locate(TEXT, "talks") is None  # too short to point anywhere


def test_the_search_stays_inside_its_chunk_and_picks_the_nearest_occurrence() -> None:
    text = "He said talks will go on. Later she said talks will go on."
    first, second = text.index("talks"), text.rindex("talks")
    assert locate(text, "talks will go on", near=len(text))[0] == second
    assert locate(text, "talks will go on", 0, 25)[0] == first
    assert locate(text, "talks will go on", 30, len(text))[0] == second


def test_names_are_whole_words_the_last_before_the_statement_first() -> None:
    text = "Araghchi met Zarif. Later Zarif said no. Zarifi laughed."
    assert locate_name(text, "Zarif", 0, len(text), text.index("said")) == (26, 31)
    assert locate_name(text, "zarif", 0, len(text), 0) == (13, 18)  # any case, the first after
    assert locate_name(text, "Zar", 0, len(text), 40) is None


@given(st.text(min_size=0, max_size=300), st.data())
def test_whatever_is_located_is_an_exact_substring_of_the_text(text: str, data: st.DataObject) -> None:
    if len(text) >= 8:
        a = data.draw(st.integers(0, len(text) - 8))
        b = data.draw(st.integers(a + 8, len(text)))
        evidence = text[a:b]
    else:
        evidence = data.draw(st.text(max_size=20))
    span = locate(text, evidence)
    if span is not None:
        assert 0 <= span[0] < span[1] <= len(text)
        if evidence.strip() and evidence.strip() in text:
            assert text[span[0] : span[1]] == evidence.strip()


def test_chunks_cut_at_paragraph_breaks_and_cover_the_text() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(10))
    spans = chunks(text, 600)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(text[s - 1] == "\n" for s, _ in spans[1:])
    assert all(e - s <= 600 for s, e in spans)
    assert chunks("short", 600) == [(0, 5)]


def test_sentence_bounds() -> None:
    start = TEXT.index("talks")
    s, e = sentence_bounds(TEXT, start, start + 10)
    assert TEXT[s:e].startswith("KUWAIT CITY") and TEXT[s:e].endswith("first.”")


def test_answers_outside_the_pack_or_the_text_are_not_taken(pack) -> None:  # type: ignore[no-untyped-def]
    target = pack.targets[0]
    dropped: Counter[str] = Counter()
    scope = "We will talk to them if the sanctions are lifted first."
    answer = {"target": target.id, "stance": "conditional", "certainty": "high", "argument": "no-such-argument",
              "conditions": ["if the sanctions are lifted first", "if they apologise"]}
    j = judgement_from(answer, pack, scope, "llm.v1/p1/m", dropped)
    assert (j.target, j.stance, j.confidence) == (target.label, "conditional", 0.85)
    assert j.conditions == ("if the sanctions are lifted first",)
    assert j.argument is None and dropped == Counter({"condition not in text": 1})
    unknown = judgement_from({"target": "mars", "stance": "support"}, pack, scope, "x", dropped)
    assert unknown.target is None and unknown.stance is None
    bad_stance = judgement_from({"target": target.id, "stance": "enthusiastic"}, pack, scope, "x", dropped)
    assert bad_stance.stance is None


ARTICLE = ("TEHRAN, May 4, 2025 — Foreign Minister Abbas Araghchi said on Sunday that “indirect talks with "
           "Washington can continue if the threats stop.” Masoud Pezeshkian said the government would not "
           "negotiate under pressure.\n\nLindsey Graham warned that any deal with Tehran would be a mistake.\n")


def _extractor(linker):  # type: ignore[no-untyped-def]
    from stanceline.llm.config import LLMConfig
    from stanceline.llm.extractor import LLMExtractor

    return LLMExtractor(None, linker, LLMConfig(url="http://127.0.0.1:9", model="m"))  # type: ignore[arg-type]


def _document(text: str):  # type: ignore[no-untyped-def]
    from stanceline.clean import clean_input
    from stanceline.records import RawInput

    return clean_input(RawInput("a.txt", text.encode("utf-8"), "text/plain"), 1_000_000)


def test_a_model_answer_becomes_grounded_linked_dated_statements(linker) -> None:  # type: ignore[no-untyped-def]
    extractor, doc = _extractor(linker), _document(ARTICLE)
    answer = {"statements": [
        {"speaker": "Abbas Araghchi", "evidence": '"indirect talks with Washington can continue if the threats stop."',
         "cue": "said", "kind": "indirect", "date_expression": "on Sunday", "target": "negotiation-with-us",
         "stance": "conditional", "conditions": ["if the threats stop"], "argument": "none"},
        {"speaker": "he", "evidence": "the government would not negotiate under pressure", "cue": "said", "kind": "indirect",
         "date_expression": "", "target": "negotiation-with-us", "stance": "oppose", "conditions": [], "argument": "none"},
        {"speaker": "President Masoud Pezeshkian", "evidence": "the government would not negotiate under pressure",
         "cue": "said", "kind": "indirect", "date_expression": "", "target": "negotiation-with-us", "stance": "oppose",
         "conditions": [], "argument": "none"},
        {"speaker": "Lindsey Graham", "evidence": "any deal with Tehran would be a disaster", "cue": "warned",
         "kind": "indirect", "date_expression": "", "target": "negotiation-with-iran", "stance": "oppose",
         "conditions": [], "argument": "none"},
    ]}
    grounded = extractor.ground(doc, [(0, len(doc.text))], [answer])
    assert grounded.dropped == Counter({"speaker not in text": 1, "evidence not in text": 1})
    first, second = grounded.statements
    assert first.text == "indirect talks with Washington can continue if the threats stop."
    assert first.kind == "direct" and first.speaker.actor_id is not None and first.speaker.text == "Abbas Araghchi"
    assert first.date is not None and first.date.iso() == "2025-05-04"
    assert first.judgement.stance == "conditional" and first.judgement.conditions == ("if the threats stop",)
    assert second.speaker.text == "Masoud Pezeshkian" and second.kind == "indirect"  # the name as the text writes it
    assert all(s.produced_by == "llm.v1/p1/m" for s in grounded.statements)


@given(st.lists(st.fixed_dictionaries({
    "speaker": st.sampled_from(["Abbas Araghchi", "Graham", "Pezeshkian", "he", "", "Donald Trump", "Araghchi said"]),
    "evidence": st.one_of(st.text(max_size=60), st.builds(lambda a, b: ARTICLE[min(a, b) : max(a, b)],
                                                          st.integers(0, len(ARTICLE)), st.integers(0, len(ARTICLE)))),
    "cue": st.text(max_size=10), "kind": st.text(max_size=8), "date_expression": st.text(max_size=12),
    "target": st.sampled_from(["negotiation-with-us", "none", "mars", ""]),
    "stance": st.sampled_from(["support", "oppose", "conditional", "neutral", "maybe"]),
    "conditions": st.lists(st.text(max_size=30), max_size=3), "argument": st.text(max_size=10),
}), max_size=6))
def test_whatever_the_model_says_every_statement_is_the_text_own_words(linker, items) -> None:  # type: ignore[no-untyped-def]
    extractor, doc = _extractor(linker), _document(ARTICLE)
    grounded = extractor.ground(doc, [(0, len(doc.text))], [{"statements": items}])
    assert len(grounded.statements) + sum(grounded.dropped.values()) >= len(items)
    for s in grounded.statements:
        assert doc.text[s.start : s.end] == s.text and s.text.strip()
        assert doc.text[s.speaker.start : s.speaker.end] == s.speaker.text
        for j in s.judgements:
            assert all(c in doc.text for c in j.conditions)
