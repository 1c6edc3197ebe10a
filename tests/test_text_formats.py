"""Text formats: the rendered page, PDF extractions, raw telegram text and the record form."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import FIXTURES

from cables.formats import RawCable
from cables.formats.html import read_html
from cables.formats.text import (
    decode,
    find_records,
    is_banner,
    read_records,
    read_rendered,
    read_telegram,
    split_header,
)
from cables.model import Cable, Source
from cables.parsing import parse_path

MEXICO = FIXTURES / "09MEXICO1055.rendered.txt"
MEXICO_LEVELS = ["C", "C", "SBU", "SBU", "SBU", "SBU", "SBU", "SBU", "SBU", "C", "SBU", "C", "U"]


def _one(path) -> Cable:
    [cable] = list(parse_path(path))
    assert isinstance(cable, Cable), cable
    return cable


def test_rendered_page_table_and_articles():
    raw = read_rendered(MEXICO.read_text(), Source(str(MEXICO)))
    assert (raw.reference_id, raw.created, raw.released, raw.classification, raw.origin) == (
        "09MEXICO1055",
        "2009-04-14T16:11",
        "2011-08-30T01:44",
        "CONFIDENTIAL//NOFORN",
        "Embassy Mexico",
    )
    assert raw.articles == [
        "http://wikileaks.jornada.com.mx/notas/encuentros-entre-obama-y-calderon"
    ]
    assert raw.header is not None and raw.header.startswith("VZCZCXRO9431\n")
    assert raw.header.endswith("RUEABND/DEA HQS WASHINGTON DC IMMEDIATE")


def test_rendered_paragraph_numbers_lose_the_rendered_pilcrow_one(facts):
    raw = read_rendered(MEXICO.read_text(), Source(str(MEXICO)))
    starts = [
        line.split(" ", 1)[0]
        for line in raw.body.split("\n")
        if line[:1] == "\u00b6" or line[:2] == "**"
    ]
    assert starts == [f"\u00b6{n}." for n in range(1, 14)]
    observed = facts["09MEXICO1055.rendered.txt"]["observed"]
    assert len(observed["paragraph_numbers_as_rendered"]) == len(starts)
    assert "<http" not in raw.body and "http://www.state.sgov.gov/p/wha/mexicocity" in raw.body


def test_rendered_mexico_end_to_end():
    cable = _one(MEXICO)
    assert cable.reference_id == "09MEXICO1055"
    assert (cable.created, cable.released) == ("2009-04-14T16:11", "2011-08-30T01:44")
    assert cable.classification == "CONFIDENTIAL//NOFORN"
    assert cable.origin == "Embassy Mexico"
    assert cable.created_dtg == "O 141611Z APR 09"
    assert [p.number for p in cable.paragraphs] == list(range(1, 14))
    assert [p.level.value for p in cable.paragraphs] == MEXICO_LEVELS
    assert [p.anchor for p in cable.paragraphs] == [f"par{n}" for n in range(1, 14)]
    third = cable.paragraph(3)
    assert third is not None
    assert "military-law enforcement anti-narcotic operations which have drawn" in third.text
    assert "00001055" not in third.text
    assert third.text.endswith("better coordinate Mexico's disparate police forces.")
    # The record block of the page's own cable is not a cable of its own, nor body text.
    assert "202259" not in cable.body
    assert cable.source == Source(str(MEXICO))


def test_rendered_section_headings_survive_the_markdown_rules():
    cable = _one(MEXICO)
    assert cable.sections[:2] == [
        "Looking for Opportunities in Troubled Times",
        "Beyond the Bilateral Relationship",
    ]
    assert cable.paragraph(5).section == "Looking for Opportunities in Troubled Times"


def test_a_rule_after_the_last_page_break_is_no_underline():
    cable = _one(MEXICO)
    assert len(cable.sections) == 2
    assert cable.paragraph(13).section == "Beyond the Bilateral Relationship"


TIKA = [
    ("09PARIS997.tika.txt", "09PARIS997", "P 231544Z JUL 09", 11),
    ("07BOGOTA1165.tika.txt", "07BOGOTA1165", "R 161902Z FEB 07", 4),
    ("06NEWDELHI5239.tika.txt", "06NEWDELHI5239", "O 260858Z JUL 06", 10),  # + lettered
    # 85 pilcrows, two of them before a year (facts `pilcrow_before_non_paragraph`)
    ("09UNVIEVIENNA285.tika.txt", "09UNVIEVIENNA285", "R 181313Z JUN 09", 83),
]


@pytest.mark.parametrize(("name", "ref", "dtg", "pilcrows"), TIKA)
def test_tika_extractions_give_the_right_ids(name, ref, dtg, pilcrows):
    cable = _one(FIXTURES / name)
    assert cable.reference_id == ref
    assert cable.created_dtg == dtg
    assert cable.released is None
    assert [p.number for p in cable.paragraphs if p.number] == list(range(1, pilcrows + 1))


def test_tika_is_latin1_crlf_and_the_header_splits_at_the_banner():
    data = (FIXTURES / "09PARIS997.tika.txt").read_bytes()
    assert b"\xb6" in data and b"\r\n" in data
    raw = read_telegram(decode(data), Source("x"))
    assert "\r" not in raw.body and "\u00b6" in raw.body
    assert raw.header is not None and raw.header.splitlines()[0] == "VZCZCXRO4815"
    assert raw.header.splitlines()[-1] == "RHMFISS/HQ USAFRICOM STUTTGART GE PRIORITY"
    assert raw.body.startswith("CONFIDENTIAL SECTION 01 OF 02 PARIS 000997")
    assert raw.reference_id is None


def test_tika_paris_paragraphs_are_confidential():
    cable = _one(FIXTURES / "09PARIS997.tika.txt")
    assert {p.level.value for p in cable.paragraphs if p.number} == {"C"}
    assert cable.subject == (
        "MFA AFRICA DIRECTOR'S JULY 21 DISCUSSION OF MADAGASCAR, MAURITANIA, NIGER, COTE D'IVOIRE"
    )


def test_a_bare_body_has_no_header():
    body = "S E C R E T TEHRAN 8233\n\nTAGS: PINT IR\nSUBJECT: SHAH\n\n\u00b61. TEXT."
    assert split_header(body) == (None, body)


def test_an_old_style_header_runs_from_its_page_block_to_the_banner():
    text = (
        "CONFIDENTIAL\n\nPAGE 01        CAPE T  00097  01 OF 03  182017Z\nACTION AF-00\n\n"
        "INFO  LOG-00   ADS-00\n      /037 W\nR 171512Z JAN 90\nFM AMCONSUL CAPE TOWN\n"
        "INFO AMEMBASSY PARIS\nC O N F I D E N T I A L SECTION 01 OF 03 CAPE TOWN 00097 \n"
        "\u00b61.  CONFIDENTIAL - ENTIRE TEXT.\n"
    )
    header, body = split_header(text)
    assert header is not None and header.startswith("CONFIDENTIAL\n\nPAGE 01")
    assert header.endswith("INFO AMEMBASSY PARIS")
    assert body.startswith("C O N F I D E N T I A L SECTION 01 OF 03 CAPE TOWN 00097")


def test_a_header_ends_before_the_date_line_and_a_banner_missing_its_first_letter():
    text = (
        "VZCZCXYZ0000\nO 220500Z JUL 08 ZDK CTG #00732\nFM AMEMBASSY RIYADH\n"
        "Tuesday, 22 July 2008, 05:00\nS E C R E T RIYADH 001134\n"
    )
    assert split_header(text)[0] == (
        "VZCZCXYZ0000\nO 220500Z JUL 08 ZDK CTG #00732\nFM AMEMBASSY RIYADH"
    )
    text = "R 150000Z JAN 07\nFM AMEMBASSY BAGHDAD\nE C R E T SECTION 01 OF 03 BAGHDAD 000146\n"
    assert split_header(text)[1].startswith("E C R E T SECTION")


def test_text_with_tags_before_its_dtg_has_no_header():
    text = "UNCLAS X 1\nTAGS: PGOV\nO 220500Z JUL 08\nFM AMEMBASSY X\n"
    assert split_header(text) == (None, text)


def test_a_header_without_a_banner_ends_at_the_first_blank_line():
    text = "VZCZCXRO1\nR 010101Z JAN 09\nFM AMEMBASSY X\n\nSUBJECT: Y\n"
    assert split_header(text) == ("VZCZCXRO1\nR 010101Z JAN 09\nFM AMEMBASSY X", "SUBJECT: Y\n")


RECORDS = (
    "121752\t2007-09-11 12:50:00\t07TBILISI2290\tEmbassy Tbilisi\t"
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY\t\tVZCZCXRO4053\\\nR 111250Z SEP 07\\\n"
    "FM AMEMBASSY TBILISI\tUNCLAS SECTION 01 OF 06 TBILISI 002290 \\\n \\\n"
    "SUBJECT: REGIONAL GOVERNORS \\\n \\\n\u00b61. (U) Sensitive but unclassified. \\\n\n"
    "121753\t2007-09-11 13:05:00\t07BERN882\tEmbassy Bern\tSECRET\t07STATE1|07BERN881\t"
    "R 111305Z SEP 07\tS E C R E T BERN 000882 \\\n\u00b61. (S) Text.\\\n"
)


def test_the_tab_separated_record_form():
    records = find_records(RECORDS)
    assert [r.reference_id for r in records] == ["07TBILISI2290", "07BERN882"]
    first, second = records
    assert first.created == "2007-09-11T12:50"
    assert first.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert first.references == []
    assert first.header == "VZCZCXRO4053\nR 111250Z SEP 07\nFM AMEMBASSY TBILISI"
    assert first.body.startswith("UNCLAS SECTION 01 OF 06 TBILISI 002290 \n \nSUBJECT:")
    assert "\\" not in first.body
    assert second.references == ["07STATE1", "07BERN881"]
    assert second.body == "S E C R E T BERN 000882 \n\u00b61. (S) Text."
    assert (first.line, second.line) == (1, 9)


def test_read_records_gives_one_raw_cable_per_record():
    raws = list(read_records(RECORDS, "records.txt"))
    assert all(isinstance(r, RawCable) for r in raws)
    assert [(r.reference_id, r.source.record) for r in raws] == [
        ("07TBILISI2290", 1),
        ("07BERN882", 2),
    ]


def test_record_file_end_to_end(tmp_path):
    path = tmp_path / "records.txt"
    path.write_text(RECORDS)
    cables = list(parse_path(path))
    assert [c.reference_id for c in cables] == ["07TBILISI2290", "07BERN882"]
    assert cables[1].references == ["07STATE1", "07BERN881"]
    assert cables[0].paragraphs[0].level.value == "U"
    assert cables[1].paragraphs[0].level.value == "S"


@pytest.mark.parametrize(
    ("line", "banner"),
    [
        ("UNCLASSIFIED BUENOS AIRES 2481", True),
        ("UNCLAS TEHRAN 1164", True),
        ("S e c r e t STATE 012345", True),
        ("C O N F I D E N T I A L SECTION 01 OF 04", True),
        ("SECRET//NOFORN", True),
        ("RUEHC/SECSTATE WASHDC IMMEDIATE", False),
        ("Unclassified talks resumed on Monday.", False),
        ("Secretary Clinton said", False),
        ("E C R E T SECTION 01 OF 03 BAGHDAD 000146", True),
        ("SS E C R E T TUNIS 000679", True),
        ("ONFIDENTIAL SECTION 01 OF 02 PARIS 000997", True),
        ("T O P S E C R E T X 1", True),
        ("S E N S I T I V E", False),
        ("CRETE IS AN ISLAND", False),
    ],
)
def test_banner_lines(line, banner):
    assert is_banner(line) is banner


def test_an_old_header_ends_at_its_unclassified_banner():
    text = (
        "P R 281848Z DEC 66\nFM AMEMBASSY BUENOS AIRES\nTO SECSTATE WASHDC PRIORITY\n"
        "UNCLASSIFIED BUENOS AIRES 2481\n\nSUBJECT: HIGH SEAS\n"
    )
    header, body = split_header(text)
    assert header == "P R 281848Z DEC 66\nFM AMEMBASSY BUENOS AIRES\nTO SECSTATE WASHDC PRIORITY"
    assert body.startswith("UNCLASSIFIED BUENOS AIRES 2481\n")


TEXT_FILES = [
    "06NEWDELHI5239.tika.txt",
    "09UNVIEVIENNA285.tika.txt",
    "07BOGOTA1165.tika.txt",
    "09PARIS997.tika.txt",
    "09MEXICO1055.rendered.txt",
]


@pytest.mark.parametrize("name", TEXT_FILES)
def test_text_formats_match_their_facts(facts, name):
    observed = facts[name]["observed"]
    cable = _one(FIXTURES / name)
    assert cable.reference_id == facts[name]["reference_id_from_filename"]
    assert cable.subject == " ".join(observed["subject_raw"].split())
    assert cable.tags == observed["tags_line_raw"].split()
    markings = (
        observed["markings"] if "markings" in observed else Counter(observed["markings_in_order"])
    )
    assert Counter(p.marking for p in cable.paragraphs if p.marking) == markings


@pytest.mark.parametrize("name", TEXT_FILES)
def test_text_formats_dtg_is_the_date_time_group_alone(facts, name):
    assert _one(FIXTURES / name).created_dtg == facts[name]["observed"]["dtg"]


# Pages whose raw telegram text cannot give the page's cable, and why.
TELEGRAM_EXCEPTIONS = {
    "88BAGHDAD28.html": "the page is itself wrong: its body is 88STATE68250 (`state 068250`)",
}

# Pages whose classification the telegram text alone cannot give, and why.
CLASSIFICATION_FROM_PAGE_ONLY = {
    "08LONDON1991.html": "NOFORN only in the page table and the subject's (C/NF): no caveat line",
}


def _telegram_pages() -> list:
    pages = []
    for path in sorted(FIXTURES.glob("*.html")):
        raw = read_html(path.read_bytes(), Source(str(path)))
        if path.name in TELEGRAM_EXCEPTIONS or not (raw.header and DTG_IN.search(raw.header)):
            continue  # partial extracts carry a note, not a routing header
        pages.append(pytest.param(path, f"{raw.header}\n{raw.body}", id=path.name))
    return pages


DTG_IN = re.compile(r"^\s*(?:[OPRZ]\s+){1,2}\d{6}Z\s+[A-Z]{3}\s+\d{2}\b", re.MULTILINE)


@pytest.mark.parametrize(("page", "telegram"), _telegram_pages() if FIXTURES.is_dir() else [])
def test_a_pages_telegram_text_alone_gives_the_same_cable(tmp_path, page, telegram):
    """Header and body of a page as raw text: no page table, yet the same cable."""
    path = tmp_path / "telegram.txt"
    path.write_text(telegram)
    from_page, from_text = (
        next(c for c in parse_path(p) if isinstance(c, Cable)) for p in (page, path)
    )
    assert from_text.reference_id == from_page.reference_id
    assert from_text.created_dtg == from_page.created_dtg
    assert (from_text.subject, from_text.tags) == (from_page.subject, from_page.tags)
    assert [(p.number, p.level, p.marking, p.text) for p in from_text.paragraphs] == [
        (p.number, p.level, p.marking, p.text) for p in from_page.paragraphs
    ]
    assert from_text.header == from_page.header.strip("\n")
    assert from_text.caveats == from_page.caveats
    # An entry of the table that no longer differs is stale: it fails here too.
    same = from_text.classification == from_page.classification
    assert same is (page.name not in CLASSIFICATION_FROM_PAGE_ONLY)
