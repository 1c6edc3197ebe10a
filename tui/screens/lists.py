"""One modal list screen for every pick: references, cited by, a level, articles, bookmarks,
history. A title, a list (enter chooses), a key-hint line; escape closes with None.

Rows are `Text` or `Content` built from plain text (subjects come from cables and files the user
may edit), never markup; a long row is cut with an ellipsis, never wrapped.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

T = TypeVar("T")
Row = Text | Content


class ListScreen(ModalScreen[T | None], Generic[T]):
    """A titled list of (row, value) pairs; dismisses with the chosen value."""

    DEFAULT_CSS = """
    ListScreen { align: center middle; }
    ListScreen > #list-box { width: 90%; max-width: 120; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1; }
    ListScreen #list-title { text-style: bold; width: 100%; }
    ListScreen #list-hint { color: $text-muted; width: 100%; }
    ListScreen OptionList { height: auto; max-height: 30; border: none; text-wrap: nowrap;
        text-overflow: ellipsis; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]
    EMPTY = "Nothing here."

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        self.list_title = title
        self.hint = hint
        self._values: list[T] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="list-box"):
            yield Label(Content(self.list_title), id="list-title")
            yield OptionList(id="list")
            yield Label(Content(self.hint), id="list-hint")

    def on_mount(self) -> None:
        self.refresh_rows()
        self.query_one(OptionList).focus()

    def rows(self) -> list[tuple[Row, T]]:
        """The rows and the value each one dismisses with (each screen lists its own)."""
        raise NotImplementedError

    def option_id(self, value: T) -> str | None:
        """An option id for `value` (tests read them), where the value is a string."""
        return value if isinstance(value, str) else None

    def refresh_rows(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        rows = self.rows()
        self._values = [value for _, value in rows]
        if rows:
            options.add_options([Option(row, id=self.option_id(value)) for row, value in rows])
            options.highlighted = min(highlighted or 0, len(rows) - 1)
        else:
            options.add_option(Option(Content(self.EMPTY), disabled=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self._values):
            self.dismiss(self._values[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
