"""Judging on request (``services.judge_items``): any registered judge, the requested target, bad items."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from stanceline import services
from stanceline.config import Settings
from stanceline.records import Document, Judgement, Statement
from stanceline.registry import judges
from stanceline.services.judging import JUDGED_KEYS


@dataclass
class FakeJudge:
    """A plugin judge without ``judge_toward``: finds one fixed target and records what it was given."""

    name = "fake.v0"
    target: str | None = "negotiation with US"
    seen: list[tuple[Document, Statement]] = field(default_factory=list)

    def judge(self, doc: Document, statements: list[Statement]) -> list[Statement]:
        self.seen.extend((doc, s) for s in statements)
        stance = "oppose" if self.target else None
        return [s.with_judgements((Judgement(self.target, stance, 0.42 if self.target else 0.0, cues=("fake cue",),
                                             produced_by=self.name),)) for s in statements]


@pytest.fixture
def fake() -> Iterator[FakeJudge]:
    judge = FakeJudge()
    judges.register("fake.v0")(lambda pack, linker: judge)
    yield judge
    services.judging._judging.cache_clear()


@pytest.fixture
def fake_off_target() -> Iterator[FakeJudge]:
    judge = FakeJudge(target=None)
    judges.register("fake.off")(lambda pack, linker: judge)
    yield judge
    services.judging._judging.cache_clear()


def test_judge_items_echoes_the_item_and_adds_the_judgement(settings: Settings) -> None:
    item = {"id": "a1", "text": "We will never negotiate with America.", "target": "negotiation-with-us"}
    [out] = services.judge_items([item], settings)
    assert {k: out[k] for k in item} == item
    assert set(JUDGED_KEYS) <= set(out)
    assert out["stance"] == "oppose" and out["judged_by"] == Settings().judge and 0 < out["confidence"] <= 1
    assert out["explanation"].startswith("target found in the text")


def test_judge_items_accepts_the_target_label_in_any_case(settings: Settings) -> None:
    [out] = services.judge_items([{"text": "We will never negotiate with America.", "target": "NEGOTIATION WITH US"}], settings)
    assert out["stance"] == "oppose"


def test_a_target_the_judge_does_not_find_still_gets_a_stance_toward_it(settings: Settings) -> None:
    # The text names the US; the caller asks about the JCPOA: the stance is judged toward the JCPOA.
    [out] = services.judge_items([{"text": "We are ready to talk to Washington if sanctions are lifted first.",
                                   "target": "jcpoa"}], settings)
    assert out["stance"] == "conditional"
    assert "sanctions are lifted first" in " ".join(out["conditions"])
    assert out["explanation"].startswith("target given (the judge found negotiation with US")


def test_bad_items_become_error_records_and_the_rest_are_judged(settings: Settings) -> None:
    good = {"text": "We will never negotiate with America.", "target": "negotiation-with-us"}
    items = ["not an object", {"target": "jcpoa"}, {"text": "  ", "target": "jcpoa"}, {"text": "Talks.", "target": "mars"},
             {"text": "Talks.", "target": "jcpoa", "date": "yesterday"}, {"text": "x" * 5001, "target": "jcpoa"},
             {"text": "Talks.", "target": "jcpoa", "speaker": 7}, good]
    out = services.judge_items(items, settings)
    assert len(out) == len(items)
    errors = [o.get("error") for o in out[:-1]]
    assert all(errors), errors
    assert "missing 'text'" in errors[1] and "missing 'text'" in errors[2]
    assert "unknown target 'mars'" in errors[3] and "negotiation-with-us" in errors[3]
    assert "'date'" in errors[4] and "5,000" in errors[5] and "'speaker'" in errors[6]
    assert out[-1]["stance"] == "oppose" and "error" not in out[-1]


def test_judge_items_builds_context_speaker_and_date_into_the_statement(settings: Settings, fake: FakeJudge) -> None:
    services.judge_items([{"text": "Talks are a trap.", "target": "jcpoa", "speaker": "Khamenei",
                           "context": "The Leader spoke on Tuesday.", "date": "2019-05-14"}], settings, judge="fake.v0")
    [(doc, statement)] = fake.seen
    assert doc.text[statement.start:statement.end] == "Talks are a trap." == statement.text
    assert doc.text.startswith("The Leader spoke on Tuesday.")
    assert statement.speaker.actor_id == "ali-khamenei" and statement.speaker.text == "Khamenei"
    assert str(statement.date) == "2019-05-14" and str(doc.published) == "2019-05-14"


def test_a_judge_without_judge_toward_reports_its_stance_toward_the_requested_target(settings: Settings,
                                                                                       fake: FakeJudge) -> None:
    [out] = services.judge_items([{"text": "Talks are a trap.", "target": "jcpoa"}], settings, judge="fake.v0")
    assert out["stance"] == "oppose" and out["confidence"] == 0.42 and out["judged_by"] == "fake.v0"
    assert "stance judged toward negotiation with US and reported toward the given target" in out["explanation"]
    assert "fake cue" in out["explanation"]


def test_a_judge_that_finds_no_target_and_cannot_be_asked_gives_no_stance(settings: Settings,
                                                                          fake_off_target: FakeJudge) -> None:
    [out] = services.judge_items([{"text": "Nice weather.", "target": "jcpoa"}], settings, judge="fake.off")
    assert out["stance"] is None and "found no target" in out["explanation"] and "error" not in out


def test_an_unknown_judge_is_a_config_error(settings: Settings) -> None:
    from stanceline.errors import ConfigError

    with pytest.raises(ConfigError, match="no judge named 'nope'"):
        services.judge_items([{"text": "Talks.", "target": "jcpoa"}], settings, judge="nope")
