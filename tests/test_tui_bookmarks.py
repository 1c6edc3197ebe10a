"""The bookmarks and history screens in a real Textual app (run_test)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import OptionList

from cables.history import Place
from cables.model import Cable, Paragraph
from cables.state import State
from tui.screens.bookmarks import BookmarksScreen, HistoryScreen


def cable(ref: str, subject: str) -> Cable:
    return Cable(
        reference_id=ref,
        created="2009-04-14T16:11",
        subject=subject,
        paragraphs=[Paragraph(n, f"par{n}", None, None, "t") for n in (1, 2, 3)],
    )


class Host(App[None]):
    """Just enough app to push a screen and keep what it dismissed with."""

    def __init__(self, screen_factory: object) -> None:
        super().__init__()
        self.factory = screen_factory
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.factory(), self.results.append)  # type: ignore[operator]


def saved(tmp_path: Path) -> State:
    state = State.load(tmp_path / "state.toml")
    a = cable("09MEXICO1055", "[bold red]NOT MARKUP[/] \x1b[31m")
    b = cable("00HARARE6677", "ZIMBABWE")
    state.toggle_bookmark(a, a.paragraphs[2])
    state.toggle_bookmark(b, None)
    state.record_open(a)
    state.record_open(b)
    return state


async def test_bookmarks_open_the_chosen_place(tmp_path: Path) -> None:
    state = saved(tmp_path)
    app = Host(lambda: BookmarksScreen(State.load(state.path)))
    async with app.run_test() as pilot:
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        first = str(options.get_option_at_index(0).prompt)
        assert first == "09MEXICO1055 ¶3  [bold red]NOT MARKUP[/] [31m"  # shown literally
        await pilot.press("down", "enter")
    assert app.results == [Place("00HARARE6677")]


async def test_delete_a_bookmark_and_escape(tmp_path: Path) -> None:
    state = saved(tmp_path)
    app = Host(lambda: BookmarksScreen(State.load(state.path)))
    async with app.run_test() as pilot:
        await pilot.press("d")
        assert app.screen.query_one(OptionList).option_count == 1
        await pilot.press("escape")
    assert app.results == [None]
    assert [b.ref for b in State.load(state.path).bookmarks] == ["00HARARE6677"]


async def test_history_lists_most_recent_first(tmp_path: Path) -> None:
    state = saved(tmp_path)
    app = Host(lambda: HistoryScreen(State.load(state.path)))
    async with app.run_test() as pilot:
        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt).startswith("00HARARE6677  ZIMBABWE")
        await pilot.press("down", "enter")
    assert app.results == [Place("09MEXICO1055")]


async def test_empty_lists_say_so(tmp_path: Path) -> None:
    app = Host(lambda: BookmarksScreen(State.load(tmp_path / "none.toml")))
    async with app.run_test() as pilot:
        options = app.screen.query_one(OptionList)
        assert "No bookmarks yet" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter", "d", "escape")
    assert app.results == [None]


async def test_delete_can_be_undone_with_u(tmp_path: Path) -> None:
    state = saved(tmp_path)
    app = Host(lambda: BookmarksScreen(State.load(state.path)))
    async with app.run_test() as pilot:
        await pilot.press("d")
        assert [b.ref for b in State.load(state.path).bookmarks] == ["00HARARE6677"]
        await pilot.press("u")
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        assert str(options.get_option_at_index(0).prompt).startswith("09MEXICO1055 ¶3")
    assert [b.ref for b in State.load(state.path).bookmarks] == ["09MEXICO1055", "00HARARE6677"]


async def test_cables_not_in_this_library_are_marked_and_rows_do_not_wrap(tmp_path: Path) -> None:
    state = saved(tmp_path)
    long = cable("09BERLIN1167", "A SUBJECT " * 30)
    state.record_open(long)
    app = Host(lambda: HistoryScreen(State.load(state.path), lambda ref: ref != "00HARARE6677"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert prompts[1].startswith(" not in this library  00HARARE6677")
        assert not any("not in this library" in p for p in (prompts[0], prompts[2]))
        lines = [options.render_line(y).text.strip() for y in range(options.size.height)]
        assert sum(bool(line) for line in lines) == 3  # one line per row, the long one cut
