"""A key's way to the screen, in the real app and its real search process, the frames it writes
read as a terminal would get them: the key's echo in the box and its answer (the count line)
are drawn in one frame; an answer that does not come in time does not hold the echo back; a
key needs no layout pass; a quick picture travels with its answer."""

from __future__ import annotations

import os
import random
import signal
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest
from textual import events
from textual.drivers.headless_driver import HeadlessDriver
from tui_support import LayoutCount, index_loaded, shown

from cables import search_process
from cables.library import Library
from cables.query import parse
from cables.search import SidebarSearch
from tui.app import CablesApp
from tui.widgets.sidebar import Sidebar


class FrameDriver(HeadlessDriver):
    """Renders every frame as for a terminal and keeps what each one writes."""

    frames: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.frames.append(data)


def shows(frame: str, count: str) -> bool:
    """Whether `frame` writes the count line `count` ("12 of 140 ...": its number and "of")."""
    return count.split(" of ")[0] + " of " in frame


def count_line(app: CablesApp) -> str:
    return app.sidebar.query_one("#count").render().plain


async def typing(library_path: Path, keys: str, hold: float, *, stop_search: bool = False):
    """Type `keys` one at a time once the app is ready; per key, the frames written from the
    key to its answer shown and the count line it shows."""
    FrameDriver.frames = []
    library = Library.open(library_path)
    app = CablesApp(library)
    app.driver_class = FrameDriver
    per_key: list[tuple[list[str], str]] = []
    try:
        async with app.run_test(headless=False, size=(120, 30)) as pilot:
            await index_loaded(app, pilot)
            app.sidebar.HOLD = hold
            await pilot.press("ctrl+f")
            await pilot.pause(0.1)
            typed = ""
            for key in keys:
                typed += key
                pid = app.search.pid
                if stop_search and pid is not None:
                    os.kill(pid, signal.SIGSTOP)  # the answer waits: the echo may not
                start = len(FrameDriver.frames)
                app.post_message(events.Key(key, key))
                if stop_search and pid is not None:
                    await pilot.pause(hold + 0.3)
                    os.kill(pid, signal.SIGCONT)
                await shown(app, pilot, typed)
                await pilot.pause(0.1)
                per_key.append((FrameDriver.frames[start:], count_line(app)))
    finally:
        library.close()
    return per_key


async def test_the_echo_and_the_answer_are_drawn_in_one_frame(fixtures_library: Path):
    # (a long hold: the fixtures' answers come in ms, but a loaded test machine can be slow)
    per_key = await typing(fixtures_library, "berl", hold=10.0)
    typed = ""
    for key, (frames, count) in zip("berl", per_key, strict=True):
        typed += key
        assert frames, f"no frame after {typed!r}"
        # the first frame after the key carries the new count (the echo came with it)
        assert shows(frames[0], count), f"{typed!r}: the first frame lacks {count!r}"


async def test_an_answer_that_is_late_does_not_hold_the_echo(fixtures_library: Path):
    per_key = await typing(fixtures_library, "b", hold=0.05, stop_search=True)
    [(frames, count)] = per_key
    # the echo was drawn while the search process was stopped, the count in a later frame
    assert len(frames) >= 2
    assert not shows(frames[0], count)
    assert any(shows(frame, count) for frame in frames[1:])
    assert Sidebar.HOLD == 0.07  # (the class's hold is untouched: only that app's was changed)


async def test_no_query_pictures_every_cable_and_the_first_key_needs_no_layout(
    fixtures_library: Path,
):
    """Above the list, for no query, the levels and timeline of every cable (the picture never
    hides: shown at a query's first key, it moved the list, a layout pass of the whole screen);
    the keys, matches fewer than fill the list (its scrollbar stays) and clearing the box then
    repaint without a layout pass."""
    library = Library.open(fixtures_library)
    app = CablesApp(library)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await index_loaded(app, pilot)
            sidebar = app.sidebar
            index = sidebar.index
            picture = sidebar.query_one("#summary").render().plain
            chips = picture.split("\n")[0]
            for level in set(index.levels):  # each level's count over every cable
                n = sum(1 for value in index.levels if value == level)
                assert f" {level} " in chips or level not in ("U", "C", "S", "TS")
                assert f" {n}" in chips
            assert picture.split("\n")[1].startswith("1966 ")
            await pilot.press("ctrl+f")  # (the focus moving may restyle the sidebar)
            await pilot.pause(0.1)
            layouts = LayoutCount(app)
            for typed in ("b", "be", "ber", "berl"):  # 56 cables, then fewer than fill the list
                sidebar.query_one("#query").value = typed
                await shown(app, pilot, typed)
            assert len(sidebar.cable_list.rows) < sidebar.cable_list.size.height
            assert sidebar.query_one("#summary").render().plain != picture
            sidebar.query_one("#query").value = ""
            await shown(app, pilot, "")
            await pilot.pause(0.1)
            assert sidebar.query_one("#summary").render().plain == picture  # at once
            assert layouts.passes == 0
    finally:
        library.close()


