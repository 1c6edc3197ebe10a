"""A one-line prompt (`:` go to paragraph, `/` find): enter answers, escape cancels."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    """Asks for one value at the bottom of the screen, vi style."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, sigil: str, *, numbers: bool = False) -> None:
        super().__init__(classes="prompt")
        self.prompt_title = title
        self.sigil = sigil
        self.numbers = numbers

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-bar"):
            yield Label(Text(self.sigil), id="prompt-sigil")
            yield Input(
                placeholder=self.prompt_title,
                id="prompt-input",
                type="integer" if self.numbers else "text",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
