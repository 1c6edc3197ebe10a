"""Typed actions: scopes and handlers from the one table, binding ids apart from method names,
every action resolvable, and hints that name the user's keys."""

from __future__ import annotations

from conftest import ROOT
from textual.app import App
from tui_support import index_loaded

from cables.config import Config
from cables.keymap import ACTIONS, Handler, Scope
from cables.library import Library
from tui.app import CablesApp
from tui.keys import bindings
from tui.screens.bookmarks import PlacesScreen
from tui.screens.help import InfoScreen
from tui.screens.lists import ListScreen
from tui.screens.picker import PickerScreen
from tui.screens.prompt import PromptScreen
from tui.widgets import cable_view

# The ids users write in [keymap]: they stay as they were when actions became typed.
BINDING_IDS = {
    "toggle_sidebar", "focus_search", "toggle_text_search", "help", "legend", "quit",
    "next_paragraph",
    "prev_paragraph", "first_paragraph", "last_paragraph", "page_down", "page_up",
    "half_page_down", "half_page_up", "goto_paragraph", "next_section", "prev_section",
    "next_level", "prev_level", "choose_level", "find", "find_next", "find_prev",
    "copy_paragraph_link", "copy_cable_link", "articles", "copy_citation", "references",
    "cited_by", "back", "forward", "toggle_original", "bookmark", "bookmarks", "history",
    "open_selected", "focus_view",
}  # fmt: skip


def test_the_table_is_typed_and_the_ids_stay():
    assert {a.id for a in ACTIONS} == BINDING_IDS
    for action in ACTIONS:
        assert isinstance(action.scope, Scope) and isinstance(action.runs_on, Handler)


def test_no_action_overrides_one_of_textuals():
    names = {action.name for action in ACTIONS}
    textual_own = {name[len("action_") :] for name in dir(App) if name.startswith("action_")}
    assert "back" in textual_own  # App.action_back exists: our `back` must not replace it
    assert not (names & textual_own) - {"quit", "help", "focus_search"}
    assert "action_back" not in CablesApp.__dict__


def test_bindings_run_on_the_handler_the_table_names():
    for scope in Scope:
        for binding in bindings(scope):
            action = next(a for a in ACTIONS if a.id == binding.id)
            on_app = action.runs_on is Handler.APP and scope is not Scope.APP
            assert binding.action == ("app." if on_app else "") + action.name


async def test_every_action_resolves_to_a_method_and_hints_name_the_users_keys(fixtures_library):
    config = Config(keymap={"find": "ctrl+g", "next_level": "ctrl+n"})
    with Library.open(fixtures_library) as library:
        app = CablesApp(library, config, open_ref="09BERLIN1167")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await index_loaded(app, pilot)
            for action in ACTIONS:
                target = app.target_of(action)
                assert callable(getattr(target, f"action_{action.name}", None)), action.id
            await pilot.press("n")
            await pilot.pause()
            toasts = [toast.render().plain for toast in app.screen.query("Toast")]
            assert any("Nothing to find yet: press ctrl+g first" in t for t in toasts)


async def test_modal_screens_bring_their_own_css(fixtures_library):
    stylesheet = (ROOT / "tui" / "cables.tcss").read_text()
    assert issubclass(PickerScreen, ListScreen) and issubclass(PlacesScreen, ListScreen)
    for screen in (PromptScreen, ListScreen, InfoScreen):
        assert screen.__name__ in screen.DEFAULT_CSS
        assert f"{screen.__name__} {{" not in stylesheet  # the app's stylesheet: layout only
    with Library.open(fixtures_library) as library:
        app = CablesApp(library, open_ref="10SANAA317")
        async with app.run_test(size=(120, 36)) as pilot:
            await index_loaded(app, pilot)
            await pilot.press("r")
            await pilot.pause()
            box = app.screen.query_one("#list-box").region
            assert abs(box.x - (120 - box.right)) <= 1  # centred by the screen's own CSS
            await pilot.press("escape", "slash")
            await pilot.pause()
            assert app.screen.query_one("#prompt-bar").region.bottom == 36  # at the bottom


async def test_the_strip_cache_is_bounded(fixtures_library, monkeypatch):
    monkeypatch.setattr(cable_view, "STRIP_CACHE_LINES", 20)
    with Library.open(fixtures_library) as library:
        app = CablesApp(library, open_ref="08STATE116943")
        async with app.run_test(size=(100, 24)) as pilot:
            await index_loaded(app, pilot)
            view = app.view
            lines = view.visible_text().split("\n")
            for _ in range(40):
                await pilot.press("space")
            assert 0 < len(view._strips) <= 20
            top = int(view.scroll_y)
            assert view.render_line(0).text[3:].rstrip() == lines[top].rstrip()
