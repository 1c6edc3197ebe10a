"""SVG snapshots of the browser, each paired with assertions on the same screen's content.

Fixed sizes, no clock on screen, the input cursor not blinking: the SVGs are deterministic.
Update deliberately with `pytest --snapshot-update` after checking the new images.
"""

from __future__ import annotations

from contextlib import contextmanager

from textual.widgets import Input
from tui_support import index_loaded

from cables.library import Library
from cables.model import Level
from tui.app import CablesApp
from tui.widgets.footer import CableFooter


@contextmanager
def app_on(path, **kwargs):
    library = Library.open(path)
    try:
        yield CablesApp(library, **kwargs)
    finally:
        library.close()


async def settle(pilot) -> None:
    app = pilot.app
    await index_loaded(app, pilot)
    for field in app.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_main_screen(snap_compare, fixtures_library):
    async def check(pilot):
        await settle(pilot)
        app = pilot.app
        assert app.view.cable.reference_id == "10SANAA317"
        assert app.query_one("#count").render().plain == "63 of 63"
        assert app.view.current == 0
        assert "10SANAA317" in app.query_one(CableFooter).plain

    with app_on(fixtures_library) as app:
        assert snap_compare(app, terminal_size=(120, 32), run_before=check)


def test_cable_with_every_level(snap_compare, fixtures_library):
    async def check(pilot):
        await settle(pilot)
        await pilot.press("ctrl+b", "colon", "8", "enter")
        await pilot.pause()
        app = pilot.app
        assert app.view.paragraph.level is Level.SBU
        # every level the corpus uses (Cablegate has no TOP SECRET cable)
        assert {p.level for p in app.view.cable.paragraphs} == set(Level) - {Level.TS}
        assert "¶ 8/50 (SBU)" in app.query_one(CableFooter).plain

    with app_on(fixtures_library, open_ref="08STATE116943") as app:
        assert snap_compare(app, terminal_size=(100, 30), run_before=check)


def test_no_color(snap_compare, fixtures_library, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def check(pilot):
        await settle(pilot)
        await pilot.press("j")
        app = pilot.app
        assert app.no_color
        # without colour, the marking text and the ▶ still say level and position
        line = next(
            text for y in range(30) if (text := app.view.render_line(y).text).startswith("▶")
        )
        assert line.startswith("▶  2. (C) ")
        assert "¶ 2/9 (C)" in app.query_one(CableFooter).plain

    with app_on(fixtures_library, open_ref="09BERLIN1167") as app:
        assert snap_compare(app, terminal_size=(100, 30), run_before=check)


def test_80x24(snap_compare, fixtures_library):
    async def check(pilot):
        await settle(pilot)
        await pilot.press("colon", "1", "5", "enter")
        await pilot.pause()
        footer_widget = pilot.app.query_one(CableFooter)
        assert footer_widget.size.height == 2  # on two lines, every field kept
        footer = footer_widget.plain
        for field in (
            "08STATE116943",
            "created 2008-11-03 18:12",  # P 031812Z NOV 08
            "released 2010-12-04",
            "Secretary of State",
            "SECRET//NOFORN",
            "¶ 15/50 (S//FGI//NF)",
        ):
            assert field in footer

    with app_on(fixtures_library, open_ref="08STATE116943") as app:
        assert snap_compare(app, terminal_size=(80, 24), run_before=check)


def test_120x40_footer_with_times(snap_compare, fixtures_library):
    async def check(pilot):
        await settle(pilot)
        app = pilot.app
        assert app.view.paragraph.number == 4
        footer = app.query_one(CableFooter).plain
        for field in (
            "09MEXICO1055",
            "2009-04-14 16:11",
            "2011-08-30 01:44",
            "Embassy Mexico",
            "CONFIDENTIAL//NOFORN",
            "¶ 4/13 (SBU)",
        ):
            assert field in footer
        # two lines at 120 columns (as the widest ordinary footer needs), so full labels
        assert footer.count("\n") == 1 and "created " in footer

    with app_on(fixtures_library, open_ref="09MEXICO1055", anchor="par4") as app:
        assert snap_compare(app, terminal_size=(120, 40), run_before=check)
