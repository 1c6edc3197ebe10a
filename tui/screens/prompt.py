"""A one-line prompt (`:` go to paragraph, `/` find): enter answers, escape cancels.

With `on_change` every edit is reported as it is typed (find as you type).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    """Asks for one value at the bottom of the screen, vi style."""

    DEFAULT_CSS = """
    PromptScreen { align: left bottom; background: $background 0%; }
    PromptScreen #prompt-bar { height: 3; width: 100%; background: $panel; }
    PromptScreen #prompt-sigil { width: 2; padding: 1 0 0 1; text-style: bold; }
    PromptScreen #prompt-input { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        sigil: str,
        *,
        numbers: bool = False,
        value: str = "",
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(classes="prompt")
        self.prompt_title = title
        self.sigil = sigil
        self.numbers = numbers
        self.value = value
        self.on_change = on_change

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-bar"):
            yield Label(Text(self.sigil), id="prompt-sigil")
            yield Input(
                self.value,
                placeholder=self.prompt_title,
                id="prompt-input",
                type="integer" if self.numbers else "text",
                select_on_focus=True,
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.on_change is not None:
            self.on_change(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
