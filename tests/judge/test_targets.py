"""Which target a statement is about."""

from __future__ import annotations

import pytest

from stanceline.judge.targets import matcher_for


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("We will not negotiate with Washington.", "IR", "negotiation with US"),
        ("Iran will burn the nuclear deal if the Americans do not abide by it.", "IR", "JCPOA"),
        ("Maintaining a strategic dialogue with Europe is necessary.", "IR", "negotiation with Europe"),
        ("The United States is ready to talk with Iran without preconditions.", "US", "negotiation with Iran"),
        ("The swap of prisoners between Tehran and Washington was completed.", "IR", "prisoner exchange with US"),
        ("Indirect talks through Oman will continue next week.", "IR", "indirect negotiation with US"),
    ],
)
def test_targets_pick_the_named_counterpart(pack, text: str, country: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    found, contextual = matcher_for(pack).targets(text, text, None, country)
    assert found and found[0].label == expected
    assert contextual is False


def test_targets_off_topic_is_empty(pack) -> None:  # type: ignore[no-untyped-def]
    found, _ = matcher_for(pack).targets("Oil prices rose on Monday.", "Oil prices rose on Monday.", None, "IR")
    assert found == []


def test_targets_document_default_fills_in(pack) -> None:  # type: ignore[no-untyped-def]
    matcher = matcher_for(pack)
    default = matcher.document_default("Negotiating with the US is a mistake. Talks with America bring nothing.", "Why talk to the US")
    found, contextual = matcher.targets("Negotiation is futile.", "Negotiation is futile.", default, "IR")
    assert found[0].label == "negotiation with US"
    assert contextual is True


def test_targets_anaphor_carries_the_topic(pack) -> None:  # type: ignore[no-untyped-def]
    previous = "Some politicians call for negotiations with the US."
    found, contextual = matcher_for(pack).targets("The paper questions those calls.", "The paper questions those calls.", None, "IR", previous)
    assert found and contextual


def test_targets_discussions_count_only_inside_a_document_about_a_target(pack) -> None:  # type: ignore[no-untyped-def]
    matcher = matcher_for(pack)
    default = matcher.document_default("Iran and the United States held talks in Muscat on Saturday.", "Talks in Oman")
    for text in ("It described the discussions as very positive and constructive.",
                 "Both sides said the discussions would continue next week."):
        found, contextual = matcher.targets(text, text, default, "US")
        assert found and contextual, text
        assert matcher.targets(text, text, None, "US")[0] == [], text  # no document topic: off target
