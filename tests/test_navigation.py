"""The cable view's navigation logic, pure: sections, jumps, levels, numbers, following a scroll,
find steps and the level strip's rows, on made-up paragraphs and line spans (no Textual)."""

from __future__ import annotations

import subprocess
import sys

from cables.model import Level, Marking, Paragraph
from tui import navigation


def para(number: int | None, level: Level | None = None, section: str | None = None) -> Paragraph:
    marking = Marking(level) if level else None
    return Paragraph(number, f"par{number}", None, marking, "text", section)


def test_sections_and_jumps():
    paragraphs = [para(1), para(2, section="A"), para(3, section="A"), para(4, section="B")]
    starts = navigation.section_starts(paragraphs)
    assert starts == [1, 3]
    assert navigation.jump_target(starts, 0, 1) == 1
    assert navigation.jump_target(starts, 1, 1) == 3
    assert navigation.jump_target(starts, 3, 1) is None
    assert navigation.jump_target(starts, 3, -1) == 1
    assert navigation.jump_target(starts, 1, -1) is None


def test_levels_and_numbers():
    paragraphs = [para(None), para(1, Level.U), para(2, Level.S), para(2, Level.C), para(5)]
    assert navigation.highest_level(paragraphs) is Level.S
    assert navigation.highest_level([]) is Level.UNMARKED
    assert navigation.level_hits(paragraphs, Level.C) == [3]
    assert navigation.number_target(paragraphs, "2") == 2  # the first numbered 2
    assert navigation.number_target(paragraphs, "5") == 4
    assert navigation.number_target(paragraphs, "4") == 3  # no ¶4: the 4th
    assert navigation.number_target(paragraphs, "9") is None
    assert navigation.number_target(paragraphs, "x") is None


SPANS = [(5, 8), (9, 30), (31, 33), (34, 36), (37, 40)]  # a long second paragraph


def test_following_a_scroll():
    # the current paragraph's first line still in view: it stays
    assert navigation.follow(SPANS, 0, 3, 10, paged=False) == 0
    # scrolled past it: the long paragraph fills the view
    assert navigation.follow(SPANS, 0, 12, 10, paged=False) == 1
    # the long one ends in the top half: the first starting in view
    assert navigation.follow(SPANS, 1, 28, 10, paged=False) == 2
    # paging makes the first on the page current even if the old one is still in view
    assert navigation.follow(SPANS, 2, 30, 10, paged=True) == 2
    assert navigation.follow(SPANS, 0, 0, 10, paged=True) == 0
    # above every paragraph (the header): nothing to follow
    assert navigation.follow(SPANS, 3, 0, 4, paged=False) == 3
    assert navigation.follow([], 0, 0, 10, paged=False) == 0


def test_find_steps_wrap():
    paragraphs = [0, 1, 2]  # each match's paragraph
    assert navigation.step_match(paragraphs, None, 0, 1) == (0, False)
    assert navigation.step_match(paragraphs, None, 2, -1) == (2, False)
    assert navigation.step_match(paragraphs, 2, 2, 1) == (0, True)
    assert navigation.step_match(paragraphs, 0, 0, -1) == (2, True)
    assert navigation.step_match(paragraphs, 1, 1, 1) == (2, False)


def test_find_steps_with_no_match_shown_start_from_the_current_paragraph():
    paragraphs = [1, 1, 4, 4, 4, 7]
    assert navigation.step_match(paragraphs, None, 4, 1) == (2, False)  # its first match
    assert navigation.step_match(paragraphs, None, 4, -1) == (4, False)  # its last match
    assert navigation.step_match(paragraphs, None, 5, 1) == (5, False)  # none in ¶5: the next
    assert navigation.step_match(paragraphs, None, 5, -1) == (4, False)
    assert navigation.step_match(paragraphs, None, 8, 1) == (0, True)
    assert navigation.step_match(paragraphs, None, 0, -1) == (5, True)
    assert navigation.first_match_in(paragraphs, 4) == 2
    assert navigation.first_match_in(paragraphs, 5) is None
    assert navigation.first_match_in(paragraphs, 9) is None


def test_a_find_matches_typed_text_anywhere_and_a_hits_words_whole_or_as_prefixes():
    assert navigation.Find().pattern() is None
    typed = navigation.Find("a.b")
    assert not typed.from_hit and typed.pattern().findall("A.B axb xa.bx") == ["A.B", "a.b"]
    hit = navigation.Find.of_words([("calderon", False), ("meri", True)])
    assert hit.from_hit and hit.text == "calderon meri"
    found = hit.pattern().findall("Calderon calderons Merida's merida meri xmerida")
    assert found == ["Calderon", "Merida", "merida", "meri"]


def test_strip_rows_keep_every_level():
    levels = [Level.UNMARKED] + [Level.U] * 7 + [Level.S] * 30 + [Level.C] + [Level.S] * 11
    assert navigation.strip_runs(3, 5) == [(0, 1), (1, 2), (2, 3)]
    for height in (10, 20, 40):
        shown = navigation.strip_levels(levels, height)
        assert len(shown) == height
        assert set(shown) == set(levels), height
    assert navigation.strip_levels([Level.U, Level.S], 1) == [Level.S]  # one row: the highest


def test_the_module_needs_no_textual():
    code = "import sys, tui.navigation; print('textual' in sys.modules, 'rich' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
