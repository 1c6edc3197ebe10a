"""Every user action: its binding id, default keys, what it does, where and who does it.

One table feeds the app's bindings, the config validator (unknown binding ids are refused),
the help screen, the command palette and the README's key table. Keys use Textual's key names,
comma-separated. The binding id (what users write in `[keymap]`) is not the method's name:
`back` runs `action_history_back`, so no action overrides one of Textual's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """Where an action's keys work."""

    APP = "app"  # anywhere
    CABLE = "cable"  # in the cable view
    SIDEBAR = "sidebar"  # in the sidebar (list or query box)


class Handler(StrEnum):
    """Who runs the action: the app (it needs the library, history, clipboard or a screen),
    the cable view or the sidebar."""

    APP = "app"
    VIEW = "view"
    SIDEBAR = "sidebar"


_DEFAULT_HANDLER = {
    Scope.APP: Handler.APP,
    Scope.CABLE: Handler.VIEW,
    Scope.SIDEBAR: Handler.SIDEBAR,
}


@dataclass(frozen=True, slots=True)
class Action:
    id: str  # binding id: what users remap in the config's [keymap]
    keys: str  # default keys, Textual key names, comma-separated
    description: str
    scope: Scope
    handler: Handler | None = None  # None: the scope's own widget (the app for Scope.APP)
    method: str | None = None  # `action_<method>` runs it; None: the binding id

    @property
    def name(self) -> str:
        """The action name Textual runs (`history_back` for the binding id `back`)."""
        return self.method or self.id

    @property
    def runs_on(self) -> Handler:
        return self.handler or _DEFAULT_HANDLER[self.scope]


ACTIONS: tuple[Action, ...] = (
    Action("toggle_sidebar", "ctrl+b", "Show or hide the sidebar", Scope.APP),
    Action("focus_search", "ctrl+f", "Focus the sidebar search box", Scope.APP),
    Action("toggle_text_search", "ctrl+t", "Search box: titles or the full text", Scope.APP),
    Action("help", "question_mark,f1", "Help: every key", Scope.APP),
    Action("legend", "L", "Legend of level colours and markings", Scope.APP),
    Action("quit", "q,ctrl+q", "Quit", Scope.APP),
    Action("next_paragraph", "j,down", "Next paragraph", Scope.CABLE),
    Action("prev_paragraph", "k,up", "Previous paragraph", Scope.CABLE),
    Action("first_paragraph", "g,home", "First paragraph", Scope.CABLE),
    Action("last_paragraph", "G,end", "Last paragraph", Scope.CABLE),
    Action("page_down", "space,pagedown", "Page forward (as in less)", Scope.CABLE),
    Action("page_up", "shift+space,pageup", "Page back", Scope.CABLE),
    Action("half_page_down", "ctrl+d", "Half a page forward", Scope.CABLE),
    Action("half_page_up", "ctrl+u", "Half a page back", Scope.CABLE),
    Action("goto_paragraph", "colon", "Go to paragraph number (then enter)", Scope.CABLE),
    Action("next_section", "right_square_bracket", "Next section", Scope.CABLE),
    Action("prev_section", "left_square_bracket", "Previous section", Scope.CABLE),
    Action("next_level", "greater_than_sign", "Next paragraph of the chosen level", Scope.CABLE),
    Action("prev_level", "less_than_sign", "Previous paragraph of the chosen level", Scope.CABLE),
    Action("choose_level", "v", "Choose the level that < and > jump to", Scope.CABLE),
    Action("find", "slash", "Find in this cable", Scope.CABLE),
    Action("find_next", "n", "Next find match", Scope.CABLE),
    Action("find_prev", "N", "Previous find match", Scope.CABLE),
    Action("copy_paragraph_link", "y", "Copy the paragraph's permalink", Scope.CABLE, Handler.APP),
    Action("copy_cable_link", "Y", "Copy the cable's permalink", Scope.CABLE, Handler.APP),
    Action(
        "articles",
        "a",
        "Press articles it appears in (enter copies a link)",
        Scope.CABLE,
        Handler.APP,
    ),
    Action(
        "copy_citation", "c", "Copy the paragraph as a quoted citation", Scope.CABLE, Handler.APP
    ),
    Action(
        "references", "r,enter", "References: open a cable this one cites", Scope.CABLE, Handler.APP
    ),
    Action("cited_by", "R", "Cited by: open a cable that cites this one", Scope.CABLE, Handler.APP),
    Action(
        "back", "backspace", "Back to the previous cable", Scope.CABLE, Handler.APP, "history_back"
    ),
    Action(
        "forward", "shift+backspace,f", "Forward again", Scope.CABLE, Handler.APP, "history_forward"
    ),
    Action("toggle_original", "o", "Toggle the original text as published", Scope.CABLE),
    Action("bookmark", "b", "Bookmark the current paragraph (toggle)", Scope.CABLE, Handler.APP),
    Action("bookmarks", "B", "List bookmarks", Scope.APP),
    Action("history", "H", "Recently opened cables", Scope.APP),
    Action("open_selected", "enter", "Open the selected cable", Scope.SIDEBAR),
    Action("focus_view", "escape", "Back to the cable view", Scope.SIDEBAR),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}
