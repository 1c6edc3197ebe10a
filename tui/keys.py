"""Textual bindings built from `cables.keymap.ACTIONS`, the one table of every action.

Each binding carries the action's id, so a user's `[keymap]` (applied with `App.set_keymap`)
remaps it; the footer shows only the few keys a newcomer needs first.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.keys import format_key

from cables.keymap import ACTIONS, BY_ID, Handler, Scope

# Shown in the footer (short labels); every other binding is still listed by `?` and the palette.
FOOTER_LABELS: dict[str, str] = {
    "help": "Help",
    "toggle_sidebar": "Sidebar",
    "focus_search": "Search",
    "toggle_text_search": "Text",
    "goto_paragraph": "Go to ¶",
    "find": "Find",
    "copy_paragraph_link": "Link",
    "quit": "Quit",
}


# Keys that move the focus run on the app before the key reaches the focused widget: the keys
# typed right after them (already read, one terminal read) then go where the focus went.
PRIORITY = frozenset({"focus_search"})


def bindings(scope: Scope) -> list[BindingType]:
    """Bindings for every action of `scope`: each by its binding id (so `[keymap]` remaps it),
    running its action on the app where the app handles it (derived from the action table)."""
    result: list[BindingType] = []
    for action in ACTIONS:
        if action.scope is not scope:
            continue
        label = FOOTER_LABELS.get(action.id)
        on_app = action.runs_on is Handler.APP and scope is not Scope.APP
        result.append(
            Binding(
                action.keys,
                f"app.{action.name}" if on_app else action.name,
                label or action.description,
                show=label is not None,
                id=action.id,
                priority=action.id in PRIORITY,
            )
        )
    return result


def key_hint(action_id: str, keymap: dict[str, str]) -> str:
    """The keys of an action as the user's keymap binds them, for hints: `/`, `n or f3`."""
    return " or ".join(key_label(key) for key in keys_of(action_id, keymap).split(","))


def keys_of(action_id: str, keymap: dict[str, str]) -> str:
    """The keys an action is bound to now: the user's keymap, else the default."""
    return keymap.get(action_id, BY_ID[action_id].keys)


def key_label(key: str) -> str:
    """`question_mark` -> `?`; named keys (`ctrl+b`, `enter`) stay as Textual names them."""
    character = format_key(key)
    return (
        character
        if len(character) == 1 and character.isascii() and character.isprintable()
        else key
    )


SCOPE_NAMES = {Scope.APP: "anywhere", Scope.CABLE: "cable view", Scope.SIDEBAR: "sidebar"}


def key_table_markdown() -> str:
    """The README's key table, generated from ACTIONS (a test keeps the README in step)."""
    rows = ["| Keys | Action | Binding id | Where |", "| --- | --- | --- | --- |"]
    for action in ACTIONS:
        keys = " ".join(f"`{key_label(k)}`" for k in action.keys.split(","))
        rows.append(
            f"| {keys} | {action.description} | `{action.id}` | {SCOPE_NAMES[action.scope]} |"
        )
    return "\n".join(rows)
