"""Pack validation (line-numbered errors, warnings), concurrent offices, faction_of, the CLI commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stanceline.actors.pack import load_pack, validate_and_build
from stanceline.errors import PackError
from stanceline.records import PartialDate

DPRK = Path(__file__).resolve().parents[1] / "data" / "packs" / "us_dprk"


def _broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(DPRK, pack)
    text = (pack / file).read_text(encoding="utf-8")
    assert old in text
    (pack / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return pack


@pytest.mark.parametrize("file, old, new, message", [
    ("actors.yaml", "start: 2018-04-09", "start: 2018-13-09", "bad date"),
    ("actors.yaml", "end: 2019-09-10", "end: 2017-09-10", "ends before it starts"),
    ("actors.yaml", "factions: [us-administration, us-hawks]", "factions: [us-administration, us-hawk]",
     "unknown faction 'us-hawk' (did you mean 'us-hawks'?)"),
    ("actors.yaml", "office: us-dprk-envoy", "office: us-envoy", "unknown office 'us-envoy'"),
    ("actors.yaml", 'aliases: ["Bolton"]', 'aliases: ["Bolton", "Pompeo"]', "alias 'pompeo' of 'john-bolton' clashes with 'mike-pompeo'"),
    ("actors.yaml", "  - id: mike-pence\n", "  - id: mike-pompeo\n", "duplicate id 'mike-pompeo'"),
    ("actors.yaml", "    kind: person\n    country: US\n    aliases: [\"Pence\"]", "    kind: human\n    country: US\n    aliases: [\"Pence\"]", "kind must be one of"),
    ("outlets.yaml", "affiliation: independent", "affiliation: neutralish", "unknown affiliation"),
    ("offices.yaml", '"the U.S. president", "US President"', '"the U.S. president", "US Secretary of State"', "also names office"),
    ("arguments.yaml", "polarity: for", "polarity: pro", "polarity must be one of"),
    ("targets.yaml", "targets:\n", "targets:\n  - {label: no id}\n", "has no id"),
    ("factions.yaml", "factions:\n", "factions: [\n", "not valid YAML"),
])
def test_pack_validation_reports_line_numbered_problem(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    with pytest.raises(PackError) as caught:
        validate_and_build(_broken(tmp_path, file, old, new))
    assert any(p.startswith(f"{file}:") and message in p for p in caught.value.problems), caught.value.problems
    assert all(p.split(":")[1].isdigit() or p.split(":")[1] == "?" for p in caught.value.problems)


@pytest.mark.parametrize("file, old, new, message", [
    ("actors.yaml", "    aliases: [\"Pence\"]", "    aliasses: [\"Pence\"]", "unknown key 'aliasses' is ignored (did you mean 'aliases'?)"),
    ("offices.yaml", "    generic_mentions: [\"the envoy\"]", "    generic_mentions: [\"the envoy\"]\n    holders: 2", "unknown key 'holders'"),
    ("actors.yaml", "start: 2017-02-01, end: 2018-03-31", "start: 2017-02-01, end: 2018-09-30",
     "rex-tillerson"),  # two secretaries of state for months: a date typo
])
def test_pack_validation_warns_but_loads(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    pack = validate_and_build(_broken(tmp_path, file, old, new))
    assert any(message in w for w in pack.warnings), pack.warnings


def test_pack_bundled_is_valid_and_large_enough(pack) -> None:
    persons_orgs = [a for a in pack.actors.values() if a.kind != "outlet"]
    assert len(persons_orgs) >= 150 and len(pack.outlets) >= 30
    assert pack.warnings == ()


def test_pack_load_is_cached(pack) -> None:
    from stanceline.config import BUNDLED_PACK

    assert load_pack(BUNDLED_PACK) is pack


@pytest.mark.parametrize("when, expected", [("2019-05", None), ("2008", None)])
def test_pack_concurrent_office_has_no_single_holder(pack, when: str, expected: str | None) -> None:
    assert pack.office_holder("tehran-friday-prayer-leader", PartialDate.parse(when)) is expected
    assert len(pack.office_holders("tehran-friday-prayer-leader", PartialDate.parse(when))) >= 2


@pytest.mark.parametrize("actor_id, when, expected", [
    ("yonhap", "2019", []),
    ("kcna", "2019", ["dprk-state-media"]),
    ("john-bolton", "2019", ["us-administration", "us-hawks"]),
])
def test_pack_faction_of(actor_id: str, when: str, expected: list[str]) -> None:
    assert load_pack(DPRK).faction_of(actor_id, PartialDate.parse(when)) == expected


@pytest.mark.parametrize("args, code, expected", [
    (["pack", "check"], 0, "ok (0 warning(s))"),
    (["pack", "check", str(DPRK)], 0, "pack us_dprk 0.1: 18 actors"),
    (["pack", "check", str(DPRK / "actors.yaml")], 0, "pack us_dprk"),
])
def test_cli_pack_check(args: list[str], code: int, expected: str) -> None:
    from stanceline.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, result.output
    assert expected in " ".join(result.output.split())


def test_cli_pack_check_broken_exits_2_with_lines(tmp_path: Path) -> None:
    from stanceline.cli import app

    broken = _broken(tmp_path, "actors.yaml", "start: 2018-04-09", "start: 2018-04-31")
    result = CliRunner().invoke(app, ["pack", "check", str(broken)])
    assert result.exit_code == 2
    assert "actors.yaml:" in result.output and "bad date '2018-04-31'" in result.output
