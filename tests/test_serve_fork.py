"""The fork server's side of a session: the engine warmed once, the browser on it preloaded."""

from __future__ import annotations

from test_tui_app import running
from test_tui_search import listed, typed
from textual.widgets import Input

from cables.config import ClipboardMode, Config, effective_keys, load
from cables.library import Library
from cables.search import SidebarSearch
from cables.serve.common import write_child_config
from tui.serve_fork import warm


def test_warming_the_engine_changes_no_answer(fixtures_library):
    with Library.open(fixtures_library) as library:
        index = library.load_index()
        cold, warmed = SidebarSearch(index), SidebarSearch(index)
        warm(warmed, index, library)
    for text in ("mexico", "09mexico1055", "09mexicoo1055", "ministr", "iran nuclear", "level:s"):
        a, b = cold.search(text), warmed.search(text)
        assert a is not None and b is not None
        assert (list(a.rows), a.total, a.corrections) == (list(b.rows), b.total, b.corrections)


async def test_a_served_browser_searches_the_preloaded_engine_with_a_still_cursor(
    fixtures_library,
):
    with Library.open(fixtures_library) as library:
        index = library.load_index()
        engine = SidebarSearch(index)
        warm(engine, index, library)
    async with running(fixtures_library, preloaded=(index, engine)) as (app, pilot):
        box = app.sidebar.query_one(Input)
        assert box.has_focus and not box.cursor_blink  # no frame twice a second per reader
        await typed(app, pilot, "mexico1055")
        assert listed(app.sidebar) == ["09MEXICO1055"]
    async with running(fixtures_library) as (app, pilot):  # `cables open`: as Textual has it
        assert app.sidebar.query_one(Input).cursor_blink


def test_sessions_read_the_servers_config_with_only_its_changed_keys(tmp_path):
    config = Config(keymap={"quit": "ctrl+x"}, clipboard=ClipboardMode.LOCAL)
    written = write_child_config(tmp_path, config, tmp_path / "library.sqlite3", "serve-ssh")
    child = load(written)
    assert child.keymap == {"quit": "ctrl+x"}  # not all 37 bindings: Textual remaps per key
    assert effective_keys(child) == effective_keys(config)
    assert child.clipboard is ClipboardMode.OSC52 and child.library == str(
        tmp_path / "library.sqlite3"
    )
