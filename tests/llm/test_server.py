"""llm.v1 against a real OpenAI-compatible server (llama.cpp, Gemma 3 270M; see conftest.py).

No stand-in answers the requests here: extraction, judging, grounding, the cache and the
fallbacks all run against the real server. A 270M model's answers are poor; what is asserted is
what the project guarantees whatever the model says: every stored evidence and speaker mention is
an exact substring of the text, answers are cached and reused, and failures fall back with a
recorded reason.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from stanceline.config import Settings
from stanceline.llm.cache import MemoryCache
from stanceline.llm.config import LLMConfig
from stanceline.pipeline import ResourceSpec, load_resources, process_document
from stanceline.records import STANCES, RawInput
from tests.llm.conftest import MODEL_ALIAS

pytestmark = pytest.mark.slow

# Written for these tests.
ARTICLE = """Muscat round ends without a date for the next meeting

MUSCAT, May 12, 2025 — Iranian President Masoud Pezeshkian said on Sunday that "talks with the United States \
can go on as long as Washington stops threatening us." He added that his government would not accept \
negotiations under pressure.

A senior Republican senator, Lindsey Graham, warned that "any deal that leaves Iran with enrichment is a bad deal."

Omani officials said the mediators would meet both delegations again next week.
"""


def llm_settings(settings: Settings, url: str, **changes: object) -> Settings:
    values = {"llm_url": url, "llm_model": MODEL_ALIAS, "llm_response_format": "json_schema",
              "llm_max_tokens": 700, "llm_timeout_s": 300.0, "extractor": "llm.v1", "judge": "llm.v1"}
    values.update(changes)
    return settings.model_copy(update=values)


def config_of(settings: Settings) -> LLMConfig:
    from stanceline.llm.config import llm_config

    return llm_config(settings)


def run(settings: Settings, text: str = ARTICLE, cache: object = None):  # type: ignore[no-untyped-def]
    from stanceline.services.core import resource_spec

    spec = resource_spec(settings)
    resources = load_resources(spec)
    if cache is not None:  # a fresh cache: this call must reach the server
        for component in (resources.extractor, resources.judge):
            if hasattr(component, "asker"):
                component.asker.cache = cache
    return process_document(RawInput("muscat.txt", text.encode("utf-8"), "text/plain"), resources)


def test_ingest_stores_only_grounded_statements_and_caches_the_answers(llm_server: str, settings: Settings,
                                                                        tmp_path: Path) -> None:
    from sqlalchemy import select

    from stanceline.services.core import ingest
    from stanceline.storage import open_store
    from stanceline.storage.tables import document_processing, llm_cache

    (tmp_path / "muscat.txt").write_text(ARTICLE, encoding="utf-8")
    s = llm_settings(settings, llm_server)
    report = ingest([str(tmp_path / "muscat.txt")], s)
    assert report.new == 1 and report.quarantined == 0
    store = open_store(s.db)
    try:
        doc = store.documents()[0]
        text = store.document(doc["id"])["text"]
        rows = store.statement_rows()
        with store.engine.connect() as conn:
            cached = conn.execute(select(llm_cache.c.task, llm_cache.c.model, llm_cache.c.prompt_version)
                                  .where(llm_cache.c.document_id == doc["id"])).all()
            processing = conn.execute(select(document_processing)).one()
    finally:
        store.close()
    # The grounding guarantee: no stored statement whose evidence is not the text's own characters.
    for row in rows:
        assert text[row["start"] : row["end"]] == row["text"]
        if row["speaker_start"] is not None:
            assert row["speaker_text"] == text[row["speaker_start"] : row["speaker_end"]]
        assert row["produced_by"].startswith(("llm.v1/p1/", "attribution.v2"))
    assert ("extract", MODEL_ALIAS, "p1") in {tuple(c) for c in cached}
    assert (processing.extractor, processing.judge) == ("llm.v1", "llm.v1")
    # Whatever the small model said was either stored or counted.
    assert rows or (processing.note and "dropped" in processing.note) or not cached


def test_a_cached_answer_costs_no_request(llm_server: str, settings: Settings) -> None:
    s = llm_settings(settings, llm_server)
    cache = MemoryCache()
    first = run(s, cache=cache)
    assert not any("failed" in note for note in first.notes)
    # The same document, prompt version and model with the endpoint gone: served from the cache.
    spec = replace(load_resources_spec(s), llm=replace(config_of(s), url="http://127.0.0.1:9/v1", max_retries=0))
    resources = load_resources(spec)
    resources.extractor.asker.cache = cache  # type: ignore[attr-defined]
    resources.judge.asker.cache = cache  # type: ignore[attr-defined]
    again = process_document(RawInput("muscat.txt", ARTICLE.encode("utf-8"), "text/plain"), resources)
    assert again.notes == first.notes
    assert [(x.start, x.end, x.speaker.name, x.judgement) for x in again.statements] == \
           [(x.start, x.end, x.speaker.name, x.judgement) for x in first.statements]


def load_resources_spec(settings: Settings) -> ResourceSpec:
    from stanceline.services.core import resource_spec

    return resource_spec(settings)


def test_a_timeout_falls_back_to_the_default_extractor_and_says_why(llm_server: str, settings: Settings) -> None:
    s = llm_settings(settings, llm_server, llm_timeout_s=0.05, llm_max_retries=1)
    processed = run(s, cache=MemoryCache())
    assert processed.quarantine is None and processed.statements
    assert any("extraction failed (timeout)" in note and "attribution.v2 ran instead" in note for note in processed.notes)
    assert any("judging failed" in note for note in processed.notes)
    assert {x.produced_by for x in processed.statements} == {"attribution.v2"}
    assert all(j.produced_by != "" and not j.produced_by.startswith("llm.v1") for x in processed.statements for j in x.judgements)


def test_answers_that_are_not_json_fall_back_after_one_retry(llm_server: str, settings: Settings) -> None:
    s = llm_settings(settings, llm_server, llm_response_format="none", llm_max_tokens=64, extractor="attribution.v2")
    processed = run(s, cache=MemoryCache())
    # Without a schema this model does not answer with a JSON object within 64 tokens (greedy
    # decoding: the same answer every time), asked twice: the default judge judges instead.
    assert processed.notes == ("llm.v1 judging failed (malformed json); cascade.v2 judged instead",)
    assert processed.statements
    assert all(j.produced_by == "cascade.v2" for x in processed.statements for j in x.judgements)


def test_hybrid_the_default_extractor_finds_and_the_model_judges(llm_server: str, settings: Settings) -> None:
    s = llm_settings(settings, llm_server, extractor="attribution.v2")
    processed = run(s, cache=MemoryCache())
    text = processed.document.text  # type: ignore[union-attr]
    assert processed.statements and {x.produced_by for x in processed.statements} == {"attribution.v2"}
    judged_by = {j.produced_by for x in processed.statements for j in x.judgements}
    assert any(name.startswith(f"llm.v1/p1/{MODEL_ALIAS}") for name in judged_by), processed.notes
    for x in processed.statements:
        for j in x.judgements:
            assert j.stance in (*STANCES, None)
            assert all(c in text for c in j.conditions)


def test_the_judge_command_with_the_model(llm_server: str, settings: Settings) -> None:
    from stanceline.services.judging import judge_items

    s = llm_settings(settings, llm_server)
    items = [{"text": "We will never negotiate with America while it threatens us.", "target": "negotiation-with-us",
              "speaker": "Ali Khamenei"},
             {"text": "Talks are the only way forward, and we are ready for them.", "target": "negotiation-with-us"}]
    out = judge_items(items, s)
    assert len(out) == 2
    for record in out:
        assert "error" not in record, record
        assert record["stance"] in (*STANCES, None)
        assert record["judged_by"].startswith(("llm.v1/p1/", "cascade.v2"))
    json.dumps(out)
