"""Entity linking: transliteration variants, scripts, titles, outlets, role nouns by date, and no false links."""

from __future__ import annotations

import json
import re

import pytest

from stanceline.records import PartialDate
from tests.conftest import SEEDS, SEEDS_GOLD

D = PartialDate.parse


@pytest.mark.parametrize("surface, expected", [
    # transliteration variants (some listed as aliases, some only reachable fuzzily)
    ("Kazem Seddiqi", "kazem-seddiqi"), ("Kazem Sediqi", "kazem-seddiqi"), ("Sediqi", "kazem-seddiqi"),
    ("Kazim Seddiqi", "kazem-seddiqi"), ("Jafari", "mohammad-ali-jafari"), ("Jaffari", "mohammad-ali-jafari"),
    ("Mohammad Ali Jafary", "mohammad-ali-jafari"), ("Araghchi", "abbas-araghchi"), ("Araqchi", "abbas-araghchi"),
    ("Abbas Araghchee", "abbas-araghchi"), ("Abbas Arakchi", "abbas-araghchi"), ("Rouhani", "hassan-rouhani"),
    ("Rohani", "hassan-rouhani"), ("Hassan Rowhani", "hassan-rouhani"), ("Ali Shamkhany", "ali-shamkhani"),
    ("Masoud Pezeshkyan", "masoud-pezeshkian"), ("Hossein Salamy", "hossein-salami"),
    ("Ali Khamenehei", "ali-khamenei"), ("Ghasem Soleimani", "qasem-soleimani"),
    ("Mohammad Baqer Qalibaf", "mohammad-bagher-ghalibaf"), ("Josep Borell", "josep-borrell"),
    ("Frederica Mogherini", "federica-mogherini"), ("Raphael Grossi", "rafael-grossi"),
    ("Badr al-Busaidi", "badr-albusaidi"), ("Hossein Amirabdollahian", "hossein-amir-abdollahian"),
    # titles and possessives around a name
    ("Supreme Leader Ayatollah Ali Khamenei", "ali-khamenei"), ("Foreign Minister Mohammad Javad Zarif", "mohammad-javad-zarif"),
    ("Secretary of State Mike Pompeo", "mike-pompeo"), ("US President Donald Trump", "donald-trump"),
    ("Pompeo's", "mike-pompeo"), ("Tehran’s Friday Prayer Leader Kazem Sediqi", "kazem-seddiqi"),
    # Persian and Arabic script (Persian and Arabic letter forms both)
    ("حسن روحانی", "hassan-rouhani"), ("حسن روحاني", "hassan-rouhani"), ("عباس عراقچی", "abbas-araghchi"),
    ("عباس عراقجي", "abbas-araghchi"), ("محمدجواد ظریف", "mohammad-javad-zarif"), ("ظريف", "mohammad-javad-zarif"),
    ("آیت‌الله خامنه‌ای", "ali-khamenei"), ("علی خامنه‌ای", "ali-khamenei"), ("کیهان", "kayhan"),
    ("ایران", "government-of-iran"), ("طهران", "government-of-iran"), ("واشنطن", "government-of-the-united-states"),
    # outlets as speakers
    ("the Tadbir & Omid website", "tadbir-va-omid"), ("Arman daily", "arman-e-melli"),
    ("the state-run newspaper Siyasat-e Rooz", "siyasat-e-rooz"), ("hardline Kayhan daily", "kayhan"),
    ("Keyhan newspaper", "kayhan"), ("the official IRNA news agency", "irna"), ("The Iranian Diplomacy website", "iranian-diplomacy"),
    ("Daneshjoo website", "daneshjoo-news-agency"), ("the French Express publication", "lexpress"), ("Tasnim", "tasnim-news-agency"),
    # organisations and governments
    ("Tehran", "government-of-iran"), ("Washington", "government-of-the-united-states"), ("the White House", "white-house"),
    ("the Revolutionary Guards", "islamic-revolutionary-guard-corps"), ("IRGC", "islamic-revolutionary-guard-corps"),
    ("the State Department", "us-state-department"), ("the Biden administration", "biden-administration"),
    ("the EU", "european-union"),
])
def test_link_surface_to_canonical(linker, surface: str, expected: str) -> None:
    assert linker.link(surface, D("2019-06")).actor_id == expected


