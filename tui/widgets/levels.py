"""Level codes and styles shared by the sidebar chip, the gutter, the strip and the legend.

Colour is never the only signal: every place that shows a level colour also shows its code.
The colours must be readable on every theme (WCAG contrast): a bar or marker at least 3:1 against
the background, text on a chip at least 4.5:1, in truecolor and once reduced to 256 colours. The
banner hues (green U, purple SBU, blue C, red S, orange TS) stay: a default colour too dark or too
light for the theme is blended towards white or black until it reads; a colour the user chose is
kept as chosen and a warning names it. With 16 colours each level gets its own ANSI colour.
"""

from __future__ import annotations

from rich.color import Color, ColorParseError, ColorSystem
from rich.style import Style

from cables.config import DEFAULT_LEVEL_COLORS
from cables.model import Level

CODE: dict[Level, str] = {
    Level.U: "U",
    Level.SBU: "SBU",
    Level.C: "C",
    Level.S: "S",
    Level.TS: "TS",
    Level.UNMARKED: "·",
}
BAR_CONTRAST = 3.0  # WCAG 1.4.11, non-text contrast
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, text
# 16 colours: a distinct ANSI colour per level, in the banner hues.
ANSI: dict[Level, int] = {
    Level.U: 2,  # green
    Level.SBU: 5,  # magenta
    Level.C: 4,  # blue
    Level.S: 1,  # red
    Level.TS: 3,  # yellow (the nearest ANSI colour to orange that is not red)
    Level.UNMARKED: 8,  # bright black
}
WHITE, BLACK = Color.from_rgb(255, 255, 255), Color.from_rgb(0, 0, 0)


def level_of(value: str) -> Level:
    """The Level for a stored level value; anything unknown is unmarked."""
    try:
        return Level(value)
    except ValueError:
        return Level.UNMARKED


def luminance(color: Color) -> float:
    """WCAG relative luminance of `color` as a terminal shows it."""
    channels = []
    for value in color.get_truecolor():
        v = value / 255
        channels.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def in_256(color: Color) -> Color:
    """`color` as a 256-colour terminal shows it."""
    return Color.from_triplet(color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor())


def worst_contrast(a: Color, b: Color) -> float:
    """The lower of the truecolor and 256-colour contrast ratios."""
    return min(contrast(a, b), contrast(in_256(a), in_256(b)))


def readable(color: Color, background: Color, ratio: float) -> Color:
    """`color` blended towards white (dark background) or black until it reaches `ratio`."""
    r, g, b = color.get_truecolor()
    toward = WHITE if luminance(background) < 0.18 else BLACK
    tr, tg, tb = toward.get_truecolor()
    for step in range(21):
        t = step / 20
        mixed = Color.from_rgb(r + (tr - r) * t, g + (tg - g) * t, b + (tb - b) * t)
        if worst_contrast(mixed, background) >= ratio:
            return mixed
    return toward


def chip_text(color: Color) -> Color:
    """White or black, whichever reads better on `color` (in truecolor and 256 colours)."""
    return max((WHITE, BLACK), key=lambda text: worst_contrast(text, color))


class LevelStyles:
    """Rich styles per level from the configured colours (`Config.level_colors`), made readable
    on the theme's background (`set_background`, again whenever the theme changes)."""

    def __init__(self, colors: dict[str, str], *, standard: bool = False) -> None:
        self.configured: dict[Level, Color | None] = {
            level: _parse(colors.get(level.value)) for level in Level
        }
        self.chosen = {
            level
            for level in Level
            if colors.get(level.value, "").lower() != DEFAULT_LEVEL_COLORS[level.value].lower()
        }
        self.standard = standard  # 16 colours: ANSI colours, the terminal's palette decides
        self.bars: dict[Level, Color | None] = dict(self.configured)
        self._fg: dict[Level, Style] = {}
        self._chip: dict[Level, Style] = {}
        self.set_background(BLACK)

    def set_background(self, background: Color) -> list[str]:
        """Recompute every style for `background`; a warning per chosen colour under 3:1."""
        warnings = []
        for level in Level:
            color = self.configured[level]
            if color is None:
                self.bars[level] = None
                self._fg[level] = Style(bold=level is not Level.UNMARKED)
                self._chip[level] = Style(reverse=True, bold=True)
                continue
            if self.standard:
                color = bar = Color.from_ansi(ANSI[level])
            elif level in self.chosen:
                bar = color
                ratio = worst_contrast(color, background)
                if ratio < BAR_CONTRAST:
                    warnings.append(
                        f"colors.{level.value} = {color.name} is hard to see on this theme"
                        f" ({ratio:.1f}:1, under {BAR_CONTRAST:.0f}:1)"
                    )
            else:
                bar = readable(color, background, BAR_CONTRAST)
            self.bars[level] = bar
            self._fg[level] = Style(color=bar, bold=level is not Level.UNMARKED)
            if self.standard:
                text = BLACK if level in (Level.TS, Level.U) else WHITE
            else:
                text = chip_text(color)
            self._chip[level] = Style(bgcolor=color, color=text, bold=True)
        return warnings

    def fg(self, level: Level) -> Style:
        """Text in the level's colour: marking labels and gutter bars."""
        return self._fg[level]

    def chip(self, level: Level) -> Style:
        """The level's code on its colour: sidebar chips, marking labels and the level strip."""
        return self._chip[level]


def _parse(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None
