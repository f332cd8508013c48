from __future__ import annotations

from typing import Any

import pytest

from stanceline.actors.pack import Event
from stanceline.analyze import arguments, division, exports, outlets, report, rhetoric, shifts, spans, timelines
from stanceline.records import PartialDate


def row(i: int, actor: str, date: str, stance: str | None, target: str | None = "talks", **extra: Any) -> dict[str, Any]:
    return {"id": f"s{i}", "actor_id": actor, "speaker": actor.title(), "date": date, "date_sort": date, "stance": stance,
            "target": target, "text": f"text {i}", "document_id": "d", **extra}


@pytest.mark.parametrize(("date", "grain", "expected"), [
    ("2019-05-14", "year", "2019"), ("2019-05-14", "month", "2019-05"), ("2019-05-14", "day", "2019-05-14"),
    ("2019-05-14", "week", "2019-W19"), ("2019-01-01", "week", "2019-W00"), ("2019", "month", None), (None, "year", None),
])
def test_period_of_labels(date: str | None, grain: timelines.Grain, expected: str | None) -> None:
    assert timelines.period_of(date, grain) == expected


@pytest.mark.parametrize(("counts", "expected"), [
    ({"support": 2}, 1.0), ({"oppose": 1, "support": 1}, 0.0), ({"conditional": 2}, 0.5),
    ({"oppose": 1, "neutral": 1}, -0.5), ({}, None),
])
def test_net_score_range(counts: dict[str, int], expected: float | None) -> None:
    assert timelines.net_score(counts) == expected


def test_stance_timeline_counts_per_period_and_skips_off_target() -> None:
    rows = [row(1, "a", "2019-01-02", "oppose"), row(2, "a", "2019-03-02", "oppose"), row(3, "a", "2020-01-01", "support"),
            row(4, "a", "2020-02-01", None, target=None)]
    points = timelines.stance_timeline(rows, "year")
    assert [(p.period, p.total, p.net) for p in points] == [("2019", 2, -1.0), ("2020", 1, 1.0)]


def test_timelines_by_groups_rows() -> None:
    rows = [row(1, "a", "2019-01-02", "oppose"), row(2, "b", "2019-03-02", "support")]
    by = timelines.timelines_by(rows, lambda r: [r["actor_id"]], "year")
    assert {k: v[0].net for k, v in by.items()} == {"a": -1.0, "b": 1.0}


def test_find_shifts_reports_change_with_evidence_and_gap() -> None:
    rows = [row(1, "a", "2019-05-01", "oppose"), row(2, "a", "2019-06-01", "oppose"), row(3, "a", "2021-01-10", "support"),
            row(4, "b", "2019-01-01", "support"), row(5, "b", "2020-01-01", "support")]
    found = shifts.find_shifts(rows, "year")
    assert len(found) == 1
    s = found[0]
    assert (s.actor_id, s.before_stance, s.after_stance, s.before_period, s.after_period) == ("a", "oppose", "support", "2019", "2021")
    assert s.before_ids == ("s1", "s2") and s.after_ids == ("s3",)
    assert s.gap_days == 589 and s.strength == 2.0


def test_find_shifts_ranks_recent_first_and_drops_weak() -> None:
    rows = [row(1, "a", "2015-01-01", "oppose"), row(2, "a", "2016-01-01", "support"),
            row(3, "b", "2020-01-01", "oppose"), row(4, "b", "2021-01-01", "support"),
            row(5, "c", "2020-01-01", "support"), row(6, "c", "2021-01-01", "conditional")]
    assert [s.actor_id for s in shifts.find_shifts(rows, "year")] == ["b", "c", "a"]
    assert [s.actor_id for s in shifts.find_shifts(rows, "year", min_strength=1.0)] == ["b", "a"]


@pytest.mark.parametrize(("stances", "expected"), [
    ({"x": ["oppose"], "y": ["oppose"]}, 0.0),
    ({"x": ["oppose"], "y": ["support"]}, 0.6309),
    ({"x": ["oppose"], "y": ["support"], "z": ["conditional"]}, 1.0),
    ({"x": ["oppose"] * 9, "y": ["support"]}, 0.6309),  # a loud faction counts as much as a quiet one
])
def test_division_index_entropy_across_factions(stances: dict[str, list[str]], expected: float) -> None:
    rows = [row(i, f, "2019-01-01", s) for f, ss in stances.items() for i, s in enumerate(ss)]
    points = division.division_index(rows, lambda r: [r["actor_id"]], "year")
    assert points[0].index == expected


def test_division_index_uses_faction_on_statement_date(pack) -> None:  # type: ignore[no-untyped-def]
    from stanceline.analyze.factions import faction_resolver

    factions_of = faction_resolver(pack)
    assert "supreme-leader-office" in factions_of({"actor_id": "ali-khamenei", "date_sort": "2019-05-14"})
    assert factions_of({"actor_id": "provisional:someone", "date_sort": "2019-05-14"}) == []


def test_outlet_map_counts_sides_speakers_and_carriers() -> None:
    rows = [row(1, "a", "2019-01-01", "oppose", outlet="Kayhan"), row(2, "b", "2019-01-02", "oppose", outlet="Kayhan", carrier="Fars"),
            row(3, "c", "2019-01-03", "support", outlet="Arman")]
    m = outlets.outlet_map(rows)
    assert [o.outlet for o in m] == ["Kayhan", "Arman"]
    assert m[0].stances["oppose"] == 2 and m[0].net == -1.0 and m[0].carried_from == (("Fars", 1),)
    assert outlets.reported_by_chains(rows) == [{"speaker": "B", "carrier": "Fars", "outlet": "Kayhan", "count": 1}]


