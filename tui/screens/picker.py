"""Pick one of a short list (references, cited by, a level): enter chooses, escape cancels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class PickerScreen(ModalScreen[str | None]):
    """A titled list of (value, label) pairs; dismisses with the chosen value."""

    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen #picker-box { width: 80%; max-width: 100; height: auto; max-height: 80%;
        border: round $primary; background: $surface; padding: 0 1; }
    PickerScreen #picker-list { height: auto; max-height: 20; }
    PickerScreen #picker-hint { color: $text-muted; width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str | Text]], *, hint: str = ""
    ) -> None:
        super().__init__(classes="picker")
        self.picker_title = title
        self.choices = choices
        self.hint = hint or "enter choose · escape cancel"

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(Text(self.picker_title, style="bold"), id="picker-title")
            yield OptionList(
                *(
                    Option(label if isinstance(label, Text) else Text(label), id=value)
                    for value, label in self.choices
                ),
                id="picker-list",
            )
            yield Label(Text(self.hint, style="dim"), id="picker-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
