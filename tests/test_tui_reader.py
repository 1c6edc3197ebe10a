"""The reader's everyday loop under Pilot: focus where the hands are, the current paragraph where
the eyes are (paging, the wheel, clicks, sections), bookmarks in the gutter."""

from __future__ import annotations

from contextlib import asynccontextmanager

from textual.events import MouseScrollDown
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from tui_support import index_loaded

from cables.library import Library
from cables.state import State
from tui.app import CablesApp
from tui.screens.picker import PickerScreen
from tui.widgets.cable_view import CableView
from tui.widgets.footer import CableFooter
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
        keys = [(key.key_display, key.description) for key in app.query(FooterKey)]
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
