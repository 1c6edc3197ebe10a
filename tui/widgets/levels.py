"""Level codes and styles shared by the sidebar chip, the gutter, the strip and the legend.

Colour is never the only signal: every place that shows a level colour also shows its code.
"""

from __future__ import annotations

from rich.color import Color, ColorParseError
from rich.style import Style

from cables.model import Level

CODE: dict[Level, str] = {
    Level.U: "U",
    Level.SBU: "SBU",
    Level.C: "C",
    Level.S: "S",
    Level.TS: "TS",
    Level.UNMARKED: "·",
}


def level_of(value: str) -> Level:
    """The Level for a stored level value; anything unknown is unmarked."""
    try:
        return Level(value)
    except ValueError:
        return Level.UNMARKED


class LevelStyles:
    """Rich styles per level from the configured colours (`Config.level_colors`)."""

    def __init__(self, colors: dict[str, str]) -> None:
        self._fg: dict[Level, Style] = {}
        self._chip: dict[Level, Style] = {}
        for level in Level:
            color = _parse(colors.get(level.value))
            self._fg[level] = Style(color=color, bold=level is not Level.UNMARKED)
            self._chip[level] = Style(bgcolor=color, color="#ffffff", bold=True)

    def fg(self, level: Level) -> Style:
        """Text in the level's colour: marking labels and gutter bars."""
        return self._fg[level]

    def chip(self, level: Level) -> Style:
        """White code on the level's colour: sidebar chips and the level strip."""
        return self._chip[level]


def _parse(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None
