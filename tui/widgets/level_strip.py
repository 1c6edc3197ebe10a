"""The level strip: every paragraph's level at a glance, beside the cable, and where you are.

One row per paragraph when they fit, else each row stands for a run of paragraphs (showing the
highest level among them, except that every level the cable has gets a row: a lone U paragraph
among SBU ones is not hidden). Rows carry the level code as text, and `▶` marks the current one.
A click on a row jumps to its paragraph.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from cables.model import Cable, Level
from tui import navigation
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
        self._style = Style()  # the widget's own, looked up once per paint

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
        levels = [p.level for p in self.cable.paragraphs]
        runs = navigation.strip_runs(len(levels), height)
        shown = navigation.strip_levels(levels, height)
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
        lo, hi = navigation.strip_runs(len(self.cable.paragraphs), len(rows))[y]
        level = rows[y][0]
        return next((i for i in range(lo, hi) if self.cable.paragraphs[i].level is level), lo)

    def on_click(self, event: Click) -> None:
        index = self.paragraph_at(event.y)
        if index is not None:
            self.post_message(self.Jump(index))

    def render_lines(self, crop: Region) -> list[Strip]:
        # once per paint, not per line: each lookup walks the DOM (a few ms over the first
        # frame's 37 rows)
        self._style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if self._rows is None:
            self._rows = self.rows(self.size.height)
        rows = self._rows
        if y >= len(rows):
            return Strip.blank(WIDTH, self._style)
        level, here = rows[y]
        mark = Segment("▶" if here else " ", self._style)
        chip = Segment(f"{CODE[level]:^3}", self.levels.chip(level))
        return Strip([mark, chip], WIDTH)
