"""The level strip: every paragraph's level at a glance, beside the cable, and where you are.

One row per paragraph when they fit, else each row stands for a run of paragraphs (showing the
highest level among them). Rows carry the level code as text, and `▶` marks the current one.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from cables.model import Cable, Level
from tui.widgets.levels import CODE, LevelStyles

WIDTH = 4


class LevelStrip(Widget):
    """Draws the open cable's paragraph levels, one row per paragraph or per run."""

    DEFAULT_CSS = f"LevelStrip {{ width: {WIDTH}; }}"

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
        result = []
        for y in range(height):
            lo, hi = y * n // height, max(y * n // height + 1, (y + 1) * n // height)
            level = max((p.level for p in paragraphs[lo:hi]), key=lambda lv: lv.rank)
            result.append((level, lo <= self.current < hi))
        return result

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
