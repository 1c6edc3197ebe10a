"""The level strip: every paragraph's level at a glance, beside the cable, and where you are.

One row per paragraph when they fit, else each row stands for a run of paragraphs (showing the
highest level among them, except that every level the cable has gets a row: a lone U paragraph
among SBU ones is not hidden). Rows carry the level code as text, and `▶` marks the current one.
A click on a row jumps to its paragraph.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.events import Click
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from cables.model import Cable, Level
from tui.widgets.levels import CODE, LevelStyles

WIDTH = 4


class LevelStrip(Widget):
    """Draws the open cable's paragraph levels, one row per paragraph or per run."""

    DEFAULT_CSS = f"LevelStrip {{ width: {WIDTH}; }}"

    class Jump(Message):
        """The user clicked the row of paragraph `index`."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, styles: LevelStyles, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.levels = styles
        self.cable: Cable | None = None
        self.current = 0
        self._rows: list[tuple[Level, bool]] | None = None  # per paint, cleared on change

    def show(self, cable: Cable | None, current: int) -> None:
        self.cable, self.current = cable, current
        self._rows = None
        self.refresh()

    def on_resize(self) -> None:
        self._rows = None

    def rows(self, height: int) -> list[tuple[Level, bool]]:
        """(level, holds the current paragraph) for each of `height` rows."""
        if self.cable is None or not self.cable.paragraphs or height <= 0:
            return []
        paragraphs = self.cable.paragraphs
        n = len(paragraphs)
        if n <= height:
            return [(p.level, i == self.current) for i, p in enumerate(paragraphs)]
        runs = [
            (y * n // height, max(y * n // height + 1, (y + 1) * n // height))
            for y in range(height)
        ]
        shown = [
            max((p.level for p in paragraphs[lo:hi]), key=lambda lv: lv.rank) for lo, hi in runs
        ]
        # Every level the cable has gets a row: a hidden one takes a row of its run from a
        # level shown in other rows too, or moves the level it displaces on to another row.
        rows_with = {
            level: [
                y
                for y, (lo, hi) in enumerate(runs)
                if any(p.level is level for p in paragraphs[lo:hi])
            ]
            for level in dict.fromkeys(p.level for p in paragraphs)
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
        return [
            (level, lo <= self.current < hi) for level, (lo, hi) in zip(shown, runs, strict=True)
        ]

    def paragraph_at(self, y: int) -> int | None:
        """The paragraph row `y` stands for: the first of its run with the level shown."""
        if self.cable is None or not self.cable.paragraphs:
            return None
        rows = self.rows(self.size.height)
        if not 0 <= y < len(rows):
            return None
        n, height = len(self.cable.paragraphs), len(rows)
        if n <= height:
            return y
        lo, hi = y * n // height, max(y * n // height + 1, (y + 1) * n // height)
        level = rows[y][0]
        return next((i for i in range(lo, hi) if self.cable.paragraphs[i].level is level), lo)

    def on_click(self, event: Click) -> None:
        index = self.paragraph_at(event.y)
        if index is not None:
            self.post_message(self.Jump(index))

    def render_line(self, y: int) -> Strip:
        if self._rows is None:
            self._rows = self.rows(self.size.height)
        rows = self._rows
        if y >= len(rows):
            return Strip.blank(WIDTH, self.rich_style)
        level, here = rows[y]
        mark = Segment("▶" if here else " ", self.rich_style)
        chip = Segment(f"{CODE[level]:^3}", self.levels.chip(level))
        return Strip([mark, chip], WIDTH)
