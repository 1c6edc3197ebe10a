"""Pilot tests of the browser on real libraries: every action, asserting what the user sees
(current paragraph, its level, the footer) and what was copied (`app.clipboard`)."""

from __future__ import annotations

import io
import threading
from contextlib import asynccontextmanager

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, OptionList
from tui_support import HOSTILE_SUBJECT, NotedApp, index_loaded, messages, shown

from cables.config import Config
from cables.keymap import ACTIONS
from cables.library import Library
from cables.model import Level
from cables.state import State
from tui.app import CablesApp
from tui.screens.bookmarks import BookmarksScreen, HistoryScreen
from tui.screens.help import HelpScreen, LegendScreen
from tui.screens.picker import PickerScreen
from tui.widgets.cable_view import GUTTER, CableView
from tui.widgets.footer import CableFooter, footer_text
from tui.widgets.level_strip import LevelStrip
from tui.widgets.sidebar import CableList, Sidebar

SIZE = (120, 36)
BERLIN = "https://wikileaks.org/cable/2009/09/09BERLIN1167.html"


@asynccontextmanager
async def running(path, config=None, *, size=SIZE, library_class=Library, **kwargs):
    library = library_class.open(path)
    app = NotedApp(library, config, **kwargs)
    try:
        async with app.run_test(size=size) as pilot:
            await ready(app, pilot)
            yield app, pilot
    finally:
        library.close()


async def ready(app, pilot) -> None:
    """Wait for the index (loaded by a worker started after the first paint) and its cable."""
    await index_loaded(app, pilot)


