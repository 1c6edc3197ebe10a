"""The reader's everyday loop under Pilot: focus where the hands are, the current paragraph where
the eyes are (paging, the wheel, clicks, sections), bookmarks in the gutter."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager

from textual.events import MouseScrollDown
from textual.widgets import Input, OptionList
from tui_support import index_loaded

from cables.library import Library
from cables.model import Level
from cables.state import State
from tui.app import CablesApp
from tui.navigation import Find
from tui.screens.picker import PickerScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.cable_view import CableView
from tui.widgets.footer import CableFooter
from tui.widgets.key_bar import KeyBar
from tui.widgets.sidebar import CableList

SIZE = (120, 36)


@asynccontextmanager
async def running(path, *, size=SIZE, **kwargs):
    library = Library.open(path)
    app = CablesApp(library, **kwargs)
    try:
        async with app.run_test(size=size) as pilot:
            await index_loaded(app, pilot)
            yield app, pilot
    finally:
        library.close()


def on_screen(view: CableView, index: int) -> bool:
    """Whether paragraph `index`'s first line is among the lines on screen."""
    start, _ = view._spans[index]
    top = int(view.scroll_y)
    return top <= start < top + view.scrollable_content_region.height


def followed(view: CableView) -> bool:
    """The current paragraph is the first starting in view, or the one filling most of it."""
    top, height = int(view.scroll_y), view.scrollable_content_region.height
    first = next(i for i, (start, _) in enumerate(view._spans) if start >= top)
    filling = first - 1 if first and view._spans[first - 1][1] - top > height // 2 else None
    return view.current in (first, filling)