def test_argument_map_counts_first_last_and_polarity(pack) -> None:  # type: ignore[no-untyped-def]
    rows = [row(1, "a", "2019-01-01", "oppose", argument="futile", argument_id="futility"),
            row(2, "b", "2020-01-01", "oppose", argument="futile", argument_id="futility"),
            row(3, "c", "2021-01-01", "support", argument="free text reason")]
    uses = arguments.argument_map(rows, pack.arguments)
    assert (uses[0].argument_id, uses[0].count, uses[0].first_seen, uses[0].last_seen, uses[0].polarity) == (
        "futility", 2, "2019-01-01", "2020-01-01", "against")
    split = arguments.for_and_against(uses)
    assert [u.argument_id for u in split["against"]] == ["futility"] and split["other"][0].polarity == "unknown"


def test_rhetoric_vs_action_only_with_recorded_events() -> None:
    rows = [row(1, "a", "2018-04-01", "support"), row(2, "a", "2017-01-01", "support"), row(3, "b", "2018-04-01", "support")]
    event = Event("withdrawal", PartialDate(2018, 5, 8), "A withdrew", ("a",), "withdrawal")
    found = rhetoric.rhetoric_vs_action(rows, [event])
    assert [(f.statement_id, f.days_before_event) for f in found] == [("s1", 37)]
    assert rhetoric.rhetoric_vs_action(rows, [Event("x", PartialDate(2018, 5, 8), "no actors", (), "withdrawal")]) == []


def test_segments_mark_statement_speaker_and_cue() -> None:
    text = 'Zarif said "talks are good" today.'
    r = {"start": text.index("talks"), "end": text.index('" today'), "speaker_text": "Zarif", "cue": "say"}
    segs = spans.segments(text, spans.find_marks(r, text))
    assert "".join(s.text for s in segs) == text
    assert {s.text: s.kinds for s in segs if s.kinds} == {"talks are good": ("statement",), "Zarif": ("speaker",), "said": ("cue",)}


def test_graphml_reads_back_with_stance_and_outlet_edges() -> None:
    nx = pytest.importorskip("networkx")
    import io

    rows = [row(1, "a", "2019-01-01", "oppose", outlet="Kayhan & <Co>"), row(2, "a", "2019-01-02", "oppose", outlet="Kayhan & <Co>")]
    g = nx.read_graphml(io.BytesIO(exports.to_graphml(rows).encode()))
    assert g.edges["actor:a", "target:talks"]["stance"] == "oppose" and g.edges["actor:a", "target:talks"]["weight"] == 2
    assert g.nodes["outlet:Kayhan & <Co>"]["type"] == "outlet"


def test_plover_keeps_only_stance_events() -> None:
    rows = [row(1, "a", "2019-01-01", "oppose"), row(2, "a", "2019-01-01", "support"), row(3, "a", "2019-01-01", "conditional"),
            row(4, "a", "2019-01-01", "neutral"), row(5, "a", "2019-01-01", None, target=None)]
    assert [e["event_type"] for e in exports.to_plover(rows)] == ["REJECT", "AGREE", "REQUEST"]


def test_parquet_round_trip_keeps_lists() -> None:
    import io

    import pyarrow.parquet as pq

    fields = ["id", "start", "conditions", "confidence"]
    blob = exports.to_parquet([{"id": "s1", "start": 3, "conditions": ["if relief"], "confidence": 0.5}], fields)
    assert pq.read_table(io.BytesIO(blob)).to_pylist() == [{"id": "s1", "start": 3, "conditions": ["if relief"], "confidence": 0.5}]


def test_briefing_groups_by_stance_then_faction() -> None:
    rows = [row(1, "a", "2019-01-01", "oppose"), row(2, "b", "2019-01-01", "support"), row(3, "c", "2010-01-01", "support")]
    b = report.build_briefing(rows, lambda r: ["f1"] if r["actor_id"] == "a" else [], {"f1": "Hardliners"}, since="2015")
    assert b.total == 2 and list(b.groups) == ["oppose", "support"]
    assert list(b.groups["oppose"]) == ["Hardliners"] and list(b.groups["support"]) == ["Unaffiliated"]
    md = report.briefing_markdown(b)
    assert "## Oppose" in md and "| Hardliners | 2019-01-01 | A | text 1 |" in md


MARKDOWN_PAYLOADS = [
    '<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned = 2">',
    '[click me](javascript:alert(1))', '![x](https://evil.example/track.png)', '<a href="javascript:alert(3)">x</a>',
    '<https://evil.example/autolink>', '`code` and **bold** | a new cell | <iframe src="//evil.example">',
]


def test_markdown_report_renders_article_html_and_links_inert() -> None:
    from markdown_it import MarkdownIt

    rows = [row(i, "ali-khamenei", "2019-05-14", "oppose", text=f"He said {p} today.", speaker=p, outlet=p, target=p)
            for i, p in enumerate(MARKDOWN_PAYLOADS)]
    md = report.briefing_markdown(report.build_briefing(rows, lambda r: [], {}, None, None))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    for tag in ("<script", "<img", "<a ", "<iframe", "<code", "<strong"):
        assert tag not in html, (tag, html)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html  # shown as text
    assert "[click me](javascript:alert(1))" in html
    assert html.count("<tr>") == len(MARKDOWN_PAYLOADS) + 1  # the header and one row per statement
    assert html.count("<td>") == 6 * len(MARKDOWN_PAYLOADS)  # no payload opened a cell


def test_markdown_report_title_escapes_the_target() -> None:
    md = report.briefing_markdown(report.build_briefing([], lambda r: [], {}, "<script>x</script>", None))
    assert md.splitlines()[0] == "# Who stands where on &lt;script&gt;x&lt;/script&gt;"
