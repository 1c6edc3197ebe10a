"""Typed actions: scopes and handlers from the one table, binding ids apart from method names,
every action resolvable, and hints that name the user's keys."""

from __future__ import annotations

from textual.app import App
from tui_support import index_loaded

from cables.config import Config
from cables.keymap import ACTIONS, Handler, Scope
from cables.library import Library
from tui.app import CablesApp
from tui.keys import bindings

# The ids users write in [keymap]: they stay as they were when actions became typed.
BINDING_IDS = {
    "toggle_sidebar", "focus_search", "help", "legend", "quit", "next_paragraph",
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