def as_text(renderable) -> str:
    console = Console(record=True, width=140, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def footer(app) -> str:
    return app.query_one(CableFooter).plain


def count(app) -> str:
    return app.query_one(Sidebar).query_one("#count").render().plain


def current(app) -> tuple[int | None, Level]:
    p = app.view.paragraph
    return p.number, p.level


def notes(app) -> list[str]:
    return messages(app)


async def test_opens_the_newest_cable_and_lists_every_cable(fixtures_library):
    async with running(fixtures_library) as (app, _pilot):
        index = app.sidebar.index
        assert count(app) == f"{len(index)} of {len(index)}" == "63 of 63"
        assert app.view.cable.reference_id == index.reference_ids[0] == "10SANAA317"
        assert app.query_one(CableList).selected == "10SANAA317"


async def test_footer_shows_every_field_and_the_paragraph(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, _pilot):
        assert current(app) == (1, Level.C)
        text = footer(app)
        for field in ("09BERLIN1167", "2009-09-21", "2010-11-28", "Berlin", "C", "¶ 1/9 (C)"):
            assert field in text


async def test_paragraph_moves_and_first_last(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        await pilot.press("j", "down")
        assert current(app) == (3, Level.C)
        assert "¶ 3/9 (C)" in footer(app)
        await pilot.press("k")
        assert current(app)[0] == 2
        await pilot.press("up", "up")  # stops at the first
        assert current(app)[0] == 1
        await pilot.press("G")
        assert current(app)[0] == 9
        assert "¶ 9/9" in footer(app)
        await pilot.press("g")
        assert current(app)[0] == 1
        await pilot.press("end")
        assert current(app)[0] == 9
        await pilot.press("home")
        assert current(app)[0] == 1


async def test_goto_paragraph_by_number(fixtures_library):
    async with running(fixtures_library, open_ref="08STATE116943") as (app, pilot):
        assert current(app) == (None, Level.UNMARKED)  # the unnumbered opening paragraph
        assert "¶ – (1st of 50) (unmarked)" in footer(app)
        await pilot.press("colon", "1", "0", "enter")
        await pilot.pause()
        assert current(app) == (10, Level.S)
        assert "¶ 10/50 (S//NF)" in footer(app)
        await pilot.press("colon", "9", "9", "enter")
        await pilot.pause()
        assert current(app)[0] == 10
        assert "No paragraph 99" in notes(app)
        await pilot.press("colon", "2", "escape")
        await pilot.pause()
        assert current(app)[0] == 10


async def test_next_and_previous_section(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        sections = [p.section for p in app.view.cable.paragraphs]
        assert sections[:3] == [
            None,
            "THE FDP AND DATA PRIVACY",
            "FDP Objections to Counterterrorism Laws",
        ]
        await pilot.press("right_square_bracket")
        assert current(app)[0] == 2
        await pilot.press("right_square_bracket")
        assert current(app)[0] == 3
        assert app.view.paragraph.section == "FDP Objections to Counterterrorism Laws"
        await pilot.press("left_square_bracket")
        assert current(app)[0] == 2
        # Headings are shown as lines of their own.
        assert "FDP Objections to Counterterrorism Laws" in app.view.visible_text().split("\n")


async def test_next_and_previous_paragraph_of_a_level(fixtures_library):
    async with running(fixtures_library, open_ref="08STATE116943") as (app, pilot):
        # until a level is chosen, < and > go by the cable's highest level (SECRET)
        await pilot.press("greater_than_sign")
        assert current(app) == (10, Level.S)
        await pilot.press("greater_than_sign")
        assert current(app) == (11, Level.S)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        options = app.screen.query_one(OptionList)
        options.highlighted = [o.id for o in options.options].index("SBU")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("less_than_sign")
        assert current(app) == (9, Level.SBU)
        await pilot.press("greater_than_sign")
        assert current(app) == (13, Level.SBU)
        assert "¶ 13/50 (SBU)" in footer(app)


async def test_find_next_previous(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        await pilot.press("slash", *"data", "enter")
        await pilot.pause()
        hits = app.view.find_hits()
        expected = [i for i, p in enumerate(app.view.cable.paragraphs) if "data" in p.text.lower()]
        assert hits == expected and len(hits) >= 3
        assert app.view.current == hits[0]
        paragraphs = [app.view.current]
        for _ in range(len(app.view._matches) - 1):
            await pilot.press("n")
            paragraphs.append(app.view.current)
        assert sorted(set(paragraphs)) == hits  # every paragraph holding a match, in order
        assert paragraphs == sorted(paragraphs)
        await pilot.press("N")
        assert app.view.current == paragraphs[-2]


async def test_copy_paragraph_link_cable_link_and_citation(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        await pilot.press("colon", "3", "enter", "y")
        await pilot.pause()
        assert app.clipboard == f"{BERLIN}#par3"
        assert app.clipboard in notes(app)  # shown, so it can be taken by hand
        await pilot.press("Y")
        assert app.clipboard == BERLIN
        await pilot.press("c")
        text = " ".join(app.view.paragraph.text.split())
        quoted = app.clipboard.split("\n>\n")[0]
        assert quoted.startswith("> ") and text[:40] in " ".join(quoted.split())
        assert app.clipboard.endswith(
            f"> — [09BERLIN1167 ¶3]({BERLIN}#par3), 2009-09-21, Embassy Berlin, CONFIDENTIAL\n"
        )


async def test_configured_permalink_template_is_used(fixtures_library):
    config = Config(paragraph_permalink="https://mirror.example/{year}/{ref}.html#{anchor}")
    async with running(fixtures_library, config, open_ref="09BERLIN1167") as (app, pilot):
        await pilot.press("j", "y")
        assert app.clipboard == "https://mirror.example/2009/09BERLIN1167.html#par2"


async def test_open_ref_with_anchor(fixtures_library):
    async with running(fixtures_library, open_ref="09MEXICO1055", anchor="par11") as (app, _p):
        assert app.view.cable.reference_id == "09MEXICO1055"
        assert current(app)[0] == 11
        assert "¶ 11/13" in footer(app)
        # on screen: the view scrolled to it once it had a size
        start, _end = app.view._spans[app.view.current]
        assert app.view.scroll_y <= start < app.view.scroll_y + app.view.size.height
        assert app.view.scroll_y > 0


async def test_the_cable_opened_at_the_start_is_laid_out_once(fixtures_library, monkeypatch):
    """The view has no size when the start opens its cable: it is laid out by its first
    paint, at its own width, not also at the app's width before it (a long cable's layout is
    milliseconds of the first frame)."""
    widths: list[int] = []
    layout = CableView._layout

    def counted(self, cable, width):
        widths.append(width)
        return layout(self, cable, width)

    monkeypatch.setattr(CableView, "_layout", counted)
    async with running(fixtures_library, open_ref="09MEXICO1055", anchor="par11") as (app, _p):
        assert widths == [app.view.scrollable_content_region.width - GUTTER]


async def test_synthetic_cable_is_labelled_and_refused_a_link(synth_library):
    async with running(synth_library, open_ref="09HANOI158") as (app, pilot):
        assert app.view.cable.synthetic
        assert app.view.visible_text().startswith("SYNTHETIC CABLE")
        assert "SYNTHETIC" in footer(app)
        row = app.query_one(CableList).row_text(0).plain
        assert "10THEHAGUE114 (synth) " in row
        await pilot.press("y")
        assert app.clipboard == ""
        assert any("synthetic cable" in n for n in notes(app))


async def test_references_back_forward_and_cited_by(synth_library):
    async with running(synth_library, open_ref="09HANOI158") as (app, pilot):
        await pilot.press("j", "r")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        ids = [o.id for o in app.screen.query_one(OptionList).options]
        assert ids == ["06BANGKOK1179", "03ANKARA3536", "07KYIV220"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "03ANKARA3536"
        await pilot.press("backspace")
        assert app.view.cable.reference_id == "09HANOI158"
        assert app.view.current == 1  # back where we were
        await pilot.press("f")
        assert app.view.cable.reference_id == "03ANKARA3536"
        await pilot.press("backspace", "R")
        await pilot.pause()
        assert [o.id for o in app.screen.query_one(OptionList).options] == ["09ADDISABABA1085"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09ADDISABABA1085"
        assert "09HANOI158" in app.view.cable.references
        await pilot.press("enter")  # enter in the view: the REF entries, enter on one opens it
        await pilot.pause()
        ids = [o.id for o in app.screen.query_one(OptionList).options]
        assert "09HANOI158" in ids
        app.screen.query_one(OptionList).highlighted = ids.index("09HANOI158")
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09HANOI158"


async def test_toggle_original_text(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        cable = app.view.cable
        await pilot.press("o")
        text = app.view.visible_text()
        assert text.startswith("VZCZCXRO0245\nRR RUEHAG")
        assert cable.body.split("\n")[0].rstrip() in text
        await pilot.press("o")
        assert app.view.visible_text().startswith("DATA PRIVACY TRUMPS SECURITY")


async def test_sidebar_search_open_and_escape(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        await pilot.press("ctrl+f", *"obama")
        await shown(app, pilot, "obama")
        sidebar = app.query_one(Sidebar)
        assert sidebar.query_shown == "obama"
        assert count(app) == "1 of 63"
        assert sidebar.cable_list.selected == "09MEXICO1055"
        assert isinstance(app.focused, Input)  # q, j, ? typed into the box, not acted on
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09MEXICO1055"
        assert app.focused is app.view
        await pilot.press("ctrl+f", "escape")
        assert app.focused is app.view


async def test_sidebar_list_keys_tab_and_toggle(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        cable_list = app.query_one(CableList)
        cable_list.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.view.cable.reference_id == app.sidebar.index.reference_ids[2]
        assert app.focused is app.view
        await pilot.press("tab")
        assert app.focused is app.query_one("#query")
        await pilot.press("ctrl+b")
        assert not app.query_one(Sidebar).display
        assert app.focused is app.view
        await pilot.press("ctrl+b")
        assert app.query_one(Sidebar).display


async def test_markup_and_escapes_in_cable_text_show_literally(hostile_library):
    async with running(hostile_library) as (app, pilot):
        cable = app.view.cable
        assert cable.subject == HOSTILE_SUBJECT
        row = app.query_one(CableList).row_text(0)
        assert isinstance(row, Text) and HOSTILE_SUBJECT in row.plain
        screen_lines = [app.view.render_line(y).text for y in range(12)]
        assert screen_lines[0].strip() == HOSTILE_SUBJECT
        assert any("[red]markup[/red]" in line for line in screen_lines)
        assert any("[link=https://example.org]a link[/link]" in line for line in screen_lines)
        assert not any("\x1b" in line for line in screen_lines)
        assert HOSTILE_SUBJECT[:16] in app.query_one(CableList).render_line(0).text
        await pilot.click(CableList, offset=(30, 0))
        await pilot.pause()
        assert app.is_running  # [@click=app.quit] stayed text


async def test_help_and_legend_screens(fixtures_library):
    async with running(fixtures_library, Config(keymap={"find": "ctrl+g"})) as (app, pilot):
        await pilot.press("escape", "question_mark")  # escape: from the search box to the view
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = as_text(app.screen.body)
        for action in ACTIONS:
            assert action.description in text
        assert "ctrl+g" in text
        await pilot.press("escape", "L")
        await pilot.pause()
        assert isinstance(app.screen, LegendScreen)
        legend = as_text(app.screen.body)
        for word in ("UNCLASSIFIED", "SBU/CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET", "UNMARKED"):
            assert word in legend
        await pilot.press("escape")
        assert not isinstance(app.screen, LegendScreen)


async def test_keymap_remaps_by_binding_id(fixtures_library):
    config = Config(keymap={"next_paragraph": "x", "copy_paragraph_link": "ctrl+y"})
    async with running(fixtures_library, config, open_ref="09BERLIN1167") as (app, pilot):
        await pilot.press("j")
        assert current(app)[0] == 1
        await pilot.press("x", "ctrl+y")
        assert current(app)[0] == 2
        assert app.clipboard == f"{BERLIN}#par2"


async def test_level_strip_marks_every_paragraph_and_the_current_one(fixtures_library):
    async with running(fixtures_library, open_ref="08STATE116943") as (app, pilot):
        await pilot.press("colon", "1", "0", "enter")
        await pilot.pause()
        strip = app.query_one(LevelStrip)
        levels = [p.level for p in app.view.cable.paragraphs]
        assert strip.rows(50) == [(level, i == 10) for i, level in enumerate(levels)]
        rows = strip.rows(strip.size.height)  # 50 paragraphs on fewer rows: each the highest
        assert len(rows) == strip.size.height < 50
        assert [here for _, here in rows].count(True) == 1
        assert rows[[here for _, here in rows].index(True)][0] is Level.S
        marked = [strip.render_line(y).text for y in range(strip.size.height)]
        assert sum(line.startswith("▶") for line in marked) == 1


async def test_bookmark_bookmarks_and_history(fixtures_library, isolated_dirs):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        await pilot.press("colon", "3", "enter", "b")
        await pilot.pause()
        assert "Bookmarked 09BERLIN1167 ¶3" in notes(app)
        saved = State.load()
        assert [(b.ref, b.anchor) for b in saved.bookmarks] == [("09BERLIN1167", "par3")]
        app.open_cable("09MEXICO1055")
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BookmarksScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09BERLIN1167"
        assert current(app)[0] == 3
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert [v.ref for v in app.state.history][:2] == ["09BERLIN1167", "09MEXICO1055"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.view.cable.reference_id == "09MEXICO1055"


async def test_command_palette_lists_every_action(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, _pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ACTIONS:
            assert action.description in titles
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Last paragraph"
        )
        await command.callback()
        assert current(app)[0] == 9
        copy = next(
            c
            for c in app.get_system_commands(app.screen)
            if c.title == "Copy the paragraph's permalink"
        )
        await copy.callback()
        assert app.clipboard == f"{BERLIN}#par9"


class GatedLibrary(Library):
    """The real library, whose index load waits until the test lets it go."""

    gate = threading.Event()

    def current_index(self):
        self.gate.wait(10)
        return super().current_index()


async def test_first_frame_does_not_wait_for_the_index(fixtures_library):
    GatedLibrary.gate.clear()
    library = GatedLibrary.open(fixtures_library)
    app = CablesApp(library, open_ref="09BERLIN1167")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert count(app).startswith("Loading")
            assert app.view.cable.reference_id == "09BERLIN1167"
            await pilot.press("j", "ctrl+f", *"obama")  # takes keys meanwhile
            assert current(app)[0] == 2
            GatedLibrary.gate.set()
            await shown(app, pilot, "obama")
            assert count(app) == "1 of 63"  # the query typed while loading was run
    finally:
        GatedLibrary.gate.set()
        library.close()


@pytest.mark.parametrize(
    ("width", "classification", "lines"),
    [
        (160, "SECRET//NOFORN", 1),  # room for every field in full
        (100, "S//NF", 1),  # abbreviated on one line
        (80, "SECRET//NOFORN", 2),  # from 70 columns the times too: in full on two lines
        (60, "SECRET//NOFORN", 2),  # full labels on two lines before abbreviations
        (40, "S//NF", 3),  # the paragraph on a line of its own
    ],
)
def test_footer_never_drops_a_field(fixtures_library, width, classification, lines):
    with Library.open(fixtures_library) as library:
        cable = library.get("08STATE116943")
    text = footer_text(cable, 10, width).plain
    for field in ("08STATE116943", "2008-11-03", "2010-12-04", "Sec", "¶ 10/50 (S//NF)"):
        assert field in text
    assert f"│ {classification} │" in text or text.endswith(f"│ {classification}\n¶ 10/50 (S//NF)")
    assert len(text.split("\n")) == lines


async def test_sidebar_columns_follow_the_config(fixtures_library):
    config = Config(sidebar_columns=["ref", "origin", "tags"])
    async with running(fixtures_library, config) as (app, _pilot):
        index = app.sidebar.index
        row = app.query_one(CableList).row_text(0).plain
        width = app.query_one(CableList).ref_width  # ids padded to the longest on screen
        assert row == f"{index.reference_ids[0]:<{width}} {index.origins[0]} {index.tags[0]}"
        assert index.origins[0] == "Embassy Sanaa"


async def test_sidebar_ranks_ids_and_corrects_misspellings(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = app.query_one(Sidebar)
        await pilot.press("ctrl+f", *"berlin1167")
        await shown(app, pilot, "berlin1167")
        assert sidebar.query_shown == "berlin1167"
        assert sidebar.cable_list.selected == "09BERLIN1167"
        sidebar.query_one(Input).value = ""
        await pilot.press(*"scensetter", "space", *"obama")
        await shown(app, pilot, "scensetter obama")
        assert sidebar.query_shown == "scensetter obama"
        top = [app.sidebar.index.reference_ids[i] for i in sidebar.cable_list.rows[:3]]
        assert "09MEXICO1055" in top
        assert "scensetter→scenesetter" in count(app)
