"""The shared body reader on telegram texts written to exercise one quirk each."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, PAGES

from cables.body import build_cable
from cables.formats import SYNTHETIC_MARKER, ParseError, RawCable
from cables.model import Cable, Level, Source
from cables.parsing import parse_path


def raw(body: str, **meta: object) -> RawCable:
    return RawCable(source=Source("test.txt"), body=body, **meta)  # type: ignore[arg-type]


PARIS = """\
C O N F I D E N T I A L SECTION 01 OF 02 PARIS 000997

NOFORN
SIPDIS

E.O. 12958: DECL: 07/23/2019
TAGS: PREL PINS
PGOV
SUBJECT: FRANCE AND THE SAHEL: A LONG
SUBJECT LINE

REF: A. PARIS 988
\u00b6B. 2008 BERLIN 504
C. 09 STATE 1234

Classified By: Ambassador for reasons 1.4 (b) and (d).

SUMMARY
-------

\u00b61. (C) First paragraph starts here and
continues on the next line.

PARIS 00000997  002 OF 002

Still paragraph one after the page break.

\u00b62. (S//NF) Second paragraph.

3. (U) Third, with no pilcrow.
"""


def test_header_fields_and_derived_metadata() -> None:
    cable = build_cable(raw(PARIS, header="P 231544Z JUL 09\nFM AMEMBASSY PARIS"))
    assert cable.reference_id == "09PARIS997"
    assert cable.created == "2009-07-23T15:44"
    assert cable.created_dtg == "P 231544Z JUL 09"
    assert cable.classification == "CONFIDENTIAL//NOFORN"
    assert cable.level is Level.C
    assert cable.subject == "FRANCE AND THE SAHEL: A LONG SUBJECT LINE"
    assert cable.tags == ["PREL", "PINS", "PGOV"]
    assert cable.references == ["09PARIS988", "08BERLIN504", "09STATE1234"]
    assert cable.ref_text is not None and cable.ref_text.startswith("REF: A. PARIS 988")
    assert cable.caveats == ["NOFORN", "SIPDIS"]
    assert cable.classified_by == "Ambassador for reasons 1.4 (b) and (d)."
    assert cable.sections == ["SUMMARY"]


def test_paragraphs_numbers_markings_page_breaks() -> None:
    cable = build_cable(raw(PARIS, anchors=["parB", "par1", "par2"], reference_id="09PARIS997"))
    got = [(p.number, p.anchor, p.marking, p.level) for p in cable.paragraphs]
    assert got == [
        (1, "par1", "(C)", Level.C),
        (2, "par2", "(S//NF)", Level.S),
        (3, "par3", "(U)", Level.U),
    ]
    first = cable.paragraphs[0]
    assert first.text == (
        "First paragraph starts here and continues on the next line.\n\n"
        "Still paragraph one after the page break."
    )
    assert first.section == "SUMMARY"


def test_years_and_sub_list_numbers_are_not_paragraphs() -> None:
    body = "SUBJECT: X\n\n1. (C) One, since\n2003. Not a paragraph.\n\n2. (C) Two.\n"
    cable = build_cable(raw(body, reference_id="09X1"))
    assert [p.number for p in cable.paragraphs] == [1, 2]
    assert "2003. Not a paragraph." in cable.paragraphs[0].text


def test_whole_text_marking_gives_every_paragraph_its_level() -> None:
    body = "SUBJ: X\n\n1.  CONFIDENTIAL - ENTIRE TEXT.\n\n2.  SOMETHING.\n\n3.  MORE.\n"
    cable = build_cable(raw(body, reference_id="90X1"))
    assert [p.level for p in cable.paragraphs] == [Level.C] * 3


def test_markings_without_numbers_and_restarts() -> None:
    body = "SUBJECT: X\n\n(C) Unnumbered but marked.\n\n(S) Another.\n"
    cable = build_cable(raw(body, reference_id="09X1"))
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(None, "(C)"), (None, "(S)")]


def test_control_characters_never_survive() -> None:
    body = "SUBJECT: EVIL \x1b]52;c;AAAA\x07 TITLE\n\n1. (U) Text \x1b[31mred\x1b[0m.\n"
    cable = build_cable(raw(body, reference_id="09X1"))
    assert "\x1b" not in cable.subject  # type: ignore[operator]
    assert all("\x1b" not in p.text for p in cable.paragraphs)


def test_synthetic_marker_flags_and_is_not_a_paragraph() -> None:
    body = f"{SYNTHETIC_MARKER}\nSUBJECT: X\n\n1. (U) Text.\n"
    cable = build_cable(raw(body, reference_id="09X1"))
    assert cable.synthetic
    assert [p.text for p in cable.paragraphs] == ["Text."]


def test_nothing_usable_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"test\.txt"):
        build_cable(raw("just some words\n"))


@pytest.mark.parametrize(
    ("line", "tags"),
    [
        ("TAGS: PGOV, PREL, ECON", ["PGOV", "PREL", "ECON"]),
        ("Tags: parm, prel, ettc", ["PARM", "PREL", "ETTC"]),
        ("TAGS: MASSMNUC NPT PARM", ["MASS", "MNUC", "NPT", "PARM"]),
        ("TAGS: OVIP CLINTON HILLARY PREL FR", ["OVIP", "CLINTON, HILLARY", "PREL", "FR"]),
        ("TAGS: MASS YM COUNTER TERRORISM", ["MASS", "YM", "COUNTER TERRORISM"]),
        ("TAGE: PGOV PREL", ["PGOV", "PREL"]),
        ("TAS: PGOV PREL", ["PGOV", "PREL"]),
        ("TAGS: PGOV PREL\nKDEM SF\nSUBJECT: X", ["PGOV", "PREL", "KDEM", "SF"]),
        # Issue 8 point 1: each line split by its own separator; semicolons; the singular key
        # mid-line after the DECL date; a bracketed person tag then another tag; duplicates once.
        ("TAGS: PREL FR PGOV\nYI, UNO, IR", ["PREL", "FR", "PGOV", "YI", "UNO", "IR"]),
        ("TAGS: PREL;PGOV; KDEM", ["PREL", "PGOV", "KDEM"]),
        ("E.O. 12958: DECL: 12/31/2018 TAG: PREL, PGOV", ["PREL", "PGOV"]),
        ("TAGS OVIP (CLINTON, HILLARY), UAE", ["OVIP", "CLINTON, HILLARY", "UAE"]),
        ("TAGS: PREL, PGOV, PREL", ["PREL", "PGOV"]),
    ],
)
def test_tags_one_string_per_entry(line: str, tags: list[str]) -> None:
    cable = build_cable(raw(f"{line}\nSUBJECT: X\n\n1. (U) Text.\n", reference_id="09X1"))
    assert cable.tags == tags


@pytest.mark.parametrize(
    ("ref", "year", "ids"),
    [
        ("REF: A. BERLIN 988 B. 2008 BERLIN 504", "09", ["09BERLIN988", "08BERLIN504"]),
        ("REF: STATE 12345", "09", ["09STATE12345"]),
        ("REF: 09 STATE 1234", "10", ["09STATE1234"]),
        ("REF: SECSTATE 74879", "08", ["08STATE74879"]),
        ("REF: (A) RIO 329 (B) LA PAZ 2974", "09", ["09RIODEJANEIRO329", "09LAPAZ2974"]),
        ("REF: 09DHAHRAN 201, 09STATE11937", "10", ["09DHAHRAN201", "09STATE11937"]),
        ("REF: MTCR POC 201/2006 - MAY 16 2006", "08", []),
        ("REF: SECDEF MSG DTG 301601Z", "08", []),
        ("REF: A. ASHGABAT687 B. 05 CASA 1220", "09", ["09ASHGABAT687", "05CASABLANCA1220"]),
    ],
)
def test_references_canonical(ref: str, year: str, ids: list[str]) -> None:
    body = f"SUBJECT: X\n\n{ref}\n\n1. (U) Text.\n"
    cable = build_cable(raw(body, reference_id=f"{year}X1"))
    assert cable.references == ids


def test_old_style_page_break_and_its_banners_are_removed() -> None:
    body = (
        "SUBJ: X\n\n1.  FIRST PARAGRAPH RUNS ON AND\nCONFIDENTIAL\n\nCONFIDENTIAL\n\n"
        "PAGE 02        CAPE T  00097  01 OF 03  182017Z\n\nON ACROSS THE BREAK.\n\n2.  TWO.\n"
    )
    cable = build_cable(raw(body, reference_id="90CAPETOWN97"))
    assert cable.paragraphs[0].text == "FIRST PARAGRAPH RUNS ON AND ON ACROSS THE BREAK."


def test_wrapped_rel_marking_and_numbers_that_continue_a_sentence() -> None:
    body = (
        "SUBJECT: X\n\n\u00b61. (S//REL CHINA, AFGHANISTAN,\nKAZAKHSTAN) One, on June\n"
        "\u00b615. Still one.\n\u00b63. (C) Three: two is missing.\n"
    )
    cable = build_cable(raw(body, reference_id="09X1"))
    got = [(p.number, p.marking, p.level) for p in cable.paragraphs]
    assert got == [(1, "(S//REL CHINA, AFGHANISTAN, KAZAKHSTAN)", Level.S), (3, "(C)", Level.C)]
    assert cable.paragraphs[0].text == "One, on June 15. Still one."


def test_marked_paragraph_right_under_the_ref_line_is_not_ref_text() -> None:
    body = (
        "SUBJECT: DEMARCHE\nREF: STATE 40380\n (SBU) Poloff delivered reftel demarche and "
        "nonpaper to the MFA on April 21.\nKEITH\n"
    )
    cable = build_cable(raw(body, reference_id="08KUALALUMPUR317"))
    assert cable.ref_text == "REF: STATE 40380"
    assert [p.marking for p in cable.paragraphs] == ["(SBU)"]


def test_double_period_after_the_number() -> None:
    cable = build_cable(raw("SUBJECT: X\n\n1. (C) One.\n\n2. . (SBU) Two.\n", reference_id="05X1"))
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "(C)"), (2, "(SBU)")]


@pytest.mark.parametrize(
    ("line", "subject"),
    [
        ("SUBJECT: (C) WAR BY ANY OTHER NAME", "WAR BY ANY OTHER NAME"),
        ("Subject: german test chamber sold to iran (s)", "german test chamber sold to iran"),
        ("SUBJ: TALKS ON U.S. (U.S.) BASES", "TALKS ON U.S. (U.S.) BASES"),
    ],
)
def test_subject_markings_are_not_the_subject(line: str, subject: str) -> None:
    assert build_cable(raw(f"{line}\n\n1. (U) Text.\n", reference_id="09X1")).subject == subject


@pytest.mark.parametrize(
    ("dtg_line", "dtg", "created"),
    [
        ("O 260858Z JUL 06 ZDK", "O 260858Z JUL 06", "2006-07-26T08:58"),
        ("R 181313Z JUN 09 ZDK MANY SVCS", "R 181313Z JUN 09", "2009-06-18T13:13"),
        ("O 220500Z JUL 08 ZDK CTG #00732", "O 220500Z JUL 08", "2008-07-22T05:00"),
        ("O R 181205Z NOV 75 ZFF4", "O R 181205Z NOV 75", "1975-11-18T12:05"),
        ("P  231544Z  JUL 09", "P 231544Z JUL 09", "2009-07-23T15:44"),
    ],
)
def test_the_dtg_is_the_date_time_group_alone(dtg_line: str, dtg: str, created: str) -> None:
    """Service suffixes (`ZDK`, `ZFF4`, `ZDK CTG #00732`) are routing, not part of the DTG."""
    cable = build_cable(
        raw(
            "S E C R E T RIYADH 001134\n\n\u00b61. (S) Text.",
            header=f"VZCZCXYZ0000\n{dtg_line}\nFM AMEMBASSY RIYADH",
        )
    )
    assert (cable.created_dtg, cable.created) == (dtg, created)
    assert cable.reference_id == f"{dtg[-2:]}RIYADH1134"


@pytest.mark.parametrize(
    ("banner", "reference_id"),
    [
        ("C O N F I D E N T I A L 75 LIBREVILLE 1895", "7575LIBREVILLE1895"),
        ("SECRET 01 OF 02 RPODUBAI 000288", "7501OF02RPODUBAI288"),
        ("CONFIDENTIAL SECION 01 OF 02 HARARE 000628", "75SECION01OF02HARARE628"),
        ("CONFIDENTIAL SECTION 01 OF 02 PARIS 000997", "75PARIS997"),
        ("UNCLAS SECTION 01 OF 36 UNVIE VIENNA 000285", "75UNVIEVIENNA285"),
        ("C O N F I D E N T I A L SECTION 01 OF 03 CAPE TOWN 00097", "75CAPETOWN97"),
    ],
)
def test_an_id_from_the_banner_is_the_one_published(banner: str, reference_id: str) -> None:
    """What stands between classification and number is the station, as the published ids have it
    (7575LIBREVILLE1895, 0901OF02RPODUBAI288, 06SECION01OF02HARARE628 are real ids)."""
    cable = build_cable(raw(f"{banner}\n\n\u00b61. Text.", header="O R 181205Z NOV 75 ZFF4"))
    assert cable.reference_id == reference_id


def test_markings_that_lost_a_parenthesis_after_the_number() -> None:
    """`1. C) Summary` (10ROME1) and `6. (C XXXXXXXXXXXX, too, ...` (09BEIJING1970) are marked;
    list items and parentheticals in the same place stay text."""
    body = (
        "C O N F I D E N T I A L ROME 000001\n\n\u00b61. C) Summary: the visit.\n\n"
        "\u00b62. (C XXXXXXXXXXXX, too, asserted that\nthe rest follows.\n\n"
        "\u00b63. a) first item of a list.\n\n\u00b64. (S Korean officials (sic) said so.\n\n"
        "\u00b65. c) lower case is a list item.\n\n\u00b66. (SBU) Whole again.\n"
    )
    cable = build_cable(raw(body, header="O 041500Z JAN 10"))
    got = [(p.number, p.marking, p.level.value, p.text) for p in cable.paragraphs]
    assert got == [
        (1, "C)", "C", "Summary: the visit."),
        (2, "(C", "C", "XXXXXXXXXXXX, too, asserted that the rest follows."),
        (3, None, "unmarked", "a) first item of a list."),
        (4, None, "unmarked", "(S Korean officials (sic) said so."),
        (5, None, "unmarked", "c) lower case is a list item."),
        (6, "(SBU)", "SBU", "Whole again."),
    ]


@pytest.mark.parametrize(
    ("name", "number", "marking"), [("10ROME1.html", 1, "C)"), ("09BEIJING1970.html", 6, "(C")]
)
def test_real_pages_with_a_marking_missing_a_parenthesis(
    name: str, number: int, marking: str
) -> None:
    [cable] = [c for c in parse_path(PAGES / name) if isinstance(c, Cable)]
    par = cable.paragraph(number)
    assert par is not None and (par.marking, par.level) == (marking, Level.C)
    assert all(p.level is Level.C for p in cable.paragraphs if p.number)


def test_caveat_lines_under_the_banner() -> None:
    """Every caveat word and phrase the corpus writes under its banners, each once, in order."""
    body = (
        "UNCLAS SECTION 01 OF 07 MOSCOW 000293\n\nDEA SENSITIVE\nSIPDIS SIPDIS\nSENSITIVE\n"
        "SBU DELIBERATIVE PROCESS\nAIDAC\nNOFORN, NOT FOR INTERNET DISTRIBUTION\n"
        "SENSITIVE BUT UNCLASSIFIED\nPOST FOR DEA ONLY\n\nE.O. 12958: N/A\nTAGS: SNAR\n"
        "SUBJECT: SENSITIVE ISSUES\n\n\u00b61. (SBU) Text."
    )
    cable = build_cable(raw(body, header="R 100815Z FEB 10"))
    assert cable.caveats == [
        "DEA SENSITIVE",
        "SIPDIS",
        "SENSITIVE",
        "SBU",
        "DELIBERATIVE PROCESS",
        "AIDAC",
        "NOFORN",
        "NOT FOR INTERNET DISTRIBUTION",
        "SENSITIVE BUT UNCLASSIFIED",
    ]
    assert cable.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"


@pytest.mark.parametrize(
    ("banner", "classification", "caveats"),
    [
        (
            "UNCLAS KABUL 001275\n\nSENSITIVE\nSIPDIS",
            "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
            ["SENSITIVE", "SIPDIS"],
        ),
        ("UNCLAS BRIDGETOWN 002164\n\nSIPDIS\n\nAIDAC", "UNCLASSIFIED", ["SIPDIS", "AIDAC"]),
        ("SS E C R E T TUNIS 000679\n\nSIPDIS", "SECRET", ["SIPDIS"]),
        (
            "C O N F I D E N T I A L STATE 000284 SIPDIS E.O. 12958: DECL: 01/04/2020 TAGS: PGOV "
            "SUBJECT: SENSITIVE TALKS",
            "CONFIDENTIAL",
            ["SIPDIS"],
        ),
    ],
)
def test_classification_and_caveats_from_the_banner(
    banner: str, classification: str, caveats: list[str]
) -> None:
    cable = build_cable(raw(f"{banner}\n\n\u00b61. Text.", header="R 260548Z MAY 08"))
    assert (cable.classification, cable.caveats) == (classification, caveats)


@pytest.mark.parametrize(
    ("name", "caveats"),
    [
        ("06KABUL3934.html", ["SIPDIS", "SENSITIVE"]),
        ("06BRIDGETOWN2164.html", ["SIPDIS", "AIDAC"]),
        ("09PRETORIA954.html", ["SENSITIVE BUT UNCLASSIFIED", "SIPDIS"]),
        ("10MOSCOW293.html", ["DEA SENSITIVE", "SIPDIS"]),
        ("09STATE15113.html", ["NOFORN", "NOT FOR INTERNET DISTRIBUTION"]),
    ],
)
def test_real_caveat_lines(name: str, caveats: list[str]) -> None:
    [cable] = [c for c in parse_path(FIXTURES / name) if isinstance(c, Cable)]
    assert cable.caveats == caveats


def test_page_breaks_lost_or_lowercase_do_not_cut_paragraphs() -> None:
    body = (
        "C O N F I D E N T I A L TRIPOLI 000220\n\nSUBJECT: TEST\n\n"
        "\u00b61. (C) The family had no objection to a TRIPOLI 00000220 002 OF 003 visit by\n"
        "Emboffs.\n\n"
        "\u00b62. (C) Not enough to pull Mexico out of recession\n\n"
        "in the near term.\n\n"
        "\u00b63. (C) A sentence cut by a lowercase break\n\n"
        "Tripoli 00000220 003 of 003\n\n"
        "goes on here.\n"
    )
    cable = build_cable(raw(body, reference_id="08TRIPOLI220"))
    texts = [p.text for p in cable.paragraphs]
    assert texts == [
        "The family had no objection to a visit by Emboffs.",
        "Not enough to pull Mexico out of recession in the near term.",
        "A sentence cut by a lowercase break goes on here.",
    ]
