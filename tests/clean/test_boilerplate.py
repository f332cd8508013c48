"""The line classifier, rule by rule, and measured on the shared scraped seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanceline.clean import clean_input
from stanceline.clean.boilerplate import classify_line, line_hash, strip_boilerplate
from stanceline.records import RawInput

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SEEDS, GOLD = SHARED / "seeds", SHARED / "seeds_gold.jsonl"

# Junk lines of the seeds, as scraped: every one must be gone from the cleaned text.
JUNK = {
    "000": ["Font Size:", "Trump and Iran Reuters/Jonathan Ernst, Getty Images/Don Emmert",
            "The views and opinions expressed in this commentary are those of the author"],
    "001": ["أخبار المركز", "سعيد عكاشة يكتب", "نشوى عبد النبي تكتب", "د. أيمن سمير يكتب", "د. رشا مصطفى عوض تكتب",
            "إيمان الشعراوي تكتب"],
    "002": ["DONATE TO BIZPAC REVIEW", "Please help us!", "Success! Thank you for donating", "Latest posts by Hamid Enayat",
            "We have no tolerance for comments", "PLEASE JOIN OUR NEW COMMENT SYSTEM", "Latest Articles",
            "Op-ed views and opinions expressed"],
    "003": ["728 x 90"],
}


@pytest.mark.parametrize("line, reason", [
    ("728 x 90", "ad placeholder"),
    ("Font Size:", "page chrome"),
    ("Home | World | Politics | Business | Tech", "menu (separated links)"),
    ("News » Middle East » Iran", "menu (separated links)"),
    ("Trump and Iran Reuters/Jonathan Ernst, Getty Images/Don Emmert", "photo credit"),
    ("12 Comments", "counter"),
    ("~~~ ### ~~~", "punctuation only"),
    ("Iran Nuclear Deal Sanctions Trump Khamenei Rouhani Zarif Vienna Talks JCPOA", "no function words (keyword list)"),
    ("DONATE TO BIZPAC REVIEW", "boilerplate phrase"),
    ("  • Short nav item", "navigation bullet"),
])
def test_boilerplate_classify_line_removes(line: str, reason: str) -> None:
    verdict = classify_line(line, "latin")
    assert not verdict.keep and verdict.reason == reason


@pytest.mark.parametrize("line", [
    "Kazem Sediqi, Tehran’s Friday Prayer Leader",
    "Argument: The US demands ransom",
    "Iran’s leaders desperately need to open a channel of dialogue with the United States.",
    "Channels of dialogue",
    "“We will not negotiate with America,” Khamenei said.",
])
def test_boilerplate_classify_line_keeps_article_lines(line: str) -> None:
    assert classify_line(line, "latin").keep


def test_boilerplate_script_mismatch_removes_arabic_chrome_around_english() -> None:
    assert classify_line("  • سعيد عكاشة يكتب: (كوابح التصعيد", "latin").reason.startswith("script mismatch")


def test_boilerplate_lines_repeated_across_source_removed_unless_quoted() -> None:
    text = "Subscribe now for full access\nIran said talks could resume.\n“No talks,” he said.\n" + "Body sentence here. " * 5
    repeated = frozenset({line_hash("Subscribe now for full access"), line_hash("“No talks,” he said.")})
    body, removed = strip_boilerplate(text, repeated)
    assert "Subscribe now" not in body and "“No talks,” he said." in body
    assert [r.line_no for r in removed] == [1]


def test_boilerplate_removed_lines_are_kept_with_reasons() -> None:
    body, removed = strip_boilerplate("728 x 90\nIran is ready to talk, the minister said.\nFont Size:")
    assert body == "Iran is ready to talk, the minister said."
    assert [(r.line_no, r.text, r.reason) for r in removed] == [(1, "728 x 90", "ad placeholder"), (3, "Font Size:", "page chrome")]  # noqa: E501


@pytest.mark.skipif(not SEEDS.is_dir() or not GOLD.is_file(), reason="shared seeds corpus not present next to the repository")
def test_boilerplate_seeds_junk_removed_and_gold_evidence_kept() -> None:
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    junk_removed = junk_total = 0
    for path in sorted(SEEDS.glob("*.txt")):
        doc = clean_input(RawInput(str(path), path.read_bytes(), "text/plain"))
        for g in gold:
            if g["file"] == path.name:
                assert g["evidence"] in doc.text, (path.name, g["evidence"][:80])
        for junk in JUNK.get(path.name[:3], []):
            junk_total += 1
            junk_removed += junk not in doc.text
            assert any(junk in r.text for r in doc.removed), (path.name, junk)
        assert doc.language == "en"
    assert junk_removed == junk_total == 18
