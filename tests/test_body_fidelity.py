"""Issue 8 on real cables: each systematic error of the body reader, on a page that shows it
(copied from ../shared/corpus under tests/fixtures/corpus), or on an excerpt where none does."""

from __future__ import annotations

from conftest import FIXTURE_CORPUS, FIXTURES

from cables.model import Cable
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
