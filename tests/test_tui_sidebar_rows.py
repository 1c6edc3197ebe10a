"""The sidebar draws its rows straight from segments: the same cells and styles as rendering
the row's Rich text truncated with an ellipsis, for every row, width and cursor state."""

from __future__ import annotations

import pytest
from rich.style import Style
from textual.strip import Strip
from tui_support import index_loaded

from cables.library import Library
from tui.app import CablesApp
from tui.widgets.sidebar import CableList


def reference(rows: CableList, i: int, width: int, cursor: Style | None) -> Strip:
    """How the list drew a row before: Rich text, stylised, truncated, rendered."""
    text = rows.row_text(i)
    if cursor is not None:
        chips = [s for s in text.spans if isinstance(s.style, Style) and s.style.bgcolor]
        text.stylize(cursor)
        for span in chips:  # the level chip keeps its colours on the cursor row
            text.stylize(span.style, span.start, span.end)
    text.truncate(width, overflow="ellipsis", pad=True)
    return Strip(list(text.render(rows.app.console)), width).apply_style(rows._base_style)


@pytest.mark.parametrize("which", ["fixtures_library", "hostile_library"])
async def test_rows_match_the_rich_rendering(which, request):
    library = Library.open(request.getfixturevalue(which))
    app = CablesApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await index_loaded(app, pilot)
        rows = app.query_one(CableList)
        rows.columns = ["level", "ref", "created", "origin", "subject", "tags"]
        cursor = rows.get_component_rich_style("cable-list--cursor")
        for i in range(len(rows.index)):
            for width in (1, 2, 5, 9, 14, 15, 16, 30, 47, 80, 200):
                for style in (None, cursor):
                    ours = rows.row_strip(i, width, style)
                    theirs = reference(rows, i, width, style)
                    assert ours.cell_length == width
                    assert list(ours.simplify()) == list(theirs.simplify()), (i, width, style)
    library.close()
