"""attribution.v2: the committed CRF loads, and the cascade finds what the rules alone miss.

Texts are written for these tests; the model was trained on other news (see its model card).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from stanceline.records import RawInput, Statement

pytestmark = pytest.mark.slow
HEAD = "Talks in focus\n\nTehran, March 3, 2019\n\n"


@pytest.fixture(scope="module")
def resources_for() -> Iterator[Callable[..., object]]:
    from stanceline.config import Settings
    from stanceline.pipeline import ResourceSpec, load_resources

    s = Settings()

    def build(extractor: str = "attribution.v2", every_attribution: bool = False) -> object:
        options = (("every_attribution", True),) if every_attribution else ()
        return load_resources(ResourceSpec(s.pack, extractor, s.judge, s.spacy_model, extractor_options=options))

    yield build


def _run(resources: object, text: str) -> list[Statement]:
    from stanceline.pipeline import process_document

    result = process_document(RawInput("t.txt", text.encode("utf-8"), "text/plain"), resources)  # type: ignore[arg-type]
    assert result.quarantine is None, result.quarantine
    return list(result.statements)


def _find(statements: list[Statement], needle: str) -> Statement | None:
    return next((s for s in statements if needle in s.text), None)


def test_model_card_and_files_ship_with_the_package() -> None:
    from stanceline.extract.crf import MODEL_NAME, load_tagger
    from stanceline.models import read_card

    card = read_card(MODEL_NAME)
    assert card.figures and all(0.0 < v <= 1.0 for row in card.figures.values() for k, v in row.items() if k.endswith("f1"))
    tagger = load_tagger()
    assert len(tagger.lexicon.lemmas) > 50 and "say" in tagger.lexicon.lemmas


def test_crf_labels_source_cue_and_content(nlp) -> None:  # type: ignore[no-untyped-def]
    from stanceline.extract.crf import decode, load_tagger

    doc = nlp("The senator argued that the sanctions bill would pass before the summer recess.")
    labels = load_tagger().tag(doc)
    found = decode(doc, labels)
    assert found, labels
    f = found[0]
    assert f.source is not None and doc[f.source[0] : f.source[1]].text.endswith("senator")
    assert "sanctions bill would pass" in doc[f.start : f.end].text


@pytest.mark.parametrize(
    ("body", "needle", "speaker"),
    [
        # indirect speech with a verb outside the rule lexicon, a pronoun subject resolved to the person before
        ("Mohammad Javad Zarif met reporters in Geneva on Monday. He maintained that Iran had kept every "
         "commitment it made under the agreement.", "Iran had kept every commitment", "Mohammad Javad Zarif"),
        # a belief verb the rules do not read as speech
        ("Ali Shamkhani believes the United States will return to the agreement within a year.",
         "United States will return to the agreement", "Ali Shamkhani"),
    ],
)
def test_v2_finds_indirect_speech_the_rules_miss(resources_for, body: str, needle: str, speaker: str) -> None:  # type: ignore[no-untyped-def]
    st = _find(_run(resources_for(), HEAD + body), needle)
    assert st is not None
    assert st.speaker.name == speaker
    assert st.produced_by == "attribution.v2"


def test_speaker_keeps_the_mention_it_was_read_from(resources_for) -> None:  # type: ignore[no-untyped-def]
    text = (HEAD + "Abbas Araghchi arrived in Muscat late on Friday. He maintained that the indirect format "
            "of the exchanges would not change before the next round.")
    st = _find(_run(resources_for(), text), "indirect format")
    assert st is not None and st.speaker.name == "Abbas Araghchi"
    assert st.speaker.start is not None and text[st.speaker.start : st.speaker.end] == "He"


def test_unidentified_sources_only_when_asked(resources_for) -> None:  # type: ignore[no-untyped-def]
    text = HEAD + "The delegation is expected to travel to Oslo next week for a second round, a source said."
    assert _find(_run(resources_for(), text), "travel to Oslo") is None
    kept = _find(_run(resources_for(every_attribution=True), text), "travel to Oslo")
    assert kept is not None and kept.speaker.text == "a source"


def test_one_paragraph_text_is_read() -> None:
    from stanceline.extract import _is_heading

    assert not _is_heading("Hassan Rouhani said on Sunday that Iran was ready to talk.", first=True)
    assert _is_heading("Rouhani ready to talk", first=True)



def test_relative_pronoun_source_is_the_noun_it_describes(resources_for) -> None:  # type: ignore[no-untyped-def]
    text = (HEAD + "The delegation was led by Abbas Araghchi, who maintained that the indirect format of the "
            "exchanges would not change before the next round.")
    st = _find(_run(resources_for(), text), "indirect format")
    assert st is not None and st.speaker.name == "Abbas Araghchi"


def test_one_paragraph_records_give_statements(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A JSONL of one-paragraph items (no title line) is read like any article, not taken for titles."""
    import json

    from stanceline import services
    from stanceline.config import load_settings

    items = [{"text": "Abbas Araghchi said on Sunday that Iran was ready to resume indirect talks with the United States."},
             {"text": "Hassan Rouhani told reporters that Tehran would not negotiate with Washington under pressure."}]
    (tmp_path / "items.jsonl").write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    settings = load_settings(db=f"sqlite:///{tmp_path / 'one.db'}")
    services.ingest([str(tmp_path / "items.jsonl")], settings, workers=1)
    speakers = {r["speaker"] for r in services.list_statements(settings)}
    assert {"Abbas Araghchi", "Hassan Rouhani"} <= speakers
