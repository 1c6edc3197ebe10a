"""SVG snapshots of the browser, each paired with assertions on the same screen's content.

Fixed sizes, no clock on screen, the input cursor not blinking: the SVGs are deterministic.
Update deliberately with `pytest --snapshot-update` after checking the new images.
"""

from __future__ import annotations

from textual.widgets import Input
from tui_support import SubstringSearch, sample_library

from cables.model import Level
from tui.app import CablesApp
from tui.widgets.footer import CableFooter


def make_app(**kwargs) -> CablesApp:
    return CablesApp(sample_library(), search_factory=SubstringSearch, **kwargs)


async def settle(pilot) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    for field in app.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_main_screen(snap_compare):
    async def check(pilot):
        await settle(pilot)
        app = pilot.app
        assert app.view.cable.reference_id == "09BERLIN1167"
        assert app.query_one("#count").render().plain == "4 of 4"
        assert app.view.paragraph.number == 1

    assert snap_compare(make_app(), terminal_size=(120, 32), run_before=check)


def test_every_level_cable_at_paragraph_five(snap_compare):
    async def check(pilot):
        await settle(pilot)
        await pilot.press("ctrl+b", "colon", "5", "enter")
        await pilot.pause()
        app = pilot.app
        assert app.view.paragraph.level is Level.TS
        assert {p.level for p in app.view.cable.paragraphs} == set(Level)
        assert "¶ 5/6 (TS)" in app.query_one(CableFooter).plain

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=check)


def test_no_color(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()

    async def check(pilot):
        await settle(pilot)
        await pilot.press("j")
        assert pilot.app.no_color
        # without colour, the marking text and the ▶ still say level and position
        line = next(pilot.app.view.render_line(y).text for y in range(20)
                    if pilot.app.view.render_line(y).text.startswith("▶"))
        assert line.startswith("▶ 2. (S//NF) He said")

    assert snap_compare(app, terminal_size=(100, 30), run_before=check)


def test_80x24(snap_compare):
    async def check(pilot):
        await settle(pilot)
        await pilot.press("j", "j")
        footer = pilot.app.query_one(CableFooter).plain
        for field in ("09BERLIN1167", "2009-09-18", "2010-11-28", "Berlin", "S//NF",
                      "¶ 3/6 (U)"):
            assert field in footer

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=check)
