"""One record per speaker, per speech event, per target."""

from __future__ import annotations

from stanceline.events import group_speech_events
from stanceline.records import Judgement, PartialDate, Speaker, Statement

KHAMENEI = Speaker("Khamenei", "Ali Khamenei", "person", "ali-khamenei")
ZARIF = Speaker("Zarif", "Mohammad Javad Zarif", "person", "zarif")


def _st(start: int, text: str, kind: str = "direct", speaker: Speaker = KHAMENEI, date: PartialDate | None = None,
        target: str | None = "negotiation with US", stance: str = "oppose", cue: str = "say") -> Statement:
    return Statement("d", start, start + len(text), text, speaker, cue, kind, "t", date=date,  # type: ignore[arg-type]
                     date_source="explicit" if date else "none",
                     judgements=(Judgement(target, stance if target else None, 0.7, produced_by="t"),))  # type: ignore[arg-type]


def test_events_letter_quoted_in_parts_is_one_event() -> None:
    text = "x" * 400
    merged = group_speech_events([_st(0, "we will never negotiate"), _st(60, "stay in your palace and dream of meeting us", cue="add")], text)
    assert len(merged) == 1


def test_events_continuation_with_another_position_is_a_second_statement() -> None:
    text = "x" * 400
    merged = group_speech_events([_st(0, "we do not want pointless talks"),
                                  _st(60, "only a deal that lifts sanctions", kind="indirect", cue="add", stance="conditional")], text)
    assert len(merged) == 2


def test_events_two_full_reports_stay_apart() -> None:
    text = "x" * 400
    merged = group_speech_events([_st(0, "the money will be spent wherever we need it"),
                                  _st(80, "told reporters that the exchange builds trust", kind="indirect", cue="tell")], text)
    assert len(merged) == 2


def test_events_different_dates_stay_apart() -> None:
    text = "x" * 400
    merged = group_speech_events([_st(0, "we will burn the deal", date=PartialDate(2016, 6, 15)),
                                  _st(60, "we will shred the deal", date=PartialDate(2017, 10, 19))], text)
    assert len(merged) == 2


def test_events_another_speaker_in_between_separates() -> None:
    text = "x" * 400
    merged = group_speech_events([_st(0, "talks are poison"), _st(40, "talks are useful", speaker=ZARIF, stance="support"),
                                  _st(90, "we will never sit with them")], text)
    assert len(merged) == 3


def test_events_repeated_quote_far_away_is_the_same_event() -> None:
    text = "x" * 5000
    merged = group_speech_events([_st(0, "negotiations are poison"), _st(4000, "negotiations, as he said, are a poison", kind="indirect")], text)
    assert len(merged) == 1


def test_events_two_different_indirect_reports_stay_apart() -> None:
    text = "x" * 600
    merged = group_speech_events([_st(0, "reiterated his refusal to negotiate with the US now", kind="indirect"),
                                  _st(200, "instructed officials to keep the deal with Europe alive", kind="indirect")], text)
    assert len(merged) == 2


def test_events_keep_the_best_date_of_the_group() -> None:
    text = "x" * 400
    merged = group_speech_events([_st(0, "said talks were useless", kind="indirect", date=PartialDate(2019, 5, 14)),
                                  _st(80, "talks with them are useless and harmful")], text)
    assert len(merged) == 1 and merged[0].date == PartialDate(2019, 5, 14)
