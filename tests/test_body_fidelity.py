"""Issue 8 on real cables: each systematic error of the body reader, on a page that shows it
(copied from ../shared/corpus under tests/fixtures/corpus), or on an excerpt where none does."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, PAGES

from cables.body import build_cable
from cables.formats import RawCable
from cables.model import Cable, Source
from cables.parsing import parse_path, split_glued


def cable_of(name: str) -> Cable:
    folder = PAGES if (PAGES / name).exists() else FIXTURES
    cables = [c for c in parse_path(folder / name) if isinstance(c, Cable)]
    return cables[0]


def test_tags_continued_on_a_comma_separated_line_are_entries_each() -> None:
    cable = cable_of("07PARIS1995.html")
    assert cable.tags == [
        *["PREL", "FR", "EUN", "NATO", "ECON", "SENV", "AF", "IQ", "RS", "TU", "PGOV"],
        *["YI", "UNO", "IR", "LE"],
    ]


def test_a_bracketed_person_tag_then_another_tag() -> None:
    assert cable_of("09STATE34688.html").tags == ["OVIP", "CLINTON, HILLARY", "UAE"]


def test_a_page_break_inside_a_line_is_cut_out_of_paragraph_and_ref_text() -> None:
    cable = cable_of("09BRASILIA244.html")
    assert cable.ref_text is not None and "00000244" not in cable.ref_text
    assert cable.ref_text.startswith("REF: BRASILIA 123 (U) THIS CABLE IS SENSITIVE")
    text = cable.paragraph(6).text
    assert "twenty years. For plots from 400 to 1,500 hectares" in text
    assert all("00000244" not in p.text for p in cable.paragraphs)


@pytest.mark.parametrize(
    "line",
    [
        "and it went on to a TRIPOLI 00000220 002 OF 003 visit by the team",
        "and it went on to a  TRIPOLI 00000220  002.2 OF 003  visit by the team",
        "and it went on to a Tripoli 00000220 002 of 003 visit by the team",
    ],
)
def test_page_breaks_in_a_line_in_any_spacing_or_case(line: str) -> None:
    body = f"SUBJECT: X\n\n1. (C) First.\n\n2. (C) Then {line}.\n"
    cable = build_cable(RawCable(Source("t.txt"), body, reference_id="08TRIPOLI220"))
    assert cable.paragraph(2).text == "Then and it went on to a visit by the team."


def test_a_later_sections_routing_header_mid_text_is_removed() -> None:
    cable = cable_of("00HARARE6677.html")
    five, six, nine = cable.paragraph(5), cable.paragraph(6), cable.paragraph(9)
    assert "IF IT WAITS THAT LONG, THERE WILL BE “NOTHING TO VOTE FOR”" in five.text
    assert "HE TOLD THE BRITISH TO REFRAIN FROM MAKING PUBLIC STATEMENTS" in nine.text
    for text in (five.text, nine.text):
        assert not any(w in text for w in ("PTQ", "ACTION AF-00", "SECTION 0", "FM AMEMBASSY"))
    assert six.text.endswith("TSVANGIRAI CLAIMED.")
    assert cable.subject == "ASSISTANT SECRETARY MEETS WITH ZIMBABWE OPPOSITION LEADER"


def test_text_after_a_page_break_before_a_heading_between_rules_is_kept() -> None:
    cable = cable_of("08RANGOON557.html")
    sixteen = cable.paragraph(16).text
    assert "twenty-first century.\n\nDiscussions could take place on the margins" in sixteen
    assert sixteen.endswith("to open up to international assistance after Cyclone Nargis.")
    assert cable.paragraph(17).section == "Give a Little, Get a Little"
    assert all(len(s) <= 100 for s in cable.sections)  # a section is a heading, not a sentence


def test_an_underlined_heading_inside_a_paragraph_stays_in_its_text() -> None:
    cable = cable_of("09STATE34688.html")
    three = cable.paragraph(3).text
    assert three.startswith("Participants:\n\nU.S.\n\nThe Secretary Acting Assistant Secretary")
    assert "\n\nUAE\n\nUAE Foreign Minister Sheikh Abdullah bin Zayed" in three
    assert cable.paragraph(4).section is None


def test_lettered_paragraphs_keep_their_letter_and_an_initial_is_no_paragraph() -> None:
    cable = cable_of("08STATE30340.html")
    lettered = [p for p in cable.paragraphs if p.anchor == "parA"]
    assert lettered[0].text.startswith("A. Terrorism and Crime 1) Terrorist Threats")
    body = "SUBJECT: X\n\n\u00b61. (C) We met\n\u00b6R. Smith of the ministry.\n"
    cable = build_cable(
        RawCable(Source("t.txt"), body, reference_id="09X1", anchors=["par1", "parR"])
    )
    assert [p.anchor for p in cable.paragraphs] == ["par1"]
    assert cable.paragraphs[0].text.endswith("R. Smith of the ministry.")
    # After a blank line a letter out of sequence starts one (10LUANDA84: `A:` then `¶B.`).
    body = "SUBJECT: X\n\n\u00b61. (U) Answers:\n\nA: The first.\n\n\u00b6B. The second.\n"
    cable = build_cable(
        RawCable(Source("t.txt"), body, reference_id="10X1", anchors=["par1", "parB"])
    )
    assert [(p.anchor, p.text) for p in cable.paragraphs][1:] == [("parB", "B. The second.")]


def test_paragraph_numbers_of_200_and_above_start_paragraphs_where_anchored() -> None:
    """Issue 11 point 9: `¶214.` with its published anchor `par214` is paragraph 214."""
    body = "SUBJECT: X\n\n" + "".join(f"\u00b6{n}. (U) Paragraph {n}.\n\n" for n in range(1, 215))
    anchors = [f"par{n}" for n in range(1, 215)]
    cable = build_cable(RawCable(Source("t.txt"), body, reference_id="09X1", anchors=anchors))
    assert [p.number for p in cable.paragraphs] == list(range(1, 215))
    assert cable.paragraph(214).text == "Paragraph 214."
    # Without its anchor a number that high is text (a year, an amount).
    plain = build_cable(
        RawCable(Source("t.txt"), "1. (U) In\n2010. It went on.\n", reference_id="10X1")
    )
    assert [p.text for p in plain.paragraphs] == ["In 2010. It went on."]


def test_a_reference_not_yet_sent_that_year_is_the_previous_years() -> None:
    cable = cable_of("10ISLAMABAD175.html")
    assert cable.references[:2] == ["09ISLAMABAD2591", "09ISLAMABAD2607"]
    assert all(r.startswith("09ISLAMABAD") for r in cable.references)


def test_a_ref_entry_whose_number_follows_a_blank_line() -> None:
    cable = cable_of("05MADRID4026.html")
    assert cable.references == ["05MADRID3785", "05MADRID3566", "05STATE36633"]
    assert [p.number for p in cable.paragraphs][:2] == [1, 2]  # `36633` is no paragraph


@pytest.mark.parametrize(
    ("ref", "ids"),
    [
        ("REF: STATE 75 (08)", ["08STATE75"]),
        ("REF: (08) STATE 542", ["08STATE542"]),
        ("REF: A. STATE 03242 2008 B. PARIS 12", ["08STATE3242", "09PARIS12"]),
        ("REF: A. 09 PARIS 1234 B. PARIS 998", ["09PARIS1234", "09PARIS998"]),
        ("REF: ISLAMABAD 5000, ISLAMABAD 17", ["08ISLAMABAD5000", "09ISLAMABAD17"]),
        ("REF: 2009 ISLAMABAD 5000", ["09ISLAMABAD5000"]),  # a written year stays as written
        ("REF: IRPO DUBAI 95", ["09RPODUBAI95"]),
        ("REF: 07 IRPO DUBAI 95", ["07IRANRPODUBAI95"]),
        ("REF: MADRID SP 1234", ["09MADRID1234"]),
        ("REF: A. ISLAMBAD 12 B. BRUSSSELS 34", ["09ISLAMABAD12", "09BRUSSELS34"]),
    ],
)
def test_reference_years_and_station_spellings(ref: str, ids: list[str]) -> None:
    body = f"SUBJECT: X\n\n{ref}\n\n1. (U) Text.\n"
    cable = build_cable(RawCable(Source("t.txt"), body, reference_id="09ISLAMABAD100"))
    assert cable.references == ids


def test_a_first_paragraph_glued_onto_classified_by_starts_the_numbering() -> None:
    """08OSLO522: `... 1.4 b and d 1.(C)` then `2.(C)` ... `6.(C)` with no space, no pilcrow."""
    cable = cable_of("08OSLO522.html")
    assert cable.classified_by == "Deputy Chief of Mission Kevin M. Johnson for reasons 1.4 b and d"
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(n, "(C)") for n in range(1, 7)]
    assert cable.paragraph(1).text.startswith("Summary: The GON decision making process")


def test_a_bare_summary_heading_is_a_section_not_a_paragraph() -> None:
    cable = cable_of("04MADRID527.html")
    assert cable.paragraphs[0].number == 1 and cable.paragraphs[0].section == "Summary"
    assert "Summary" in cable.sections


def test_classified_by_continued_numbering_jumps_and_malformed_markings() -> None:
    body = (
        "SUBJECT: X\n\nClassified By: Ambassador for reasons 1.4 (b)\n(c), and (d).\n\n"
        "1. (C) First.\n\n2. (C) XXXXXXXXXXXX\n\n5. (C) After the redaction.\n\n"
        "5. (C) The same number again.\n\n6. (/Rel XX) Malformed marking.\n"
    )
    cable = build_cable(RawCable(Source("t.txt"), body, reference_id="09X1"))
    assert cable.classified_by == "Ambassador for reasons 1.4 (b) (c), and (d)."
    got = [(p.number, p.marking, p.text) for p in cable.paragraphs]
    assert got == [
        (1, "(C)", "First."),
        (2, "(C)", "XXXXXXXXXXXX"),
        (5, "(C)", "After the redaction."),
        (5, "(C)", "The same number again."),
        (6, "(/Rel XX)", "Malformed marking."),
    ]


BANNER = (
    "C O N F I D E N T I A L PARIS 001234\n\nSIPDIS\n\nE.O. 12958: DECL: 05/03/2019\n"
    "TAGS: PREL FR\n"
)


def test_a_body_that_opens_with_a_copy_of_the_routing_header_has_its_subject() -> None:
    routing = (
        "VZCZCXYZ0001\nOO RUEHWEB\n\nDE RUEHFR #1234/01 1231234\nZNY CCCCC ZZH\n"
        "O 031234Z MAY 09\nFM AMEMBASSY PARIS\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 1234\nBT\n"
    )
    body = f"{routing}{BANNER}SUBJECT: FRANCE: THE SUBJECT\n\nREF: A. PARIS 12\n\n1. (C) One.\n"
    cable = build_cable(RawCable(Source("t.txt"), body, reference_id="09PARIS1234"))
    assert (cable.subject, cable.references) == ("FRANCE: THE SUBJECT", ["09PARIS12"])
    assert [(p.number, p.text) for p in cable.paragraphs] == [(1, "One.")]


@pytest.mark.parametrize(
    "top", ["C O R R E C T E D C O P Y", "SENSITIVE BUT UNCLASSIFIED", "Clasified By: Ambassador"]
)
def test_a_subject_stops_at_the_next_pages_banner_or_caveat(top: str) -> None:
    body = f"{BANNER}SUBJECT: FRANCE: A SUBJECT THAT RUNS\n\nPARIS 00001234 002 OF 003\n\n{top}\n"
    body += "\n1. (C) One.\n"
    cable = build_cable(RawCable(Source("t.txt"), body, reference_id="09PARIS1234"))
    assert cable.subject == "FRANCE: A SUBJECT THAT RUNS"


def test_a_subjects_second_line_with_an_inline_page_break() -> None:
    body = f"{BANNER}SUBJECT: FRANCE: A SUBJECT THAT RUNS\nONTO PARIS 00001234 002 OF 003 A LINE\n"
    cable = build_cable(
        RawCable(Source("t.txt"), body + "\n1. (C) One.\n", reference_id="09PARIS1234")
    )
    assert cable.subject == "FRANCE: A SUBJECT THAT RUNS ONTO A LINE"


def test_a_record_glued_after_a_page_that_stops_short_is_a_cable_of_its_own() -> None:
    """The page keeps its own subject and text; the record with an id is recovered from it."""
    record = (
        "121752\t2007-09-11 12:50:00\t07TBILISI2290\tEmbassy Tbilisi\tUNCLASSIFIED\t\tVZCZCXRO4053"
        "\\\nR 111250Z SEP 07\tUNCLAS TBILISI 002290 \\\n \\\nTAGS: MNUC KNNP\n"
        "SUBJECT: REGIONAL GOVERNORS - WHO ARE THEY? \\\n \\\n\u00b61. (U) Their text. \\\n"
    )
    body = f"{BANNER}SUBJECT: FRANCE: OUR OWN SUBJECT\n\n\u00b61. (C) Our own text stops\n{record}"
    raw = RawCable(Source("p.html"), body, reference_id="09PARIS1234", anchors=["par1", "par1"])
    own_raw, recovered, warnings = split_glued(raw)
    own, theirs = build_cable(own_raw), build_cable(recovered[0])
    assert not warnings
    assert (own.subject, [p.text for p in own.paragraphs]) == (
        "FRANCE: OUR OWN SUBJECT",
        ["Our own text stops"],
    )
    assert (theirs.reference_id, theirs.subject) == (
        "07TBILISI2290",
        "REGIONAL GOVERNORS - WHO ARE THEY?",
    )
    assert theirs.source is not None and theirs.source.recovered_from == "09PARIS1234"
