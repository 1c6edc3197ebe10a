"""Portion markings as they are written in real cables, and look-alikes that are not markings."""

from __future__ import annotations

import pytest

from cables.markings import is_whole_text_marking, level_of_classification, parse_marking
from cables.model import Level, Marking


@pytest.mark.parametrize(
    ("text", "level", "caveats"),
    [
        ("(U)", Level.U, ()),
        ("(SBU)", Level.SBU, ()),
        ("(C)", Level.C, ()),
        ("(S)", Level.S, ()),
        ("(TS)", Level.TS, ()),
        ("(S//NF)", Level.S, ("NF",)),
        ("(C/NF)", Level.C, ("NF",)),
        ("(S/REL NATO)", Level.S, ("REL NATO",)),
        ("(C//REL ISAF)", Level.C, ("REL ISAF",)),
        ("(S/Rel UK)", Level.S, ("REL UK",)),
        ("(S//REL TO USA, AUS)", Level.S, ("REL USA AUS",)),
        ("(U//FOUO)", Level.SBU, ("FOUO",)),
        ("(SBU/NF)", Level.SBU, ("NF",)),
        ("(S//FGI//NF)", Level.S, ("FGI", "NF")),
        ("(C/NOFORN)", Level.C, ("NF",)),
        ("(c)", Level.C, ()),
        ("(s/nf)", Level.S, ("NF",)),
        ("(C NF)", Level.C, ("NF",)),
        ("(SNF)", Level.S, ("NF",)),
        ("(N/SF)", Level.S, ("NF",)),
        ("( C )", Level.C, ()),
        ("(Confidential)", Level.C, ()),
        ("(SECRET)", Level.S, ()),
        ("(C - ENTIRE TEXT)", Level.C, ()),
        ("S//NF", Level.S, ("NF",)),
        ("C)", Level.C, ()),  # one parenthesis lost (10ROME1, 09BEIJING1970)
        ("(C", Level.C, ()),
    ],
)
def test_markings_read(text: str, level: Level, caveats: tuple[str, ...]) -> None:
    assert parse_marking(text) == Marking(level, caveats)


@pytest.mark.parametrize(
    "text", ["(S/CT)", "(S/WCI)", "(b)", "(d)", "(U.S.)", "(A)", "(B)", "()", "(NOTE)", "(US)"]
)
def test_look_alikes_are_not_markings(text: str) -> None:
    assert parse_marking(text) is None


def test_whole_text_forms() -> None:
    assert is_whole_text_marking("(C - ENTIRE TEXT)")
    assert not is_whole_text_marking("(C)")


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("UNCLASSIFIED", Level.U),
        ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", Level.SBU),
        ("CONFIDENTIAL", Level.C),
        ("CONFIDENTIAL//NOFORN", Level.C),
        ("SECRET", Level.S),
        ("SECRET//NOFORN", Level.S),
        ("TOP SECRET", Level.TS),
        ("C O N F I D E N T I A L", Level.C),
        ("S e c r e t", Level.S),
        ("E C R E T", Level.S),
        ("O N F I D E N T I A L", Level.C),
        ("SS E C R E T", Level.S),  # 08TUNIS679, 09PARIS381
        ("CC O N F I D E N T I A L", Level.C),  # 09SAOPAULO104
        ("UNCLAS", Level.U),
        (None, Level.UNMARKED),
        ("", Level.UNMARKED),
    ],
)
def test_level_of_classification(value: str | None, level: Level) -> None:
    assert level_of_classification(value) == level
