"""The screen is laid out (a whole-screen reflow and repaint) only when something moved: not
again after the first frame while the index loads (Pilot on the real fixtures library,
Textual's layout passes counted)."""

from __future__ import annotations

from tui_support import LayoutCount, index_loaded

from cables.library import Library
from tui.app import CablesApp


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
