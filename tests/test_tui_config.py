"""The config file and saved state, in the real app (run_test): keys, links, bookmarks, history."""

from __future__ import annotations

from pathlib import Path

from rich.color import Color
from textual.widgets import Label
from tui_support import SubstringSearch, sample_library

from cables import config as cfg
from cables import paths
from cables.cli import main
from cables.model import Level
from cables.state import State
from tui.app import CablesApp
from tui.screens.bookmarks import BookmarksScreen, HistoryScreen
from tui.widgets.sidebar import CableList

SIZE = (120, 36)


def app_from(config_text: str, tmp_path: Path, state: State | None = None) -> CablesApp:
    """The app as `cables open` builds it: the config read and validated from a real file."""
    path = tmp_path / "config.toml"
    path.write_text(config_text)
    return CablesApp(sample_library(), cfg.load(path), search_factory=SubstringSearch,
                     state=state)


async def ready(app: CablesApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_remapped_key_works_and_the_old_one_no_longer_does(tmp_path: Path) -> None:
    app = app_from('[keymap]\nnext_paragraph = "ctrl+n,space"\nbookmark = "m"\n', tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.view.paragraph.number == 1
        await pilot.press("j")
        assert app.view.paragraph.number == 1
        await pilot.press("ctrl+n", "space")
        assert app.view.paragraph.number == 3
        await pilot.press("m")
        assert app.state.bookmark("09BERLIN1167", "par3") is not None


async def test_the_permalink_template_changes_what_y_copies(tmp_path: Path) -> None:
    app = app_from('clipboard = "osc52"\n[permalinks]\n'
                   'cable = "https://wikileaks.org/plusd/cables/{ref}_a.html"\n'
                   'paragraph = "https://mirror.example/{year}/{month}/{ref}.html#{anchor}"\n',
                   tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "y")
        assert app.clipboard == "https://mirror.example/2009/09/09BERLIN1167.html#par2"
        await pilot.press("Y")
        assert app.clipboard == "https://wikileaks.org/plusd/cables/09BERLIN1167_a.html"


async def test_theme_colours_and_sidebar_limit_reach_the_app(tmp_path: Path) -> None:
    app = app_from('theme = "nord"\n[colors]\nC = "#123456"\n[sidebar]\nlimit = 2\n', tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.theme == "nord"
        assert app.level_styles.fg(Level.C).color == Color.parse("#123456")
        await pilot.press("ctrl+f", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        count = str(app.sidebar.query_one("#count", Label).render())
        assert count.endswith("(best 2 shown)")


async def test_bookmarks_and_history_survive_a_restart_of_the_app(tmp_path: Path) -> None:
    first = app_from("", tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await ready(first, pilot)
        await pilot.press("j", "j", "b")  # ¶3 of the newest cable
        first.open_cable("09MEXICO1055", anchor="par5")
        await pilot.pause()
        await pilot.press("b")
        first.open_cable("09BERLIN1162")
        await pilot.pause()
        await pilot.press("b", "b")  # toggled on and off again: not kept
        assert any("bookmark removed" in n.message for n in first._notifications)

    assert paths.state_file().exists()
    second = app_from("", tmp_path)  # a new app reads the state file afresh
    async with second.run_test(size=SIZE) as pilot:
        await ready(second, pilot)
        assert [(b.ref, b.anchor) for b in second.state.bookmarks] == [
            ("09BERLIN1167", "par3"), ("09MEXICO1055", "par5")]
        assert [v.ref for v in second.state.history][:3] == [
            "09BERLIN1167", "09BERLIN1162", "09MEXICO1055"]

        await pilot.press("B")
        await pilot.pause()
        assert isinstance(second.screen, BookmarksScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert second.view.cable.reference_id == "09MEXICO1055"
        assert second.view.paragraph.anchor == "par5"

        await pilot.press("H")
        await pilot.pause()
        assert isinstance(second.screen, HistoryScreen)
        await pilot.press("down", "down", "enter")  # 09MEXICO1055, 09BERLIN1167, 09BERLIN1162
        await pilot.pause()
        assert second.view.cable.reference_id == "09BERLIN1162"


async def test_a_damaged_state_file_is_a_warning_in_the_app(tmp_path: Path) -> None:
    path = paths.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[bookmarks]]\nref = "09BERLIN1167"\nanchor = "par')  # cut by hand
    app = app_from("", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        warnings = [n for n in app._notifications if n.title == "Saved state"]
        assert len(warnings) == 1 and "kept as state.toml.corrupt-" in warnings[0].message
        await pilot.press("b")  # saving works again
    assert State.load().bookmark("09BERLIN1167", "par1") is not None


def test_open_refuses_a_bad_config_before_any_screen(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nbookmark = "ctrl+bb"\n')
    assert main(["--config", str(path), "open"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cables: {path}:2: keymap.bookmark = \"ctrl+bb\": expected Textual")


async def test_sidebar_columns_follow_the_config(tmp_path: Path) -> None:
    app = app_from('[sidebar]\ncolumns = ["ref", "origin", "tags", "subject"]\n', tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        rows = app.query_one(CableList)
        index = rows.index
        mexico = index.reference_ids.index("09MEXICO1055")
        assert rows.row_text(mexico).plain == (
            "09MEXICO1055 Embassy Mexico PGOV MX SCENESETTER FOR PRESIDENT OBAMA'S VISIT")
        synthetic = index.reference_ids.index("08STATE1")
        assert rows.row_text(synthetic).plain.startswith("08STATE1 [synthetic] Embassy Mexico")
