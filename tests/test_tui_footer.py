"""The footer keeps every field at every size, says missing values in words, numbers paragraphs
as published, and notifications never cover it (Pilot on the real fixtures library)."""

from __future__ import annotations

from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace

import pytest
from textual.widgets import Input
from tui_support import LayoutCount, index_loaded

from cables.library import Library
from tui.app import CablesApp
from tui.widgets.footer import CableFooter, footer_text
from tui.widgets.key_bar import KeyBar

# The longest real origin (Consulate Rio De Janeiro) and the longest real id of the fixtures.
LONGEST = ("09RIODEJANEIRO357", "7575LIBREVILLE1895")
SIZES = [(60, 20), (80, 24), (100, 30), (120, 40), (200, 60)]


@asynccontextmanager
async def running(path, *, size, notifications=False, **kwargs):
    library = Library.open(path)
    app = CablesApp(library, **kwargs)
    try:
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await index_loaded(app, pilot)
            yield app, pilot
    finally:
        library.close()


@contextmanager
def cable(path, ref):
    with Library.open(path) as library:
        yield library.get(ref)


def fields(cable) -> list[tuple[str, ...]]:
    """Each field the footer must show, with the forms it may take (full or abbreviated)."""
    origin = cable.origin
    short_origin = origin.replace("Consulate ", "Cons. ").replace("Embassy ", "Emb. ")
    classification = cable.classification
    short_class = classification.replace("CONFIDENTIAL", "C").replace("SECRET", "S")
    return [
        (cable.reference_id,),
        (cable.created[:10],),
        (cable.released[:10],),
        (origin, short_origin),
        (classification, short_class),
        (f"¶ 1/{len(cable.paragraphs)}",),
    ]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("ref", LONGEST)
async def test_every_field_at_every_size(fixtures_library, size, ref):
    async with running(fixtures_library, size=size, open_ref=ref) as (app, _pilot):
        footer = app.query_one(CableFooter)
        text = footer.plain
        for forms in fields(app.view.cable):
            assert any(form in text for form in forms), (forms, text)
        assert footer.size.height == len(text.split("\n"))  # every line it has is shown
        if size[0] >= 200:
            assert "\n" not in text  # room for one line, full labels
            assert "created " in text and "released " in text


# Short and long ids, origins, classifications and paragraph positions; a synthetic cable.
OPENED = ("10SANAA317", "09RIODEJANEIRO357", "08STATE116943", "79TEHRAN8980", "09BERLIN1167")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_opening_cables_and_moving_through_them_never_lays_out_the_screen(
    fixtures_library, synth_library, size
):
    """The footer went between one and two lines as cables of different widths opened: a
    layout pass of the whole screen (24-36 ms at 251k). Its height now depends on the width."""
    for library, refs in ((fixtures_library, OPENED), (synth_library, ("09HANOI158",))):
        async with running(library, size=size) as (app, pilot):
            footer = app.query_one(CableFooter)
            height = footer.size.height
            layouts = LayoutCount(app)
            for ref in refs:
                app.open_cable(ref)
                await pilot.pause()
                app.view.focus()
                await pilot.press("G", "g", "j", "j")
                await pilot.pause()
                assert footer.size.height == height == len(footer.plain.split("\n"))
            assert layouts.passes == 0, size


async def test_a_footer_wider_than_any_ordinary_one_grows_and_cuts_nothing(fixtures_library):
    async with running(fixtures_library, size=(80, 24), open_ref="09MEXICO1055") as (app, pilot):
        footer = app.query_one(CableFooter)
        height = footer.size.height
        cable = app.view.cable
        long_origin = "Embassy " + "Very Long Origin " * 8
        footer.show(replace(cable, origin=long_origin, reference_id="08ACCRA001382SUSPECTED"), 0)
        await pilot.pause()
        shown = "".join(line.strip() for line in footer.plain.split("\n"))
        assert "Emb. " + "Very Long Origin " * 7 in footer.plain.replace("\n", " ")
        assert "08ACCRA001382SUSPECTED" in shown and "C//NF" in shown
        assert footer.size.height > height  # grown: every line it has is shown
        assert footer.size.height == len(footer.render().wrap(app.console, 78))
        app.open_cable("09BERLIN1167")
        await pilot.pause()
        assert footer.size.height == height  # and back


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_times_to_the_minute_from_about_70_columns(fixtures_library, size):
    async with running(fixtures_library, size=size, open_ref="09MEXICO1055") as (app, _pilot):
        footer = app.query_one(CableFooter)
        text = footer.plain
        assert "2009-04-14" in text and "2011-08-30" in text
        if footer.content_region.width >= 70:
            assert "2009-04-14 16:11" in text  # created: the DTG's time (141611Z)
            assert "2011-08-30 01:44" in text  # released: the 2011-08-30 page's time
        else:
            assert "16:11" not in text


def test_times_only_where_reliable(fixtures_library):
    with cable(fixtures_library, "09BERLIN1167") as berlin:  # a Dec 2010 page: 18:06 is wrong
        text = footer_text(berlin, 0, 200).plain
    assert "created 2009-09-21 08:26" in text  # R 210826Z SEP 09
    assert "released 2010-11-28 │" in text