async def test_focus_starts_in_the_search_box_and_typing_searches(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        assert isinstance(app.focused, Input)
        await pilot.press(*"berln1167")
        await pilot.pause()
        assert app.query_one("#query", Input).value == "berln1167"
        assert State.load().bookmarks == []  # `b` typed, not a bookmark
        assert not isinstance(app.screen, PickerScreen)  # `r` typed, not the REF list


async def test_focus_starts_in_the_view_when_a_cable_is_asked_for(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        assert app.focused is app.view
        await pilot.press("j")
        assert app.view.current == 1


async def test_key_bar_shows_how_to_reach_the_search_box(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, _pilot):
        keys = [(key.display, key.description) for key in app.query_one(KeyBar).keys]
        assert ("^f", "Search") in keys


async def test_tab_cycles_box_list_view_and_shows_where_focus_is(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        count, title = app.query_one("#count"), app.query_one("#view-title")
        assert isinstance(app.focused, Input)
        assert not count.has_class("-focused") and not title.has_class("-focused")
        await pilot.press("tab")
        assert isinstance(app.focused, CableList)
        assert count.has_class("-focused") and not title.has_class("-focused")
        await pilot.press("tab")
        assert app.focused is app.view
        assert title.has_class("-focused") and not count.has_class("-focused")
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.press("shift+tab")
        assert app.focused is app.view
        await pilot.press("shift+tab")
        assert isinstance(app.focused, CableList)


async def test_page_down_and_up_carry_the_current_paragraph(fixtures_library):
    async with running(fixtures_library, open_ref="08STATE116943", size=(100, 24)) as (
        app,
        pilot,
    ):
        view = app.view
        assert view.current == 0
        for key in ("pagedown", "space", "ctrl+d"):
            before, top = view.current, view.scroll_y
            await pilot.press(key)
            assert view.scroll_y > top
            assert view.current >= before  # a long paragraph filling the view stays current
            assert followed(view)
            number = view.paragraph.number
            assert f"¶ {number}/50" in app.query_one(CableFooter).plain
        assert view.current > 2
        furthest = view.current
        for key in ("ctrl+u", "pageup"):
            before, top = view.current, view.scroll_y
            await pilot.press(key)
            assert view.scroll_y < top
            assert view.current <= before
            assert followed(view)
        assert view.current < furthest


async def test_page_down_at_the_end_reaches_the_last_paragraph(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167", size=(100, 24)) as (app, pilot):
        for _ in range(30):
            await pilot.press("space")
        assert app.view.current == len(app.view.cable.paragraphs) - 1
        await pilot.press("g")
        assert app.view.current == 0


async def test_ctrl_u_in_the_search_box_still_clears_the_line(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        await pilot.press(*"obama", "ctrl+u")
        assert app.query_one("#query", Input).value == ""


async def test_the_wheel_carries_the_current_paragraph(fixtures_library):
    async with running(fixtures_library, open_ref="08STATE116943", size=(100, 24)) as (
        app,
        pilot,
    ):
        view = app.view
        for _ in range(10):
            view.post_message(MouseScrollDown(view, 10, 5, 0, 1, 0, False, False, False))
            await pilot.pause()
        assert view.scroll_y > 10
        assert view.current > 0
        assert followed(view)


async def test_a_click_makes_a_paragraph_current(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        view = app.view
        target = next(i for i in range(1, 9) if on_screen(view, i))
        start, _ = view._spans[target]
        await pilot.click(CableView, offset=(10, start - int(view.scroll_y)))
        assert view.current == target
        assert f"¶ {target + 1}/9" in app.query_one(CableFooter).plain


async def test_sections_keep_their_heading_in_view_and_are_named(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167", size=(100, 20)) as (
        app,
        pilot,
    ):
        view = app.view
        for _ in range(3):
            await pilot.press("right_square_bracket")
            heading = view._leads[view.current]
            assert heading < view._spans[view.current][0]  # the heading comes first
            assert int(view.scroll_y) <= heading
            assert view.visible_text().split("\n")[heading] == view.paragraph.section
            title = app.query_one("#view-title").render().plain
            assert title == f"09BERLIN1167  § {view.paragraph.section}"
        lines = view.visible_text().split("\n")
        heading = view._leads[view.current]
        assert set(lines[heading + 1]) == {"─"}  # a rule under each heading


async def test_bookmarked_paragraphs_are_marked_in_the_gutter(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        view = app.view

        def gutter(index: int) -> str:
            start, _ = view._spans[index]
            return view.render_line(start - int(view.scroll_y)).text[:3]

        assert gutter(1) == "▌  "
        await pilot.press("j", "b")
        assert gutter(1) == "▶• "
        await pilot.press("k")
        assert gutter(1) == "▌• "
        await pilot.press("j", "b")  # toggled off
        assert gutter(1) == "▶  "


async def test_find_as_you_type_match_by_match_wrapping_and_remembered(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        view = app.view
        expected = sum(
            len(re.findall("data", p.text, re.IGNORECASE)) for p in view.cable.paragraphs
        )
        assert expected > len(view.find_hits())  # more matches than paragraphs holding one
        await pilot.press("slash", *"dat")
        assert isinstance(app.screen, PromptScreen)
        assert view.find_query.text == "dat"  # searched as typed, before enter
        await pilot.press("a", "enter")
        assert view.find_status == f"/data: match 1 of {expected}"
        assert f"match 1 of {expected}" in app.query_one("#view-title").render().plain
        seen = [view.match_at]
        for _ in range(expected - 1):
            await pilot.press("n")
            seen.append(view.match_at)
            assert view.current == view._matches[view.match_at].paragraph
            assert "data" in view.paragraph.text.lower()
        assert seen == list(range(expected))  # match by match, not paragraph by paragraph
        await pilot.press("n")
        assert view.match_at == 0  # wrapped, and said so
        await pilot.press("N")
        assert view.match_at == expected - 1
        app.open_cable("09MEXICO1055")
        await pilot.pause()
        await pilot.press("slash")
        assert app.screen.query_one(Input).value == "data"  # the last query, offered again
        await pilot.press("escape")
        assert view.find_query == Find()  # escape puts back what was there


async def test_find_wrap_note(fixtures_library):
    library = Library.open(fixtures_library)
    app = CablesApp(library, open_ref="09BERLIN1167")
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await index_loaded(app, pilot)
            await pilot.press("slash", *"privacy", "enter", "N")
            await pilot.pause()
            toasts = [toast.render().plain for toast in app.screen.query("Toast")]
            assert any("Wrapped to the last match" in text for text in toasts)
    finally:
        library.close()


async def test_raw_view_opens_at_the_current_paragraph_moves_by_line_and_wraps(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167", size=(80, 24)) as (app, pilot):
        view = app.view
        await pilot.press("colon", "5", "enter", "o")
        assert view.original
        assert "RAW" in app.query_one("#view-title").render().plain
        width = view.scrollable_content_region.width
        top = int(view.scroll_y)
        shown = " ".join(view.render_line(y).text for y in range(4))
        first_words = " ".join(view.cable.paragraphs[4].text.split()[:3])
        assert first_words in " ".join(shown.split())
        assert top > 0
        await pilot.press("j", "j")
        assert int(view.scroll_y) == top + 2
        await pilot.press("k")
        assert int(view.scroll_y) == top + 1
        lines = view.visible_text().split("\n")
        assert max(len(line) for line in lines) <= width  # long lines wrap, nothing cut
        longest = max(view.cable.body.split("\n"), key=len).strip()
        assert len(longest) > width
        assert " ".join(longest.split()) in " ".join(" ".join(lines).split())
        await pilot.press("o")
        assert not view.original and view.current == 4


async def test_the_sidebar_follows_the_open_cable(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        cable_list = app.query_one(CableList)
        assert cable_list.selected == "10SANAA317"
        app.open_cable("09BERLIN1167")
        await pilot.pause()
        assert cable_list.selected == "09BERLIN1167"
        await pilot.press("escape", "backspace")  # back
        await pilot.pause()
        assert cable_list.selected == "10SANAA317"


async def test_sidebar_rows_line_up_and_the_selected_row_keeps_its_chip(fixtures_library):
    async with running(fixtures_library) as (app, _pilot):
        cable_list = app.query_one(CableList)
        lines = [cable_list.render_line(y).text for y in range(10)]
        dates = {line.index(" 20") for line in lines if " 20" in line}
        assert len(dates) == 1  # the dates in one column, whatever the id's length
        chip = app.level_styles.chip(Level.S)
        row = cable_list.render_line(cable_list.cursor)
        first = next(segment for segment in row if segment.text.strip())
        assert first.style.bgcolor == chip.bgcolor  # the cursor row's chip keeps its colour
        assert cable_list.size.height == app.query_one(CableList).scrollable_content_region.height


async def test_references_list_has_columns_and_a_key_hint(fixtures_library):
    async with running(fixtures_library, open_ref="10SANAA317") as (app, pilot):
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        labels = [option.prompt.plain for option in app.screen.query_one(OptionList).options]
        assert any("(not in this library)" in label for label in labels)
        here = [label for label in labels if "not in this library" not in label]
        columns = {re.match(r"\S+\s+", label).end() for label in labels}
        assert len(columns) == 1  # ids padded to one width
        for label in here:
            assert re.search(r"  \d{4}-\d\d-\d\d  ", label)
        hint = app.screen.query_one("#list-hint").render().plain
        assert "enter" in hint and "escape" in hint


async def test_articles_are_listed_and_a_link_copied(fixtures_library):
    async with running(fixtures_library, open_ref="09MEXICO1055") as (app, pilot):
        assert "Appears in 1 press article: wikileaks.jornada.com.mx" in app.view.visible_text()
        await pilot.press("a")
        await pilot.pause()
        labels = [option.prompt.plain for option in app.screen.query_one(OptionList).options]
        assert labels[0].startswith("wikileaks.jornada.com.mx  date not given  http://")
        await pilot.press("enter")
        assert app.clipboard == (
            "http://wikileaks.jornada.com.mx/notas/encuentros-entre-obama-y-calderon"
        )


async def test_palette_names_keys_as_the_help_does(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, _pilot):
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Next section"].startswith("]")
        assert "right_square_bracket" not in commands["Next section"].split("(")[0]
        assert commands["Help: every key"].startswith("? f1")
