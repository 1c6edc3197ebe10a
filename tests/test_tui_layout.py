"""The screen is laid out (a whole-screen reflow and repaint) only when something moved: not
again after the first frame while the index loads (Pilot on the real fixtures library,
Textual's layout passes counted)."""

from __future__ import annotations

from typing import Any

from textual.strip import Strip
from tui_support import LayoutCount, index_loaded

from cables.library import Library
from tui.app import CablesApp
from tui.widgets.cable_view import CableView


async def test_no_second_layout_after_the_first_frame_while_loading(fixtures_library):
    """Textual laid the whole screen out again right after the first frame, for the virtual
    sizes its first layout had set and the asks of widgets mounting (18-20 ms at 251k)."""
    with Library.open(fixtures_library) as library:
        app = CablesApp(library)
        async with app.run_test(size=(120, 40)) as pilot:
            layouts = LayoutCount(app)
            await index_loaded(app, pilot)
            await pilot.pause(0.2)
            assert app.view.cable is not None  # the first cable opened meanwhile
            assert app.sidebar.cable_list.rows
            assert layouts.passes == 0


async def test_the_focus_moving_repaints_what_it_restyles_not_the_whole_screen(
    fixtures_library,
):
    """Textual repainted the whole screen on every focus change (a fifth of a focus change's
    time at 251k, the longest stall of scrolling); the widgets it restyles repaint."""
    with Library.open(fixtures_library) as library:
        app = CablesApp(library, open_ref="08STATE116943")
        async with app.run_test(size=(120, 40)) as pilot:
            await index_loaded(app, pilot)
            app.action_focus_search()
            await pilot.pause(0.1)
            compositor = app.screen._compositor
            whole: list[object] = []
            full_update = compositor.render_full_update

            def counted(*args: Any, **kwargs: Any) -> object:
                whole.append(args)
                return full_update(*args, **kwargs)

            compositor.render_full_update = counted  # type: ignore[method-assign]
            count = app.sidebar.query_one("#count")
            for _ in range(3):
                app.sidebar.cable_list.focus()
                await pilot.pause(0.1)
                assert count.has_class("-focused")
                app.action_focus_search()
                await pilot.pause(0.1)
                assert not count.has_class("-focused")
            assert whole == []


async def test_the_cable_view_is_laid_out_for_the_frame_it_is_first_drawn_in(
    fixtures_library, monkeypatch
):
    """The view laid its text out for its size on the resize event that follows the frame
    sizing it: that frame drew lines laid out for another width, and a second frame drew
    them again right after."""
    drawn: list[tuple[int, int]] = []  # (laid out for, drawn at) of every line drawn
    render_line = CableView.render_line

    def recorded(view: CableView, y: int) -> Strip:
        drawn.append((view._laid_out_width, view.scrollable_content_region.width))
        return render_line(view, y)

    monkeypatch.setattr(CableView, "render_line", recorded)
    with Library.open(fixtures_library) as library:
        app = CablesApp(library, open_ref="08STATE116943")
        async with app.run_test(size=(120, 40)) as pilot:
            await index_loaded(app, pilot)
            await pilot.resize_terminal(100, 30)
            await pilot.pause(0.2)
    assert drawn
    assert all(laid_out == width for laid_out, width in drawn)
