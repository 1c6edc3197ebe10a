"""Level colours anyone can read: WCAG contrast computed from every built-in theme, in truecolor
and 256 colours; distinct ANSI colours in 16; the banner hues kept; a warning for a chosen colour
that cannot be seen; every level visible in the strip."""

from __future__ import annotations

import colorsys
from contextlib import asynccontextmanager

import pytest
from rich.color import Color
from textual.theme import BUILTIN_THEMES
from tui_support import index_loaded

from cables.config import DEFAULT_LEVEL_COLORS, Config
from cables.library import Library
from cables.model import Level
from tui.app import CablesApp
from tui.widgets.level_strip import LevelStrip
from tui.widgets.levels import (
    BAR_CONTRAST,
    TEXT_CONTRAST,
    LevelStyles,
    contrast,
    in_256,
)


def theme_background(name: str) -> Color:
    value = BUILTIN_THEMES[name].to_color_system().generate()["background"]
    if value == "ansi_default":  # the terminal's own background
        return Color.parse("#000000" if BUILTIN_THEMES[name].dark else "#ffffff")
    return Color.parse(value)


def hue(color: Color) -> float:
    r, g, b = (v / 255 for v in color.get_truecolor())
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


@pytest.mark.parametrize("theme", sorted(BUILTIN_THEMES))
def test_defaults_reach_wcag_contrast_on_every_theme(theme):
    background = theme_background(theme)
    styles = LevelStyles(DEFAULT_LEVEL_COLORS)
    assert styles.set_background(background) == []  # no warning for the defaults
    for level in Level:
        bar = styles.fg(level).color
        chip = styles.chip(level)
        for shown_bar, shown_bg in ((bar, background), (in_256(bar), in_256(background))):
            assert contrast(shown_bar, shown_bg) >= BAR_CONTRAST, (theme, level)
        for text, on in ((chip.color, chip.bgcolor), (in_256(chip.color), in_256(chip.bgcolor))):
            assert contrast(text, on) >= TEXT_CONTRAST, (theme, level)
        banner = Color.parse(DEFAULT_LEVEL_COLORS[level.value])
        assert chip.bgcolor == banner  # chips keep the banner colour itself
        if level is not Level.UNMARKED:  # the bar keeps the banner hue, lighter or darker
            assert abs(hue(bar) - hue(banner)) < 20, (theme, level, bar)


def test_the_old_colours_failed_where_the_issue_says():
    dark = theme_background("textual-dark")
    assert contrast(Color.parse(DEFAULT_LEVEL_COLORS["C"]), dark) < 2
    assert contrast(Color.parse(DEFAULT_LEVEL_COLORS["SBU"]), dark) < 2
    assert contrast(Color.parse("#ffffff"), Color.parse(DEFAULT_LEVEL_COLORS["TS"])) < 2.5


def test_sixteen_colours_give_each_level_its_own_colour():
    styles = LevelStyles(DEFAULT_LEVEL_COLORS, standard=True)
    styles.set_background(Color.parse("#000000"))
    bars = [styles.fg(level).color.number for level in Level]
    chips = [styles.chip(level).bgcolor.number for level in Level]
    assert len(set(bars)) == len(bars) == len(Level)
    assert len(set(chips)) == len(Level)


def test_a_chosen_colour_under_3_to_1_is_kept_and_warned_about():
    styles = LevelStyles({**DEFAULT_LEVEL_COLORS, "S": "#303030"})
    warnings = styles.set_background(Color.parse("#121212"))
    assert len(warnings) == 1 and "colors.S" in warnings[0] and "3:1" in warnings[0]
    assert styles.fg(Level.S).color == Color.parse("#303030")


@asynccontextmanager
async def running(path, config=None, **kwargs):
    library = Library.open(path)
    app = CablesApp(library, config, **kwargs)
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await index_loaded(app, pilot)
            yield app, pilot
    finally:
        library.close()


async def test_the_app_fits_colours_to_its_theme_and_warns(fixtures_library):
    config = Config(level_colors={**DEFAULT_LEVEL_COLORS, "S": "#303030"})
    async with running(fixtures_library, config, open_ref="09BERLIN1167") as (app, pilot):
        toasts = [toast.render().plain for toast in app.screen.query("Toast")]
        assert any("colors.S" in text for text in toasts)
        dark_bar = app.level_styles.fg(Level.C).color
        assert contrast(dark_bar, theme_background("textual-dark")) >= BAR_CONTRAST
        app.theme = "textual-light"
        await pilot.pause()
        light_bar = app.level_styles.fg(Level.C).color
        assert light_bar != dark_bar
        assert contrast(light_bar, theme_background("textual-light")) >= BAR_CONTRAST
        gutter = app.view.render_line(0)  # drawn with the new colours
        assert gutter is not None


async def test_whole_text_marking_labels_what_applies(fixtures_library):
    async with running(fixtures_library, open_ref="79TEHRAN8980") as (app, _pilot):
        text = app.view.visible_text()
        assert "2. (C, entire text) " in text
        assert "(unmarked)" not in text


async def test_no_level_hides_behind_another_and_a_click_jumps(fixtures_library):
    async with running(fixtures_library, open_ref="08STATE116943") as (app, pilot):
        strip = app.query_one(LevelStrip)
        levels = {p.level for p in app.view.cable.paragraphs}
        for height in (6, 10, 20, 30):
            assert {level for level, _ in strip.rows(height)} == levels, height
        row = next(
            y for y, (level, _) in enumerate(strip.rows(strip.size.height)) if level is Level.U
        )
        await pilot.click(LevelStrip, offset=(2, row))
        assert app.view.paragraph.level is Level.U
        assert app.view.current == strip.paragraph_at(row)


async def test_a_16_colour_terminal_gets_one_ansi_colour_per_level(fixtures_library, monkeypatch):
    monkeypatch.delenv("COLORTERM")
    monkeypatch.setenv("TERM", "screen")
    async with running(fixtures_library, open_ref="08STATE116943") as (app, _pilot):
        assert app.level_styles.standard
        numbers = [app.level_styles.fg(level).color.number for level in Level]
        assert len(set(numbers)) == len(Level)
