"""Pick one of a short list (references, cited by, a level, articles): enter chooses."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from tui.screens.lists import ListScreen, Row


class PickerScreen(ListScreen[str]):
    """A titled list of (value, label) pairs; dismisses with the chosen value."""

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str | Text]], *, hint: str = ""
    ) -> None:
        super().__init__(title, hint or "enter choose · escape cancel")
        self.choices = choices

    def rows(self) -> list[tuple[Row, str]]:
        return [
            (label if isinstance(label, Text) else Text(label), value)
            for value, label in self.choices
        ]