@pytest.mark.parametrize("surface, when, hint, expected", [
    ("the Leader", "2019", "IR", "ali-khamenei"),
    ("Iran's supreme leader", "2015", None, "ali-khamenei"),
    ("Iran's president", "2019", None, "hassan-rouhani"),
    ("Iran's president", "2022", None, "ebrahim-raisi"),
    ("Iran's president", "2024-06", None, "mohammad-mokhber"),
    ("Iran's president", "2025", None, "masoud-pezeshkian"),
    ("the president", "2019", "IR", "hassan-rouhani"),
    ("the US president", "2018", None, "donald-trump"),
    ("the US president", "2022", None, "joe-biden"),
    ("the US president", "2025-03", None, "donald-trump"),
    ("Iran's foreign minister", "2016", None, "mohammad-javad-zarif"),
    ("Iran's foreign minister", "2022", None, "hossein-amir-abdollahian"),
    ("Iran's foreign minister", "2025", None, "abbas-araghchi"),
    ("the US secretary of state", "2019", None, "mike-pompeo"),
    ("the US secretary of state", "2022", None, "antony-blinken"),
    ("the foreign ministry spokesman", "2022", "IR", "saeed-khatibzadeh"),
    ("Iran's foreign ministry spokesman", "2023", None, "nasser-kanaani"),
    ("Iran's foreign ministry spokesman", "2025", None, "esmaeil-baghaei"),
    ("the IAEA chief", "2019-06", None, "yukiya-amano"),
    ("IAEA Director General", "2021", None, "rafael-grossi"),
    ("the EU foreign policy chief", "2019", None, "federica-mogherini"),
    ("the EU foreign policy chief", "2021", None, "josep-borrell"),
    ("Oman's foreign minister", "2025-04", None, "badr-albusaidi"),
])
def test_link_role_noun_by_date(linker, surface: str, when: str, hint: str | None, expected: str) -> None:
    assert linker.link(surface, D(when), hint).actor_id == expected


@pytest.mark.parametrize("surface, when, hint", [
    ("Mohammad", "2019", None),  # a given name alone
    ("Ali", "2019", None),
    ("Hossein", "2019", None),
    ("Mousavi", "2019", None),  # three actors share the surname
    ("Khatami", "2019", None),  # Mohammad and Ahmad Khatami
    ("power", "2019", None),  # common words that are also surnames
    ("rice", "2019", None),
    ("hook", "2019", None),
    ("price", "2019", None),
    ("the minister", "2019", None),
    ("the Europeans", "2019", None),
    ("the president", "2019", "US-but-unknown"),  # a generic role noun of another country
    ("Tehran's Friday prayer leader", "2019", None),  # concurrent office: several holders
    ("John Smith", "2019", None),
    ("Ahmadi", "2019", None),
])
def test_link_refuses_ambiguous_or_unknown(linker, surface: str, when: str, hint: str | None) -> None:
    assert linker.link(surface, D(when), hint).actor_id is None


@pytest.mark.parametrize("phrase, context, expected", [
    ("Tehran's interim Friday prayer leader", "Kazem Seddiqi told worshippers that", "kazem-seddiqi"),
    ("Tehran's interim Friday prayer leader", "Ahmad Khatami said in his sermon", "ahmad-khatami"),
    ("Tehran's interim Friday prayer leader", "worshippers gathered at the university", None),
    ("Tehran's interim Friday prayer leader", None, None),
])
def test_link_office_concurrent_needs_a_name_nearby(linker, phrase: str, context: str | None, expected: str | None) -> None:
    link = linker.link_office(phrase, D("2019-05"), context=context)
    assert (link.actor_id if link else None) == expected


@pytest.mark.parametrize("surface, context, expected", [
    ("Khatami", "Ahmad Khatami, Tehran's Friday prayer leader, said", "ahmad-khatami"),
    ("Khatami", "former president Mohammad Khatami wrote", "mohammad-khatami"),
    ("Khatami", "Mohammad Khatami and Ahmad Khatami", None),
])
def test_link_shared_surname_settled_by_context(linker, surface: str, context: str, expected: str | None) -> None:
    assert linker.link(surface, D("2019"), context=context).actor_id == expected


@pytest.mark.parametrize("actor_id, when, expected", [
    ("hassan-rouhani", "2019", "moderate"),
    ("kayhan", "2019", "principlist"),
    ("arman-e-melli", "2019", "reformist"),
    ("mohammad-ali-jafari", "2018", "irgc"),
])
def test_faction_of_on_date(linker, actor_id: str, when: str, expected: str) -> None:
    assert expected in linker.faction_of(actor_id, D(when))


@pytest.mark.parametrize("actor_id", ["provisional:john-smith", None, "no-such-actor"])
def test_faction_of_unknown_actor_is_empty(linker, actor_id: str | None) -> None:
    assert linker.faction_of(actor_id, D("2019")) == []


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"'))


@pytest.mark.skipif(not SEEDS_GOLD.is_file(), reason="shared reference corpus (../shared) not present")
def test_every_seed_gold_speaker_resolves_from_its_surface_form(linker) -> None:
    """Near each gold evidence (or in the byline for an author) a surface form links to the gold speaker."""
    failures = []
    for line in SEEDS_GOLD.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        text = _norm((SEEDS / gold["file"]).read_text(encoding="utf-8"))
        evidence = _norm(gold["evidence"])
        at = text.find(evidence[:30])
        at = at if at >= 0 else text.find(evidence[-30:])
        assert at >= 0, f"evidence not found in {gold['file']}: {evidence[:60]!r}"
        when = D(gold["date"]) if gold.get("date") else None
        zones = [(max(0, at - 1500), at + len(evidence) + 600), (0, 1000), (len(text) - 1000, len(text))]
        surfaces = {
            m.group(0) for lo, hi in zones for m in linker.mention_pattern.finditer(text, lo, hi)
        }
        if not any(linker.link(s, when).name == gold["speaker"] for s in surfaces):
            failures.append((gold["file"], gold["speaker"]))
    assert failures == []
