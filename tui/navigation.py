"""Where the cable view's keys and scrolls lead: pure functions over paragraphs and line spans.

No Textual here: the view asks these what the current paragraph becomes, and they are tested on
their own (tests/test_navigation.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cables.model import Level, Paragraph

Span = tuple[int, int]  # a paragraph's first laid-out line and the line after its last
Word = tuple[str, bool]  # a full-text hit's word, and whether it stands for a prefix


@dataclass(frozen=True, slots=True)
class Find:
    """What the view highlights and n/N go through: the text typed after `/` (found as typed, in
    any case), or a full-text hit's words (whole words or prefixes), whose n/N go on to the next
    listed hit past the last match instead of wrapping round. `Find()` is no find."""

    text: str = ""
    words: tuple[Word, ...] = ()

    @classmethod
    def of_words(cls, words: Iterable[Word]) -> Find:
        words = tuple(words)
        return cls(" ".join(word for word, _ in words), words)

    @property
    def from_hit(self) -> bool:
        return bool(self.words)

    def pattern(self) -> re.Pattern[str] | None:
        if self.words:
            alternatives = "|".join(
                re.escape(word) + (r"\w*" if prefix else r"\b") for word, prefix in self.words
            )
            return re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)
        if not self.text:
            return None
        return re.compile(re.escape(self.text), re.IGNORECASE)


def section_starts(paragraphs: Sequence[Paragraph]) -> list[int]:
    """Indices of the paragraphs that open a section (their heading differs from the last)."""
    starts, section = [], None
    for i, paragraph in enumerate(paragraphs):
        if paragraph.section and paragraph.section != section:
            starts.append(i)
        section = paragraph.section
    return starts


def jump_target(candidates: Sequence[int], current: int, direction: int) -> int | None:
    """The first candidate after `current` (direction > 0) or the last before it; else None."""
    if direction > 0:
        return next((i for i in candidates if i > current), None)
    return next((i for i in reversed(candidates) if i < current), None)


def highest_level(paragraphs: Sequence[Paragraph]) -> Level:
    return max((p.level for p in paragraphs), key=lambda lv: lv.rank, default=Level.UNMARKED)


def level_hits(paragraphs: Sequence[Paragraph], level: Level) -> list[int]:
    return [i for i, p in enumerate(paragraphs) if p.level is level]


def number_target(paragraphs: Sequence[Paragraph], value: str) -> int | None:
    """The paragraph numbered `value` as published, else the `value`th; None if neither."""
    if not value.strip().isdigit():
        return None
    n = int(value)
    found = next((i for i, p in enumerate(paragraphs) if p.number == n), None)
    if found is not None:
        return found
    return n - 1 if 1 <= n <= len(paragraphs) else None


def follow(spans: Sequence[Span], current: int, top: int, height: int, *, paged: bool) -> int:
    """The current paragraph once the text shows lines `top` to `top + height`.

    While the current paragraph's first line is in view it stays (unless `paged`: paging makes
    the first paragraph on the page current); otherwise a paragraph filling more than half the
    view from above, else the first paragraph starting in view, else the one covering the top.
    """
    if not spans or height <= 0:
        return current
    start = spans[current][0]
    if top <= start < top + height and not paged:
        return current
    first = bisect_left([s for s, _ in spans], top)
    above = first - 1
    if above >= 0 and spans[above][1] - top > height // 2:
        return above
    if first < len(spans) and spans[first][0] < top + height:
        return first
    if above >= 0 and spans[above][1] > top:
        return above
    return current


def step_match(
    paragraphs: Sequence[int], at: int | None, current: int, direction: int
) -> tuple[int, bool]:
    """The next (or previous) find match from match `at`, and whether it wrapped round.

    `paragraphs` holds each match's paragraph, in order. With no match shown (`at` None), n goes
    to the first match from the current paragraph on, N to the last one up to it.
    """
    if at is None:
        k = (
            bisect_left(paragraphs, current)
            if direction > 0
            else bisect_right(paragraphs, current) - 1
        )
    else:
        k = at + direction
    if 0 <= k < len(paragraphs):
        return k, False
    return k % len(paragraphs), True


def first_match_in(paragraphs: Sequence[int], current: int) -> int | None:
    """The first of the find matches (each match's paragraph, in order) in paragraph `current`."""
    k = bisect_left(paragraphs, current)
    return k if k < len(paragraphs) and paragraphs[k] == current else None


def strip_runs(count: int, height: int) -> list[Span]:
    """Which paragraphs each of `height` strip rows stands for (one each when they fit)."""
    if count <= height:
        return [(i, i + 1) for i in range(count)]
    return [
        (y * count // height, max(y * count // height + 1, (y + 1) * count // height))
        for y in range(height)
    ]


def strip_levels(levels: Sequence[Level], height: int) -> list[Level]:
    """The level each strip row shows: its run's highest, except that every level the cable has
    keeps a row where the rows allow (a hidden one takes a row of its run from a level shown
    elsewhere too, or moves the level it displaces on to another of that level's rows)."""
    runs = strip_runs(len(levels), height)
    shown = [max(levels[lo:hi], key=lambda lv: lv.rank) for lo, hi in runs]
    rows_with = {
        level: [y for y, (lo, hi) in enumerate(runs) if level in levels[lo:hi]]
        for level in dict.fromkeys(levels)
    }

    def place(level: Level, fixed: frozenset[int]) -> bool:
        candidates = [y for y in rows_with[level] if y not in fixed]
        for y in candidates:
            if shown.count(shown[y]) > 1:
                shown[y] = level
                return True
        for y in candidates:
            displaced, shown[y] = shown[y], level
            if place(displaced, fixed | {y}):
                return True
            shown[y] = displaced
        return False

    for level in rows_with:
        if level not in shown:
            place(level, frozenset())
    return shown
