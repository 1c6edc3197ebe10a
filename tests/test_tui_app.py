"""Pilot tests of the browser: every action, asserting what the user sees and what was copied."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, OptionList
from tui_support import SubstringSearch, sample_library

from cables.config import Config
from cables.keymap import ACTIONS
from cables.model import Level
from tui.app import CablesApp
from tui.screens.help import HelpScreen, LegendScreen
from tui.screens.picker import PickerScreen
from tui.widgets.footer import CableFooter
from tui.widgets.level_strip import LevelStrip
from tui.widgets.sidebar import CableList, Sidebar

SIZE = (120, 36)


def make_app(config: Config | None = None, **kwargs) -> CablesApp:
    return CablesApp(sample_library(), config, search_factory=SubstringSearch, **kwargs)


async def ready(app, pilot) -> None:
    """Wait for the index worker and the first cable."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def as_text(renderable) -> str:
    console = Console(record=True, width=140, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def footer(app) -> str:
    return app.query_one(CableFooter).plain


def current(app) -> tuple[int | None, Level]:
    p = app.view.paragraph
    return p.number, p.level


async def test_opens_newest_cable_at_its_first_paragraph():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.view.cable.reference_id == "09BERLIN1167"
        assert current(app) == (1, Level.C)
        text = footer(app)
        for field in ("09BERLIN1167", "2009-09-18", "2010-11-28", "Berlin", "S//NF",
                      "¶ 1/6", "(C//NF)"):
            assert field in text
        assert app.query_one(Sidebar).query_one("#count").render().plain == "4 of 4"


async def test_paragraph_moves_and_first_last():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "down")
        assert current(app) == (3, Level.U)
        assert "¶ 3/6 (U)" in footer(app)
        await pilot.press("k")
        assert current(app) == (2, Level.S)
        await pilot.press("up", "up")  # stops at the first
        assert current(app) == (1, Level.C)
        await pilot.press("G")
        assert current(app) == (6, Level.UNMARKED)
        assert "¶ 6/6 (unmarked)" in footer(app)
        await pilot.press("g")
        assert current(app) == (1, Level.C)
        await pilot.press("end")
        assert current(app)[0] == 6
        await pilot.press("home")
        assert current(app)[0] == 1


async def test_goto_paragraph_by_number():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("colon", "4", "enter")
        await pilot.pause()
        assert current(app) == (4, Level.SBU)
        assert "¶ 4/6 (SBU)" in footer(app)
        await pilot.press("colon", "9", "9", "enter")
        await pilot.pause()
        assert current(app)[0] == 4
        assert any("No paragraph 99" in n.message for n in app._notifications)
        await pilot.press("colon", "2", "escape")
        await pilot.pause()
        assert current(app)[0] == 4


async def test_sections_and_levels():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("right_square_bracket")
        assert current(app)[0] == 4  # COMMENT starts at paragraph 4
        await pilot.press("left_square_bracket")
        assert current(app)[0] == 1
        # < and > go by the cable's highest level (TS) until one is chosen
        await pilot.press("greater_than_sign")
        assert current(app) == (5, Level.TS)
        await pilot.press("v")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        options = picker.query_one(OptionList)
        options.highlighted = [o.id for o in options.options].index("S")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("less_than_sign")
        assert current(app) == (2, Level.S)
        await pilot.press("less_than_sign")  # none before: stays, warns
        assert current(app)[0] == 2


async def test_find_next_previous():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"the", "enter")
        await pilot.pause()
        assert current(app)[0] == 1
        assert app.view.find_hits() == [0, 1, 2, 3, 4]  # "their" holds "the" too
        await pilot.press("n")
        assert current(app)[0] == 2
        await pilot.press("n", "n", "n")
        assert current(app)[0] == 5
        await pilot.press("n")  # no further match: stays
        assert current(app)[0] == 5
        await pilot.press("N")
        assert current(app)[0] == 4


async def test_copy_paragraph_link_cable_link_and_citation():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("colon", "3", "enter", "y")
        await pilot.pause()
        assert app.clipboard == "https://wikileaks.org/cable/2009/09/09BERLIN1167.html#par3"
        assert any(n.message == app.clipboard for n in app._notifications)
        await pilot.press("Y")
        assert app.clipboard == "https://wikileaks.org/cable/2009/09/09BERLIN1167.html"
        await pilot.press("c")
        assert app.clipboard == (
            "> The embassy will follow up with the party's foreign policy staff.\n>\n"
            "> — [09BERLIN1167 ¶ 3](https://wikileaks.org/cable/2009/09/09BERLIN1167.html#par3)\n"
        )


async def test_configured_permalink_template_is_used():
    config = Config(paragraph_permalink="https://mirror.example/{year}/{ref}.html#{anchor}")
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "y")
        assert app.clipboard == "https://mirror.example/2009/09BERLIN1167.html#par2"


async def test_synthetic_cable_is_labelled_and_refused_a_link():
    app = make_app(open_ref="08STATE1")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.view.cable.reference_id == "08STATE1"
        assert app.view.visible_text().startswith("SYNTHETIC CABLE")
        assert "SYNTHETIC" in footer(app)
        await pilot.press("y")
        assert app.clipboard == ""
        assert any("synthetic" in n.message for n in app._notifications)


