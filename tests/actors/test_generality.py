"""The same pipeline on another negotiation's pack (US–North Korea, 2018–2019): nothing Iran-specific."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanceline.records import PartialDate, RawInput

DPRK = Path(__file__).resolve().parents[1] / "data" / "packs" / "us_dprk"

TEXT = """Trump ready for third summit with Kim, Pyongyang demands new approach
June 20, 2019

US President Donald Trump said on Thursday that he was ready to hold a third summit with Kim Jong Un "at any time" and that talks with North Korea were going well.

Choe Son Hui, North Korea's first vice foreign minister, said that Pyongyang would not return to negotiations with the United States unless Washington abandoned its hostile policy.

Secretary of State Mike Pompeo told reporters that the United States wants "complete denuclearization" before any sanctions relief, and that he hoped to resume talks with North Korea within weeks.

The Korean Central News Agency reported that dialogue with the US was meaningless as long as military drills continued.
"""


@pytest.fixture(scope="module")
def dprk_statements():  # type: ignore[no-untyped-def]
    from stanceline.pipeline import ResourceSpec, load_resources, process_document

    resources = load_resources(ResourceSpec(pack=DPRK, extractor="attribution.v1", judge="lexicon.v1",
                                            spacy_model="en_core_web_sm"))
    result = process_document(RawInput("dprk.txt", TEXT.encode("utf-8"), "text/plain"), resources)
    assert result.quarantine is None, result.quarantine
    return {s.speaker.actor_id: s for s in result.statements}


@pytest.mark.parametrize("actor_id, target", [
    ("donald-trump", "summit with North Korea"),
    ("choe-son-hui", "talks with the United States"),
    ("kcna", "talks with the United States"),
    ("mike-pompeo", None),  # any target: the point is the speaker
])
def test_dprk_pack_pipeline_speakers_and_targets(dprk_statements, actor_id: str, target: str | None) -> None:
    assert actor_id in dprk_statements
    judgement = dprk_statements[actor_id].judgement
    assert judgement is not None and judgement.target is not None
    if target is not None:
        assert judgement.target == target


@pytest.mark.parametrize("actor_id, stances", [
    ("donald-trump", {"support"}),
    ("kcna", {"oppose", "conditional"}),  # "meaningless as long as drills continue": either reading is fair
])
def test_dprk_pack_pipeline_stance(dprk_statements, actor_id: str, stances: set[str]) -> None:
    assert dprk_statements[actor_id].judgement.stance in stances


@pytest.mark.parametrize("surface, when, expected", [
    ("North Korea's leader", "2019", "kim-jong-un"),
    ("the US secretary of state", "2018-02", "rex-tillerson"),
    ("the US secretary of state", "2018-06", "mike-pompeo"),
    ("Kim Yong-chol", "2018", "kim-yong-chol"),
    ("Pyongyang", "2019", "government-of-north-korea"),
    ("the Rodong Sinmun newspaper", "2019", "rodong-sinmun"),
    ("Kim", "2019", None),  # three Kims in the pack: a bare surname names none of them
])
def test_dprk_pack_linking(surface: str, when: str, expected: str | None) -> None:
    from stanceline.actors.linker import Linker
    from stanceline.actors.pack import load_pack

    linker = Linker(load_pack(DPRK))
    assert linker.link(surface, PartialDate.parse(when)).actor_id == expected