def test_missing_values_are_said_in_words(fixtures_library, hostile_library):
    with cable(hostile_library, "09BERLIN9999") as from_dump:
        assert from_dump.released is None
        assert "released 2011 (full release, from the dump)" in footer_text(from_dump, 0, 200).plain
        assert "r 2011 (dump)" in footer_text(from_dump, 0, 60).plain
    with cable(fixtures_library, "09PARIS997") as extracted:  # a PDF extraction: no page table
        text = footer_text(extracted, 0, 200).plain
        assert "origin unknown" in text and "released unknown" in text
        assert "?" not in text


def test_numbering_as_published_with_position_where_needed(fixtures_library):
    with cable(fixtures_library, "79TEHRAN8980") as tehran:
        numbers = [p.number for p in tehran.paragraphs]
        assert numbers.count(6) == 2
        second_six = len(numbers) - 1 - numbers[::-1].index(6)
        text = footer_text(tehran, second_six, 200).plain
        assert f"¶ 6 ({second_six + 1}th of {len(numbers)})" in text
        assert "(C, entire text)" in text  # the whole-text marking, not "(unmarked)"
        assert "¶ 4/8" in footer_text(tehran, numbers.index(4), 200).plain
    with cable(fixtures_library, "08STATE116943") as state:
        assert "¶ – (1st of 50) (unmarked)" in footer_text(state, 0, 200).plain


async def test_citation_notice_is_short_and_toasts_never_cover_the_footer(fixtures_library):
    async with running(
        fixtures_library, size=(80, 24), open_ref="09MEXICO1055", anchor="par4", notifications=True
    ) as (app, pilot):
        await pilot.press("c")
        await pilot.pause()
        lines = app.clipboard.count("\n")
        toasts = list(app.screen.query("Toast"))
        assert toasts
        shown = toasts[-1].render().plain
        assert f"09MEXICO1055 ¶4, {lines} lines" in shown
        assert len(shown.split("\n")) <= 3
        footer = app.query_one(CableFooter).region
        for toast in toasts:
            assert not toast.region.overlaps(footer)


async def test_citation_carries_the_context(fixtures_library, synth_library):
    async with running(
        fixtures_library, size=(120, 40), open_ref="09MEXICO1055", anchor="par4"
    ) as (app, pilot):
        await pilot.press("c")
        source = app.clipboard.rstrip("\n").split("\n")[-1]
        assert source == (
            "> — [09MEXICO1055 ¶4](https://wikileaks.org/cable/2009/04/09MEXICO1055.html#par4),"
            " 2009-04-14, Embassy Mexico, CONFIDENTIAL//NOFORN"
        )
    async with running(synth_library, size=(120, 40), open_ref="09HANOI158") as (app, pilot):
        await pilot.press("c")
        assert "synthetic cable" in app.clipboard.rstrip("\n").split("\n")[-1]


async def test_a_focus_change_repaints_the_key_bar_without_a_layout_pass(fixtures_library):
    """Textual's footer composed a widget per key on every focus change: a layout pass of the
    whole screen (11-17 ms at 251k), and every key widget it drew kept alive. The key bar is
    one line of text: the focus moving changes the keys it shows and only repaints it."""
    async with running(fixtures_library, size=(120, 40), open_ref="09MEXICO1055") as (
        app,
        pilot,
    ):
        bar = app.query_one(KeyBar)
        await pilot.pause()
        in_view = bar.plain
        assert "^f Search" in in_view and "Go to ¶" in in_view and "^p palette" in in_view
        assert bar.plain.endswith("^p palette ")  # at the right edge, as Textual's footer
        layouts = LayoutCount(app)
        for _ in range(3):
            app.action_focus_search()
            await pilot.pause()
            in_box = bar.plain
            assert "Go to ¶" not in in_box and "^f Search" in in_box
            app.view.focus()
            await pilot.pause()
            assert bar.plain == in_view
        assert layouts.passes == 0
        assert not bar.children  # no widget per key


async def test_a_key_of_the_key_bar_runs_when_clicked(fixtures_library):
    async with running(fixtures_library, size=(120, 40), open_ref="09MEXICO1055") as (
        app,
        pilot,
    ):
        bar = app.query_one(KeyBar)
        assert app.focused is app.view
        x = bar.plain.index("^f Search") + 4  # on its description
        assert await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert isinstance(app.focused, Input)
        x = bar.plain.index("Sidebar")
        assert await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert not app.sidebar.display


async def test_the_key_under_the_mouse_lights_up(fixtures_library):
    async with running(fixtures_library, size=(120, 40), open_ref="09MEXICO1055") as (
        app,
        pilot,
    ):
        bar = app.query_one(KeyBar)
        x = bar.plain.index("^b Sidebar")
        after = x + len("^b Sidebar") + 1  # the next key

        def style_at(offset: int) -> object:
            return bar.render().get_style_at_offset(app.console, offset)

        before = style_at(x), style_at(after)
        await pilot.hover(KeyBar, offset=(x + 3, 0))
        await pilot.pause()
        assert style_at(x) != before[0] and style_at(after) == before[1]
        await pilot.hover("#cable-view")
        await pilot.pause()
        assert (style_at(x), style_at(after)) == before
