"""Every attribution form, on short texts written for these tests (run through the whole pipeline)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stanceline.records import Statement

pytestmark = pytest.mark.slow
HEAD = "Talks in focus\n\nTehran, March 3, 2019\n\n"

Extract = Callable[..., list[Statement]]


def _find(statements: list[Statement], needle: str) -> Statement:
    for st in statements:
        if needle in st.text:
            return st
    raise AssertionError(f"no statement containing {needle!r} in {[s.text for s in statements]}")


@pytest.mark.parametrize(
    ("body", "needle", "speaker", "kind"),
    [
        # direct quotes: speaker after, before, inverted, colon, inside
        ('“We will not negotiate with America under pressure,” Mohammad Javad Zarif said on Monday.',
         "We will not negotiate", "Mohammad Javad Zarif", "direct"),
        ('Hassan Rouhani told reporters: “Talks with Washington are possible if sanctions are lifted first.”',
         "Talks with Washington", "Hassan Rouhani", "direct"),
        ('"There will be no talks with the Great Satan," said Hossein Salami, the IRGC commander.',
         "There will be no talks", "Hossein Salami", "direct"),
        ('“Negotiation,” Ali Khamenei said, “is poison for our nation and we reject it.”',
         "Negotiation", "Ali Khamenei", "direct"),
        # straight quotes and single-quoted headline style
        ("\"Diplomacy is the only path to a deal with the United States,\" Abbas Araghchi said.",
         "Diplomacy is the only path", "Abbas Araghchi", "direct"),
        # indirect speech with reporting verbs
        ("Ali Shamkhani said that Iran would not hold direct talks with the United States.",
         "would not hold direct talks", "Ali Shamkhani", "indirect"),
        ("Mohammad Bagher Ghalibaf warned that negotiations with Washington would be a trap.",
         "negotiations with Washington would be a trap", "Mohammad Bagher Ghalibaf", "indirect"),
        ("Saeed Khatibzadeh stressed that Tehran was not interested in informal talks with the US.",
         "not interested in informal talks", "Saeed Khatibzadeh", "indirect"),
        # according to
        ("According to Abbas Araghchi, the talks with the United States in Muscat were constructive.",
         "talks with the United States", "Abbas Araghchi", "indirect"),
        # mixed quote
        ('Ebrahim Raisi described talks with Washington as “a waste of time” for the nation.',
         "waste of time", "Ebrahim Raisi", "mixed"),
        # told Y that
        ("Antony Blinken told senators that the United States was ready to return to talks with Iran.",
         "ready to return to talks", "Antony Blinken", "indirect"),
    ],
)
def test_attribution_forms(extract: Extract, body: str, needle: str, speaker: str, kind: str) -> None:
    st = _find(extract(HEAD + body), needle)
    assert st.speaker.name == speaker
    assert st.kind == kind
    assert st.produced_by.startswith("attribution.")


@pytest.mark.parametrize(
    ("body", "needle", "speaker"),
    [
        # pronoun across sentences
        ("Abbas Araghchi arrived in Muscat on Saturday. He said the talks with the United States had been useful.",
         "talks with the United States", "Abbas Araghchi"),
        # the latter
        ("The envoy met Badr Albusaidi and later Abbas Araghchi. The latter said a deal with Washington was within reach.",
         "deal with Washington", "Abbas Araghchi"),
        # role noun by office and date (2019: the spokesman of the foreign ministry was Abbas Mousavi)
        ("Hassan Rouhani spoke first. The Iranian president said negotiations with the US were pointless under sanctions.",
         "negotiations with the US", "Hassan Rouhani"),
        # outlet as speaker, resolved from "the daily"
        ("Kayhan ran a front-page editorial on Sunday. The daily wrote that talks with America would only bring humiliation.",
         "talks with America", "Kayhan"),
        # transliteration variant linked to the canonical actor
        ("Kazem Sediqi said negotiating with the US was a mistake that would invite more pressure.",
         "negotiating with the US", "Kazem Seddiqi"),
        # government as speaker
        ("Washington rejected any talks with Tehran until the attacks stopped.",
         "talks with Tehran", "Government of the United States"),
    ],
)
def test_attribution_resolves_speakers(extract: Extract, body: str, needle: str, speaker: str) -> None:
    assert _find(extract(HEAD + body), needle).speaker.name == speaker


def test_attribution_nested_report_is_carried_by_the_outlet(extract: Extract) -> None:
    body = "Arman daily reported that Hermidas Bavand said Iran should open talks with the United States soon."
    st = _find(extract(HEAD + body), "talks with the United States")
    assert st.speaker.name == "Hermidas Bavand"
    assert st.carrier is not None and st.carrier.startswith("Arman")


def test_attribution_quote_closed_by_outlet_after_person_intro(extract: Extract) -> None:
    body = ("Factions on talks\n\nTehran, May 19, 2019\n\nEsmael Kosari defined negotiations as a process that repeats itself.\n\n"
            "“Unless the rival side proves it is sincere, we will not sit at the table,” the Tadbir & Omid website wrote on May 15.")
    st = _find(extract(body), "rival side")
    assert st.speaker.name == "Esmael Kosari"
    assert st.date is not None and st.date.iso() == "2019-05-15"


def test_attribution_list_form(extract: Extract) -> None:
    body = ("Below are the views of the opponents:\n"
            "Ahmad Alamolhoda, Mashhad’s Friday Prayer Leader\n"
            "Viewpoint: Negotiating with the enemy is a mistake that invites more pressure.\n"
            "Argument: Increased pressure in case of negotiation\n")
    st = _find(extract(HEAD + body), "Negotiating with the enemy")
    assert st.kind == "list"
    assert st.speaker.name == "Ahmad Alamolhoda"
    assert st.speaker.role == "Mashhad’s Friday Prayer Leader"
    assert st.stated_argument == "Increased pressure in case of negotiation"


def test_attribution_colon_form(extract: Extract) -> None:
    body = "Khamenei: “Negotiating with America is not smart, wise or honorable.”\n"
    st = _find(extract(HEAD + body), "Negotiating with America")
    assert st.speaker.name == "Ali Khamenei"


def test_attribution_unbalanced_quote_does_not_stop_the_document(extract: Extract) -> None:
    body = ("“We will never talk to them, Ali Larijani said, and the page ends here\n\n"
            "Mohammad Javad Zarif said that diplomacy with the United States remained the best option.")
    statements = extract(HEAD + body)
    assert any(s.speaker.name == "Mohammad Javad Zarif" for s in statements)


def test_attribution_unnamed_collectives_are_not_speakers(extract: Extract) -> None:
    body = "Hardliners said that talks with the United States would be treason. Some officials believe a deal is near."
    assert not [s for s in extract(HEAD + body) if s.judgement and s.judgement.target]


def test_attribution_future_and_hypothetical_are_not_statements(extract: Extract) -> None:
    body = "If they accept talks with Washington, Zarif will say that the deal is dead."
    assert not [s for s in extract(HEAD + body) if s.judgement and s.judgement.target]


def test_attribution_offsets_point_into_the_text(extract: Extract, resources: object) -> None:
    from stanceline.pipeline import process_document
    from stanceline.records import RawInput

    text = HEAD + '“We want a fair deal with the United States,” Hassan Rouhani said.'
    result = process_document(RawInput("t.txt", text.encode()), resources)  # type: ignore[arg-type]
    assert result.document is not None
    for st in result.statements:
        assert result.document.text[st.start : st.end] == st.text
        assert st.document_id == result.document.id


@pytest.mark.parametrize(
    ("body", "needle", "date"),
    [
        ("On June 15, 2016, Ali Khamenei said talks with America had brought nothing.", "talks with America", "2016-06-15"),
        ("Ali Khamenei said on 9 January 2014 that Iran would negotiate with the US if it served its interests.",
         "negotiate with the US", "2014-01-09"),
        ("Ali Khamenei said on Friday that talks with America were pointless.", "talks with America", "2019-03-01"),
        ("In February 2025 Ali Khamenei said talks with America were not wise.", "talks with America", "2025-02"),
        ("Ali Khamenei said talks with America were pointless.", "talks with America", "2019-03-03"),
    ],
)
def test_attribution_dates(extract: Extract, body: str, needle: str, date: str) -> None:
    st = _find(extract(HEAD + body), needle)
    assert st.date is not None and st.date.iso() == date


@pytest.mark.parametrize(("body", "needle"), [
    ("Mohsen Rezaei, in his first interview after the truce, said that talks with Washington would be useless.",
     "talks with Washington"),
    ("Ali Larijani — speaking to students in Qom — said that a deal with the United States was still possible.",
     "a deal with the United States"),
])
def test_attribution_reported_spans_do_not_begin_or_end_with_separators(extract: Extract, body: str, needle: str) -> None:
    st = _find(extract(HEAD + body), needle)
    assert st.text[0].isalnum() and st.text[-1] not in " ,;:-–—"
    assert not st.text.endswith((" but", " and"))


@pytest.mark.parametrize(("text", "expected"), [
    (", in his first speech, claimed victory", "in his first speech, claimed victory"),
    ("said the doors would never close, but", "said the doors would never close"),
    ("said the brand was ok", "said the brand was ok"),
    (" — ", ""),
])
def test_trim_reported_span(text: str, expected: str) -> None:
    from stanceline.extract import _trim

    start, end = _trim(text, 0, len(text))
    assert text[start:end] == expected


@pytest.mark.parametrize(("body", "absent", "present"), [
    ("Ali Akbar Velayati said the Americans could not be trusted. He did not call for the talks with Washington to stop.",
     "did not call", None),
    ("Mohammad Bagher Ghalibaf did not urge lawmakers to end the negotiations with the United States.", "did not urge", None),
    ("Hassan Rouhani did not reject talks with the United States outright.", None, "reject talks"),
])
def test_attribution_negated_requests_are_absences(extract: Extract, body: str, absent: str | None,
                                                   present: str | None) -> None:
    texts = [s.text for s in extract(HEAD + body)]
    if absent:
        assert not [t for t in texts if absent in t or "to stop" in t or "end the negotiations" in t], texts
    if present:
        assert any(present in t for t in texts), texts


@pytest.mark.parametrize(("body", "needle", "speaker"), [
    # the reported clause first, the speaker after it, no quotation marks
    ("Tehran remained ready to revive the nuclear deal if Washington returned to its commitments, "
     "President Ebrahim Raisi told reporters.", "Tehran remained ready to revive", "Ebrahim Raisi"),
    ("Iran will not negotiate with the United States under maximum pressure, Ali Shamkhani said on Sunday.",
     "Iran will not negotiate", "Ali Shamkhani"),
])
def test_attribution_fronted_reported_clause(extract: Extract, body: str, needle: str, speaker: str) -> None:
    st = _find(extract(HEAD + body), needle)
    assert st.speaker.name == speaker and st.text.startswith(needle.split()[0])


@pytest.mark.parametrize("dateline", [
    "TEHRAN, Feb. 8 (National News Agency) – ",
    "DOHA/DUBAI, Sept 18 (Gulf Wire) - ",
    "TEHRAN, Iran (Associated Wire) — ",
    "VIENNA (Danube Wire) — ",
])
def test_attribution_wire_dateline_is_not_the_speaker(extract: Extract, dateline: str) -> None:
    body = (dateline + "Leader of the Islamic Revolution Ayatollah Seyyed Ali Khamenei said on Friday that "
            "negotiating with the United States is not smart, wise or honorable.")
    st = _find(extract("Leader speaks\n\n" + body), "negotiating with the United States")
    assert st.speaker.name == "Ali Khamenei"


def test_mask_dateline_keeps_length_and_leaves_other_lines() -> None:
    from stanceline.extract import _mask_dateline

    line = "MUSCAT, April 12 (Gulf Wire) - Iran and the United States held talks."
    masked = _mask_dateline(line)
    assert len(masked) == len(line) and masked.lstrip().startswith("Iran and") and not masked[:28].strip()
    for other in ("US - Iran talks resume", "IRGC - the guards said", "Zarif said talks would resume - in Oman."):
        assert _mask_dateline(other) == other


def test_undated_article_places_offices_at_the_latest_date_it_names(extract: Extract) -> None:
    # No publication date: the only full date sits deep in a line, where no header date is looked for.
    body = ("Interim deal takes effect\n\nTEHRAN, Jan. 20 (Tehran Herald) — The interim agreement came into force "
            "on Monday, with inspectors confirming the first steps.\n\nThe president said that talks with the "
            "world powers would continue until a final agreement was reached.\n\nThe Leader, who had earlier "
            "voiced deep mistrust of Washington and of the European parties to the agreement in a long address "
            "to thousands of visitors from the holy city of Qom on 9 January 2014, did not comment.")
    st = _find(extract(body), "talks with the world powers")
    assert st.speaker.name == "Hassan Rouhani"


@pytest.mark.parametrize(("text", "expected"), [
    ("It entered into force on 20 January 2014, after talks in Geneva.", "2014-01-20"),
    ("On 4 November 1979 students seized the embassy; relations have been frozen since, and in 2015 a deal came.", None),
    ("Nothing here has a date, only February 1979.", None),
])
def test_reference_date_of_an_undated_text(text: str, expected: str | None) -> None:
    from stanceline.extract import _reference_date

    found = _reference_date(text)
    assert (found.iso() if found else None) == expected


def test_attribution_conjoined_that_clause_stays_in_the_report(extract: Extract) -> None:
    body = ("Ebrahim Raisi told reporters that the exchange could help build trust, and that Tehran remained ready "
            "to revive the nuclear deal if the United States returned to its commitments.")
    statements = extract(HEAD + body)
    st = _find(statements, "remained ready to revive")
    assert st.speaker.name == "Ebrahim Raisi"
    assert not [s for s in statements if s.speaker.name == "Government of Iran"]


@pytest.mark.parametrize(("closing", "expected"), [
    ("the official said", None),                      # an unnamed official, not the President before
    ("said oil analyst Dmitri Halloran of Petrolink", None),
    ("he wrote", None),                               # a pronoun is the tracker's to resolve
])
def test_attribution_quote_closed_by_someone_else_is_not_the_last_speaker(
        extract: Extract, closing: str, expected: str | None) -> None:
    body = ("Hassan Rouhani told reporters that talks with Washington could resume if sanctions were lifted.\n\n"
            "A senior U.S. official told reporters on a call that the exchange did not mean a change in policy. "
            f'"We have no diplomacy with Iran on the nuclear file at the moment," {closing}.')
    statements = extract(HEAD + body)
    quoted = [s for s in statements if "no diplomacy with Iran" in s.text]
    assert all(s.speaker.name != "Hassan Rouhani" for s in quoted), [(s.speaker.name, s.text) for s in quoted]


@pytest.mark.parametrize(("closing", "attached"), [
    ("the website wrote", True),
    ("the daily wrote", True),
    ("the spokesman said", False),
])
def test_may_refer_to(closing: str, attached: bool) -> None:
    from stanceline.extract import _ATTRIBUTED_AFTER, _may_refer_to
    from stanceline.records import Speaker

    outlet = Speaker(text="Iranian Diplomacy", name="Iranian Diplomacy", kind="outlet", actor_id="iranian-diplomacy")
    m = _ATTRIBUTED_AFTER.match(", " + closing)
    assert m is not None and _may_refer_to(m.group("who"), outlet) is attached


@pytest.mark.parametrize(("body", "needle", "speaker"), [
    # the attribution inside the sentence it reports
    ("The daily Kayhan was scathing. Talks with a president who might be gone in five months, the paper wrote, "
     "would be a gift to him and nothing for Iran.", "Talks with a president", "Kayhan"),
    ("Hassan Rouhani spoke after the cabinet meeting. A deal with Washington, he said, was still within reach.",
     "A deal with Washington", "Hassan Rouhani"),
    # "in X's words" and "in the words of X"
    ("Japanese Prime Minister Shinzo Abe met the Leader on Thursday. In Abe's words, the talks with Washington "
     "were \"a big step forward\" for the region.", "the talks with Washington", "Shinzo Abe"),
    ("In the words of Mohammad Javad Zarif, negotiations with the United States are not a favour to anyone.",
     "negotiations with the United States", "Mohammad Javad Zarif"),
])
def test_attribution_inside_or_before_the_reported_sentence(extract: Extract, body: str, needle: str,
                                                             speaker: str) -> None:
    st = _find(extract(HEAD + body), needle)
    assert speaker in st.speaker.name
    assert st.text.startswith(needle.split()[0])


def test_attribution_his_administration_is_the_named_presidents(extract: Extract) -> None:
    body = ("President Biden faces midterm elections in November. His administration said it was prepared to "
            "conclude a deal with Iran, but only on the basis of what was agreed in Vienna.")
    st = _find(extract("Midterms\n\nTehran, August 20, 2022\n\n" + body), "prepared to conclude a deal")
    assert st.speaker.name == "Biden administration"


def test_attribution_quote_closed_by_a_fresh_description_of_the_speaker(extract: Extract) -> None:
    body = ("Political analyst Reza Hashemzadeh-Nouri told the news agency that the statement reflected a costly "
            "decade. “Any negotiation in which one side tears up the paper whenever it wishes is not a negotiation, "
            "it is a trap,” the university lecturer said.")
    st = _find(extract(HEAD + body), "Any negotiation in which")
    assert st.speaker.name == "Reza Hashemzadeh-Nouri"


@pytest.mark.parametrize(("line", "speaker"), [
    ("Iran's foreign ministry spokesman Esmaeil Baghaei, on X: the delegation has come to pursue the nation's "
     "rights, and any agreement with Washington must respect Iran's right to enrichment.", "Esmaeil Baghaei"),
    ("Foreign Minister Abbas Araghchi, in a statement: talks with the United States will stay indirect for now.",
     "Abbas Araghchi"),
    ("Zarif said: negotiations with the United States are not a favour to anyone.", "Mohammad Javad Zarif"),
])
def test_attribution_colon_form_with_role_and_channel(extract: Extract, line: str, speaker: str) -> None:
    statements = extract(HEAD + line + "\n")
    assert any(s.speaker.name == speaker and "United States" in s.text or "Washington" in s.text
               for s in statements if s.speaker.name == speaker), [(s.speaker.name, s.text) for s in statements]


def test_attribution_colon_form_needs_a_known_name() -> None:
    from stanceline.extract.forms import _COLON

    assert _COLON.match("Note that the talks: they will resume in Muscat next week.") is None
    m = _COLON.match("Iran's foreign ministry spokesman Esmaeil Baghaei, on X: the delegation has arrived in Rome.")
    assert m is not None and m.group("name") == "Esmaeil Baghaei"


@pytest.mark.parametrize("body", [
    "The Joint Plan of Action agreed between Iran and the world powers in Geneva entered into force on Monday.",
    "The Vienna Talks showed that a deal with the United States was still possible.",
])
def test_attribution_texts_and_events_are_not_speakers(extract: Extract, body: str) -> None:
    assert not [s for s in extract(HEAD + body) if s.speaker.name in ("Joint Plan", "Vienna Talks", "The Vienna Talks")]


def test_attribution_honorific_is_not_a_new_speaker(extract: Extract) -> None:
    body = ("Ayatollah Ali Khamenei said on Friday that the Americans had not fulfilled their commitments.\n\n"
            "“The same person who is in office now tore up the agreement with the United States,” His Eminence said.")
    statements = extract(HEAD + body)
    assert not [s for s in statements if "Eminence" in s.speaker.name]
    assert _find(statements, "tore up the agreement").speaker.name == "Ali Khamenei"
