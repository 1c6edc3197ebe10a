"""The config file and saved state, in the real app (run_test): keys, links, bookmarks, history."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rich.color import Color
from textual.pilot import Pilot
from textual.widgets import Label
from tui_support import NotedApp, messages

from cables import config as cfg
from cables import paths
from cables.cli import main
from cables.library import Library
from cables.model import Level
from cables.state import State
from tui.screens.bookmarks import BookmarksScreen, HistoryScreen
from tui.widgets.key_bar import KeyBar

SIZE = (120, 36)


@asynccontextmanager
async def app_from(
    config_text: str,
    library: Path,
    tmp_path: Path,
    *,
    state: State | None = None,
    open_ref: str | None = "09BERLIN1167",
) -> AsyncIterator[tuple[NotedApp, Pilot]]:
    """The app as `cables open` builds it, on the fixtures library, with the config read and
    validated from a real file."""
    path = tmp_path / "config.toml"
    path.write_text(config_text)
    with Library.open(library) as opened:
        app = NotedApp(opened, cfg.load(path), open_ref=open_ref, state=state)
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            yield app, pilot


async def test_a_remapped_key_works_and_the_old_one_no_longer_does(fixtures_library, tmp_path):
    config = '[keymap]\nnext_paragraph = "ctrl+n,x"\nbookmark = "m"\n'
    async with app_from(config, fixtures_library, tmp_path) as (app, pilot):
        assert app.view.paragraph.number == 1
        await pilot.press("j")
        assert app.view.paragraph.number == 1
        await pilot.press("ctrl+n", "x")
        assert app.view.paragraph.number == 3
        await pilot.press("m")
        assert app.state.bookmark("09BERLIN1167", "par3") is not None


async def test_the_key_bar_shows_the_keys_as_remapped(fixtures_library, tmp_path):
    config = '[keymap]\nfocus_search = "ctrl+k"\n'
    async with app_from(config, fixtures_library, tmp_path) as (app, pilot):
        bar = app.query_one(KeyBar).plain
        assert "^k Search" in bar and "^f Search" not in bar
        await pilot.press("ctrl+k")
        assert app.focused is app.sidebar.query_one("#query")


async def test_the_permalink_template_changes_what_y_copies(fixtures_library, tmp_path, facts):
    page = facts["09BERLIN1167.html"]["observed"]["page_href"]  # /cable/2009/09/...
    config = (
        'clipboard = "osc52"\n[permalinks]\n'
        'cable = "https://wikileaks.org/plusd/cables/{ref}_a.html"\n'
        'paragraph = "https://mirror.example/cable/{year}/{month}/{ref}.html#{anchor}"\n'
    )
    async with app_from(config, fixtures_library, tmp_path) as (app, pilot):
        await pilot.press("j", "y")
        assert app.clipboard == f"https://mirror.example{page}#par2"
        await pilot.press("Y")
        assert app.clipboard == "https://wikileaks.org/plusd/cables/09BERLIN1167_a.html"
    async with app_from("", fixtures_library, tmp_path) as (app, pilot):
        await pilot.press("j", "y")
        assert app.clipboard == f"https://wikileaks.org{page}#par2"


async def test_theme_colours_and_sidebar_limit_reach_the_app(fixtures_library, tmp_path):
    config = 'theme = "nord"\n[colors]\nC = "#123456"\n[sidebar]\nlimit = 2\n'
    async with app_from(config, fixtures_library, tmp_path) as (app, pilot):
        assert app.theme == "nord"
        assert app.level_styles.fg(Level.C).color == Color.parse("#123456")
        await pilot.press("ctrl+f", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        count = str(app.sidebar.query_one("#count", Label).render())
        # pages of 2 (the list asks for the next as it fills the screen), not the whole result
        shown = re.fullmatch(r"63 of 63 \(best (\d+) shown\)", count)
        assert shown is not None and int(shown[1]) % 2 == 0 and int(shown[1]) < 63


async def test_bookmarks_and_history_survive_a_restart_of_the_app(fixtures_library, tmp_path):
    async with app_from("", fixtures_library, tmp_path) as (first, pilot):
        await pilot.press("j", "j", "b")  # ¶3 of 09BERLIN1167
        first.open_cable("09MEXICO1055", anchor="par5")
        await pilot.pause()
        await pilot.press("b")
        first.open_cable("09BERLIN1162")
        await pilot.pause()
        await pilot.press("b", "b")  # toggled on and off again: not kept

    assert paths.state_file().exists()
    async with app_from("", fixtures_library, tmp_path, open_ref=None) as (second, pilot):
        assert [(b.ref, b.anchor) for b in second.state.bookmarks] == [
            ("09BERLIN1167", "par3"),
            ("09MEXICO1055", "par5"),
        ]
        await pilot.press("escape", "B")  # from the search box, where the app starts
        await pilot.pause()
        assert isinstance(second.screen, BookmarksScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert second.view.cable.reference_id == "09MEXICO1055"
        assert second.view.paragraph.anchor == "par5"

        await pilot.press("H")
        await pilot.pause()
        assert isinstance(second.screen, HistoryScreen)
        refs = [v.ref for v in second.state.history]  # the newest cable opened itself too
        assert refs[0] == "09MEXICO1055"
        assert refs.index("09BERLIN1162") + 1 == refs.index("09BERLIN1167")
        await pilot.press(*["down"] * refs.index("09BERLIN1162"), "enter")
        await pilot.pause()
        assert second.view.cable.reference_id == "09BERLIN1162"


async def test_a_damaged_state_file_is_a_warning_in_the_app(fixtures_library, tmp_path):
    path = paths.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[bookmarks]]\nref = "09BERLIN1167"\nanchor = "par')  # cut by hand
    async with app_from("", fixtures_library, tmp_path) as (app, pilot):
        warnings = messages(app, "warning")
        assert any("kept as state.toml.corrupt-" in m for m in warnings)
        await pilot.press("b")  # saving works again
    assert State.load().bookmark("09BERLIN1167", "par1") is not None
    assert len(list(path.parent.glob("state.toml.corrupt-*"))) == 1


async def test_unwritable_state_is_a_warning_not_a_crash(fixtures_library, tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    state = State.load(blocker / "state.toml")
    async with app_from("", fixtures_library, tmp_path, state=state) as (app, pilot):
        await pilot.press("b")
        first = app.view.cable.reference_id
        app.open_cable("09MEXICO1055")
        await app.workers.wait_for_complete()  # the history is saved by a worker
        await pilot.pause()
        told = messages(app)
        assert sum("history not saved" in m for m in told) == 1
        assert any(m.startswith("Bookmark not saved") for m in told)
        assert app.view.cable.reference_id == "09MEXICO1055" != first


async def test_opening_a_cable_never_waits_for_the_state_file(fixtures_library, tmp_path):
    """History is saved by a worker: with a save held up (a slow disk; here the state's own
    lock, held as a save holds it), the cable still opens at once, and is saved after."""
    state = State.load(tmp_path / "state.toml")
    async with app_from("", fixtures_library, tmp_path, state=state) as (app, pilot):
        await app.workers.wait_for_complete()
        with state._lock:
            assert app.open_cable("09MEXICO1055")
            await pilot.pause()
            assert app.view.cable.reference_id == "09MEXICO1055"
            assert State.load(state.path).history[0].ref != "09MEXICO1055"
        await app.workers.wait_for_complete()
        assert State.load(state.path).history[0].ref == "09MEXICO1055"


def test_open_refuses_a_bad_config_before_any_screen(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nbookmark = "ctrl+bb"\n')
    assert main(["--config", str(path), "open"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f'cables: {path}:2: keymap.bookmark = "ctrl+bb": expected Textual')
