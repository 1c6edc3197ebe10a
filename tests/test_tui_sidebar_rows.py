"""The sidebar draws its rows straight from segments: the same cells and styles as rendering
the row's Rich text truncated with an ellipsis, for every row, width and cursor state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from test_tui_app import count, running
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual
from textual.widgets import Input
from tui_support import index_loaded, shown

from cables.index import CableIndex
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


def on_screen(rows: CableList) -> list[str]:
    """The list's lines as the screen has them: a line not repainted comes from Textual's
    cache of the widget's lines, as the compositor takes it."""
    return [strip.text for strip in rows.render_lines(Region(0, 0, *rows.size))]


def painted_lines(rows: CableList) -> list[int]:
    """The lines the list paints from now on, in order (its `render_line`, counted)."""
    painted: list[int] = []
    render_line = rows.render_line

    def counted(y: int) -> Strip:
        painted.append(y)
        return render_line(y)

    rows.render_line = counted  # type: ignore[method-assign]
    return painted


async def test_a_key_repaints_the_lines_it_changed_and_every_line_is_right(synth_library):
    """A key repaints only the list's lines whose row changed (and the cursor's), not the 38
    lines of a full list: typing on through a word keeps most of its best matches. Whatever
    it skipped, the screen shows what a full repaint shows, key after key."""
    async with running(synth_library, size=(120, 40)) as (app, pilot):
        rows = app.query_one(CableList)
        index = rows.index
        words = Counter(
            w for i in range(len(index)) for w in index.subjects[i].lower().split() if len(w) > 5
        )
        word = words.most_common(1)[0][0]
        painted = painted_lines(rows)
        app.sidebar.query_one(Input).focus()
        repainted = []
        for end in range(1, len(word) + 1):
            height = rows.size.height
            before = list(rows.rows[:height])
            width = rows.ref_width
            painted.clear()
            await pilot.press(word[end - 1])
            await shown(app, pilot, word[:end])
            after = list(rows.rows[:height])
            shown_now = on_screen(rows)
            changed = {y for y in range(height) if before[y : y + 1] != after[y : y + 1]}
            if rows.ref_width == width and len(changed) <= height // 2:
                assert set(painted) <= changed | {0}, word[:end]  # (0: the cursor's line)
            repainted.append(len(set(painted)))
            rows.refresh()  # every line anew
            await pilot.pause()
            assert shown_now == on_screen(rows), word[:end]
        assert min(repainted) < rows.size.height // 2, repainted


def rows_by_id_length(index: CableIndex) -> dict[int, list[int]]:
    """The index's row numbers by the length of their reference id."""
    by_length: dict[int, list[int]] = {}
    for i in range(len(index)):
        by_length.setdefault(len(index.reference_ids[i]), []).append(i)
    return by_length


async def test_new_rows_repaint_the_lines_they_change(synth_library):
    """Rows replaced here and there (ids of one length: the padding stays) repaint those lines
    and the cursor's alone, and the screen then shows every row as a full repaint does."""
    async with running(synth_library, size=(120, 40)) as (app, pilot):
        rows = app.query_one(CableList)
        index = rows.index
        by_length = rows_by_id_length(index)
        same = max(by_length.values(), key=len)
        height = rows.size.height
        assert len(same) > height + 10
        first = same[:height]
        second = list(first)
        replaced = {3, 4, 10, height - 1}
        for n, y in enumerate(sorted(replaced)):
            second[y] = same[height + n]
        rows.set_rows(index, first)
        await pilot.pause()
        painted = painted_lines(rows)
        rows.set_rows(index, second)
        await pilot.pause()
        assert set(painted) == replaced | {0}  # (0: the cursor's line)
        shown_now = on_screen(rows)
        assert [line.split()[1] for line in shown_now] == [index.reference_ids[i] for i in second]
        rows.refresh()
        await pilot.pause()
        assert shown_now == on_screen(rows)


