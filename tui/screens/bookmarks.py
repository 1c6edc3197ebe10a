"""Bookmarks and history: pick a saved place and the app opens it.

Both screens dismiss with `(reference id, anchor or None)`, or None when left with escape.
Subjects come from cables (and a file the user may edit), so every row is built as `Content`
from plain text: nothing in them is ever read as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList

from cables.history import Place
from cables.sanitize import clean_line
from cables.state import Bookmark, State, Visit
from tui.screens.lists import ListScreen, Row


def _bookmark_row(bookmark: Bookmark) -> Content:
    where = (
        f"¶{bookmark.paragraph}"
        if bookmark.paragraph is not None
        else (f"#{clean_line(bookmark.anchor)}" if bookmark.anchor else "")
    )
    parts: list[str | tuple[str, str]] = [
        (clean_line(bookmark.ref), "bold"),
        " ",
        (where, "bold"),
        "  ",
        clean_line(bookmark.subject) or "(no subject)",
    ]
    if bookmark.note:
        parts += ["  ", (clean_line(bookmark.note), "italic")]
    return Content.assemble(*parts)


def _visit_row(visit: Visit) -> Content:
    return Content.assemble(
        (clean_line(visit.ref), "bold"),
        "  ",
        clean_line(visit.subject) or "(no subject)",
        "  ",
        (clean_line(visit.opened.replace("T", " ").rstrip("Z")), "dim"),
    )


class PlacesScreen(ListScreen[Place]):
    """A titled list of saved places; enter opens one, escape goes back."""

    TITLE_TEXT = ""
    HINT = "enter open · escape close"

    def __init__(self, state: State, present: Callable[[str], bool] | None = None) -> None:
        super().__init__(self.TITLE_TEXT, self.HINT)
        self.state = state
        self.present = present  # whether a cable is in this library (None: not checked)

    def rows(self) -> list[tuple[Row, Place]]:
        return [(self._marked(row, place), place) for row, place in self.places()]

    def places(self) -> list[tuple[Content, Place]]:
        """The rows and what each opens (each subclass lists its own)."""
        raise NotImplementedError

    def _marked(self, row: Content, place: Place) -> Content:
        """The row, said to be elsewhere when its cable is not in this library."""
        if self.present is None or self.present(place.ref):
            return row
        return Content.assemble((" not in this library ", "reverse"), " ", row)


class BookmarksScreen(PlacesScreen):
    """Every bookmark, oldest first; `d` deletes the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *ListScreen.BINDINGS,
        Binding("d,delete", "delete", "Delete bookmark", show=True),
        Binding("u", "undo", "Undo delete", show=True),
    ]
    TITLE_TEXT = "Bookmarks"
    HINT = "enter open · d delete · u undo · escape close"
    EMPTY = "No bookmarks yet: b on a paragraph bookmarks it."

    def __init__(self, state: State, present: Callable[[str], bool] | None = None) -> None:
        super().__init__(state, present)
        self.deleted: list[tuple[int, Bookmark]] = []  # what `u` puts back, last first

    def places(self) -> list[tuple[Content, Place]]:
        return [(_bookmark_row(b), Place(b.ref, b.anchor)) for b in self.state.bookmarks]

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.state.bookmarks):
            bookmark = self.state.bookmarks[index]
            self.state.remove_bookmark(bookmark)
            self.deleted.append((index, bookmark))
            self.refresh_rows()

    def action_undo(self) -> None:
        """Put back the last deleted bookmark where it was."""
        if not self.deleted:
            self.notify("Nothing to undo", severity="warning")
            return
        index, bookmark = self.deleted.pop()
        self.state.bookmarks.insert(min(index, len(self.state.bookmarks)), bookmark)
        self.state.save()
        self.refresh_rows()
        self.query_one(OptionList).highlighted = min(index, len(self.state.bookmarks) - 1)


class HistoryScreen(PlacesScreen):
    """Recently opened cables, most recent first."""

    TITLE_TEXT = "Recently opened"
    EMPTY = "No cables opened yet."

    def places(self) -> list[tuple[Content, Place]]:
        return [(_visit_row(v), Place(v.ref)) for v in self.state.history]
