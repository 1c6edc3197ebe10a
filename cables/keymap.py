"""Every user action: its binding id, default keys and what it does.

One table feeds the app's bindings, the config validator (unknown binding ids are refused),
the help screen and the README's key table. Keys use Textual's key names, comma-separated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Action:
    id: str  # binding id: what users remap in the config's [keymap]
    keys: str  # default keys, Textual key names, comma-separated
    description: str
    scope: str  # "app" (anywhere), "cable" (the cable view), "sidebar" (the sidebar list/input)


ACTIONS: tuple[Action, ...] = (
    Action("toggle_sidebar", "ctrl+b", "Show or hide the sidebar", "app"),
    Action("focus_search", "ctrl+f", "Focus the sidebar search box", "app"),
    Action("help", "question_mark,f1", "Help: every key", "app"),
    Action("legend", "L", "Legend of level colours and markings", "app"),
    Action("quit", "q,ctrl+q", "Quit", "app"),
    Action("next_paragraph", "j,down", "Next paragraph", "cable"),
    Action("prev_paragraph", "k,up", "Previous paragraph", "cable"),
    Action("first_paragraph", "g,home", "First paragraph", "cable"),
    Action("last_paragraph", "G,end", "Last paragraph", "cable"),
    Action("page_down", "space,pagedown", "Page forward (as in less)", "cable"),
    Action("page_up", "shift+space,pageup", "Page back", "cable"),
    Action("half_page_down", "ctrl+d", "Half a page forward", "cable"),
    Action("half_page_up", "ctrl+u", "Half a page back", "cable"),
    Action("goto_paragraph", "colon", "Go to paragraph number (then enter)", "cable"),
    Action("next_section", "right_square_bracket", "Next section", "cable"),
    Action("prev_section", "left_square_bracket", "Previous section", "cable"),
    Action("next_level", "greater_than_sign", "Next paragraph of the chosen level", "cable"),
    Action("prev_level", "less_than_sign", "Previous paragraph of the chosen level", "cable"),
    Action("choose_level", "v", "Choose the level that < and > jump to", "cable"),
    Action("find", "slash", "Find in this cable", "cable"),
    Action("find_next", "n", "Next find match", "cable"),
    Action("find_prev", "N", "Previous find match", "cable"),
    Action("copy_paragraph_link", "y", "Copy the paragraph's permalink", "cable"),
    Action("copy_cable_link", "Y", "Copy the cable's permalink", "cable"),
    Action("articles", "a", "Press articles it appears in (enter copies a link)", "cable"),
    Action("copy_citation", "c", "Copy the paragraph as a quoted citation", "cable"),
    Action("references", "r,enter", "References: open a cable this one cites", "cable"),
    Action("cited_by", "R", "Cited by: open a cable that cites this one", "cable"),
    Action("back", "backspace", "Back to the previous cable", "cable"),
    Action("forward", "shift+backspace,f", "Forward again", "cable"),
    Action("toggle_original", "o", "Toggle the original text as published", "cable"),
    Action("bookmark", "b", "Bookmark the current paragraph (toggle)", "cable"),
    Action("bookmarks", "B", "List bookmarks", "app"),
    Action("history", "H", "Recently opened cables", "app"),
    Action("open_selected", "enter", "Open the selected cable", "sidebar"),
    Action("focus_view", "escape", "Back to the cable view", "sidebar"),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}