async def test_the_ids_keep_their_padding_while_few_lines_change(synth_library):
    """Shorter ids coming into a few lines keep the padding (a narrower one would repaint the
    whole list); a longer id, most lines changing or a scroll fit it anew to the ids on
    screen. The columns line up on every line, and a full repaint shows the same."""
    async with running(synth_library, size=(120, 40)) as (app, pilot):
        rows = app.query_one(CableList)
        index = rows.index
        by_length = rows_by_id_length(index)
        height = rows.size.height
        many = [length for length, ids in by_length.items() if len(ids) > height + 2]
        short, long = min(many), max(many)
        assert short < long

        async def show(new: list[int]) -> set[int]:
            painted = painted_lines(rows)
            rows.set_rows(index, new)
            await pilot.pause()
            repainted = set(painted)
            lines = on_screen(rows)
            subjects = {
                line.index(index.subjects[i][:8]) for line, i in zip(lines, new, strict=True)
            }
            assert len(subjects) == 1  # the subjects start in one column
            rows.refresh()
            await pilot.pause()
            assert on_screen(rows) == lines
            return repainted

        first = by_length[short][:height]
        first[3:5] = by_length[long][:2]
        await show(first)
        assert rows.ref_width == long
        second = list(first)
        second[3:5] = by_length[short][height : height + 2]  # the long ids leave
        assert await show(second) == {0, 3, 4}  # (0: the cursor's line)
        assert rows.ref_width == long  # kept
        third = list(second)
        third[10] = by_length[long][2]
        assert await show(third) == {0, 10}  # within the padding

        only_short = by_length[short][:height][::-1]
        assert len(await show(only_short)) == height  # most lines changed: fitted anew
        assert rows.ref_width == short
        fourth = list(only_short)
        fourth[5] = by_length[long][0]
        assert len(await show(fourth)) == height  # a longer id: every line
        assert rows.ref_width == long

        rows.set_rows(index, by_length[long][:height] + by_length[short][:height])
        await pilot.pause()
        assert rows.ref_width == long
        rows.scroll_to(y=height, animate=False)
        await pilot.pause()
        assert rows.ref_width == short  # scrolled to shorter ids only


async def test_the_scrollbar_repaints_only_when_drawn_otherwise(synth_library):
    """A new number of rows that leaves the scrollbar as drawn (a thumb of one cell at the
    top; no thumb) does not repaint it, one that changes it does; either way it shows what a
    full repaint shows, and drags and scrolls over the rows there are."""
    async with running(synth_library, size=(120, 40)) as (app, pilot):
        rows = app.query_one(CableList)
        n = len(rows.index)
        bar = rows.vertical_scrollbar
        renders: list[int] = []
        render = bar.render

        def counted() -> RenderableType:
            renders.append(1)
            return render()

        bar.render = counted  # type: ignore[method-assign]

        def drawn() -> list[list[Segment]]:
            return [list(strip) for strip in bar.render_lines(Region(0, 0, *bar.size))]

        for listed, repainted in ((2000, True), (3000, False), (5, True), (10, False)):
            renders.clear()
            rows.set_rows(rows.index, [i % n for i in range(listed)])
            await pilot.pause()
            assert bool(renders) == repainted, listed
            assert bar.window_virtual_size == listed
            shown = drawn()
            bar.refresh()
            await pilot.pause()
            assert drawn() == shown, listed
        rows.set_rows(rows.index, [i % n for i in range(3000)])
        await pilot.pause()
        rows.scroll_end(animate=False)
        await pilot.pause()
        assert rows.scroll_y == 3000 - rows.scrollable_content_region.height


async def test_a_key_that_keeps_the_count_and_picture_repaints_neither(synth_library):
    """Typing on through a word often keeps its matches: the count line and the picture above
    the list are then left as they are, not drawn again (each repaint is a frame's work)."""
    async with running(synth_library, size=(120, 40)) as (app, pilot):
        index = app.query_one(CableList).index
        words = Counter(
            w for i in range(len(index)) for w in index.subjects[i].lower().split() if len(w) > 5
        )
        word = words.most_common(1)[0][0]
        drawn: list[str] = []
        for name in ("count", "summary"):
            widget = app.sidebar.query_one(f"#{name}")
            render = widget.render

            def counted(name: str = name, render: Callable[[], Visual] = render) -> Visual:
                drawn.append(name)
                return render()

            widget.render = counted  # type: ignore[method-assign]
        app.sidebar.query_one(Input).focus()
        kept = 0
        for end in range(1, len(word) + 1):
            before = count(app)
            drawn.clear()
            await pilot.press(word[end - 1])
            await shown(app, pilot, word[:end])
            await pilot.pause(0.1)  # (the picture comes right behind the answer)
            seen = list(drawn)  # (before `count` renders the line to read it)
            if count(app) == before:
                kept += 1
                assert seen == [], word[:end]
            else:
                assert "count" in seen
        assert kept