@pytest.mark.parametrize("first", [True, False])
def test_a_quick_picture_is_made_before_the_answer_leaves(
    fixtures_library: Path, monkeypatch: pytest.MonkeyPatch, first: bool
):
    """Few matches: the picture is made before the answer is sent and follows it at once (the
    UI reads both together and draws one frame); many: the answer goes first, not waiting."""
    if not first:
        monkeypatch.setattr(search_process, "PICTURE_FIRST", 0)
    with Library.open(fixtures_library) as library:
        engine = SidebarSearch(library.load_index())
    made: list[str] = []
    summary = engine.summary

    def noted(rows, cancelled=None):  # the engine's own summary, its calls noted
        made.append("picture")
        return summary(rows, cancelled)

    engine.summary = noted  # type: ignore[method-assign]
    for event in search_process.answer(
        engine,
        None,
        3,
        "berlin",
        limit=50,
        previous=None,
        cancelled=lambda: False,
        quiet=lambda seconds: False,
    ):
        if not isinstance(event, tuple):
            made.append(type(event).__name__)
    expected = ["picture", "Answer", "Pictured"] if first else ["Answer", "picture", "Pictured"]
    assert made == expected


@pytest.mark.parametrize("runs_from", [0, 10**9])  # by runs of months / row by row
def test_the_picture_counts_each_level_and_month_of_the_matches(
    synth_library: Path, monkeypatch: pytest.MonkeyPatch, runs_from: int
):
    """The picture counted either way is the count of the rows' own levels and months."""
    from cables import search
    from cables.search import date_column

    monkeypatch.setattr(search, "RUNS_FROM", runs_from)
    with Library.open(synth_library) as library:
        engine = SidebarSearch(library.load_index())
        index = library.load_index()
    dates, levels = date_column(index), index.levels
    rng = random.Random(5)
    samples = [engine.search(q).candidates for q in ("e", "s", "embassy", "pgov", "10")]
    samples += [sorted(rng.sample(range(len(index)), k)) for k in (1, 2, 50, len(index) - 1)]
    for rows in samples:
        assert rows
        picture = engine.summary(rows)
        assert picture is not None
        months = Counter(dates[i][:7] for i in rows if len(dates[i]) >= 7)
        assert picture.by_month == dict(months)
        assert picture.by_level == dict(Counter(levels[i] for i in rows))  # (4 levels here)


async def test_keys_typed_at_once_end_on_the_last_query_and_its_count(fixtures_library: Path):
    """Keys arriving faster than answers (each cancels the search before it): none is lost,
    frames resume, and the screen ends on the last query's own answer."""
    FrameDriver.frames = []
    library = Library.open(fixtures_library)
    app = CablesApp(library)
    app.driver_class = FrameDriver
    try:
        async with app.run_test(headless=False, size=(120, 30)) as pilot:
            await index_loaded(app, pilot)
            await pilot.press("ctrl+f")
            await pilot.pause(0.1)
            start = len(FrameDriver.frames)
            for key in "embassy":
                app.post_message(events.Key(key, key))
            await shown(app, pilot, "embassy")
            await pilot.pause(0.3)
            assert app.sidebar.query_one("#query").value == "embassy"
            total = SidebarSearch(library.load_index()).search(parse("embassy")).total
            count = count_line(app)
            assert total and count.startswith(f"{total:,} of ")
            assert any(shows(frame, count) for frame in FrameDriver.frames[start:])  # drawn
            assert app.sidebar._hold is None  # frames are drawn again
    finally:
        library.close()