async def test_open_ref_with_anchor():
    app = make_app(open_ref="09MEXICO1055", anchor="par11")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.view.cable.reference_id == "09MEXICO1055"
        assert current(app)[0] == 11
        assert "¶ 11/13" in footer(app)


async def test_references_back_forward_and_cited_by():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "r")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        labels = [o.prompt.plain for o in app.screen.query_one(OptionList).options]
        assert labels[0].startswith("09BERLIN1162  [bold]x[/]")
        assert labels[1] == "09STATE15113  (not in this library)"
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09BERLIN1162"
        await pilot.press("backspace")
        assert app.view.cable.reference_id == "09BERLIN1167"
        assert current(app)[0] == 2  # back where we were
        await pilot.press("f")
        assert app.view.cable.reference_id == "09BERLIN1162"
        await pilot.press("backspace", "R")
        await pilot.pause()
        assert [o.id for o in app.screen.query_one(OptionList).options] == ["09MEXICO1055"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09MEXICO1055"


async def test_toggle_original_text():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("o")
        text = app.view.visible_text()
        assert text.startswith("R 181526Z SEP 09\nFM AMEMBASSY BERLIN")
        assert "Classified By: DCM Greg Delawie" in text
        await pilot.press("o")
        assert app.view.visible_text().startswith("GERMANY: FDP LEADER")


async def test_sidebar_search_open_and_escape():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+f", *"obama")
        await app.workers.wait_for_complete()
        await pilot.pause()
        sidebar = app.query_one(Sidebar)
        assert sidebar.query_shown == "obama"
        assert sidebar.query_one("#count").render().plain == "1 of 4"
        assert sidebar.cable_list.selected == "09MEXICO1055"
        # q, j and ? type into the query box rather than act
        assert isinstance(app.focused, Input)
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09MEXICO1055"
        assert app.focused is app.view
        await pilot.press("tab")
        assert app.focused.id == "query" or isinstance(app.focused, CableList)
        await pilot.press("escape")
        assert app.focused is app.view


async def test_sidebar_list_keys_and_toggle():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        cable_list = app.query_one(CableList)
        cable_list.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09MEXICO1055"
        await pilot.press("ctrl+b")
        assert not app.query_one(Sidebar).display
        assert app.focused is app.view
        await pilot.press("ctrl+b")
        assert app.query_one(Sidebar).display


async def test_markup_in_cable_text_shows_literally():
    app = make_app(open_ref="09BERLIN1162")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.is_running
        row = app.query_one(CableList).row_text(1)
        assert isinstance(row, Text)
        assert "[bold]x[/] [@click=app.quit] CLICK ME" in row.plain
        assert app.view.visible_text().startswith("[bold]x[/] [@click=app.quit] CLICK ME")
        lines = [app.view.render_line(0).text, app.query_one(CableList).render_line(1).text]
        assert "[bold]x[/] [@click=app.quit]" in lines[0]
        assert "[bold]x[/]" in lines[1]
        await pilot.click(CableList, offset=(30, 1))
        await pilot.pause()
        assert app.is_running


async def test_help_and_legend_screens():
    app = make_app(Config(keymap={"find": "ctrl+g"}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = as_text(app.screen.body)
        for action in ACTIONS:
            assert action.description in text
        assert "ctrl+g" in text
        await pilot.press("escape", "L")
        await pilot.pause()
        assert isinstance(app.screen, LegendScreen)
        legend_text = as_text(app.screen.body)
        for word in ("UNCLASSIFIED", "SBU/CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET"):
            assert word in legend_text
        await pilot.press("escape")


async def test_keymap_remaps_by_binding_id():
    app = make_app(Config(keymap={"next_paragraph": "x", "copy_paragraph_link": "ctrl+y"}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j")
        assert current(app)[0] == 1
        await pilot.press("x", "ctrl+y")
        assert current(app)[0] == 2
        assert app.clipboard.endswith("#par2")


async def test_level_strip_marks_every_paragraph_and_the_current_one():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j")
        strip = app.query_one(LevelStrip)
        rows = strip.rows(strip.size.height)
        assert [level for level, _ in rows] == [Level.C, Level.S, Level.U, Level.SBU, Level.TS,
                                               Level.UNMARKED]
        assert [here for _, here in rows].index(True) == 1
        assert strip.render_line(1).text == "▶ S "
        assert strip.rows(3) == [(Level.S, True), (Level.SBU, False), (Level.TS, False)]


async def test_command_palette_lists_every_action():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ACTIONS:
            assert action.description in titles
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "Last paragraph")
        await command.callback()
        assert current(app)[0] == 6


@pytest.mark.parametrize("width", [80, 60, 40])
def test_footer_never_drops_a_field(width):
    from tui_support import every_level_cable

    from tui.widgets.footer import footer_text

    text = footer_text(every_level_cable(), 1, width)
    for field in ("09BERLIN1167", "2009-09-18", "2010-11-28", "Berlin", "S//NF", "¶ 2/6"):
        assert field in text.plain
    assert all(len(line) <= max(width, 60) for line in text.plain.split("\n"))
