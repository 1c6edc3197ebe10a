"""Issue 8 on real cables: each systematic error of the body reader, on a page that shows it
(copied from ../shared/corpus under tests/fixtures/corpus), or on an excerpt where none does."""

from __future__ import annotations

import pytest
from conftest import FIXTURE_CORPUS, FIXTURES

from cables.body import build_cable
from cables.formats import RawCable
from cables.model import Cable, Source
from cables.parsing import parse_path


def cable_of(name: str) -> Cable:
    folder = FIXTURE_CORPUS if (FIXTURE_CORPUS / name).exists() else FIXTURES
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
