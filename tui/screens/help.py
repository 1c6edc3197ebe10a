"""Help (every action with its keys, as the user's keymap binds them) and the level legend."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cables.keymap import ACTIONS, Scope
from cables.model import Level
from cables.query import HELP as QUERY_HELP
from tui.keys import key_label, keys_of
from tui.widgets.levels import CODE, LevelStyles

SCOPES = {Scope.APP: "Anywhere", Scope.CABLE: "Reading a cable", Scope.SIDEBAR: "In the sidebar"}
MARKINGS = {
    Level.U: "(U) (U//FOUO)",
    Level.SBU: "(SBU) (SBU/NF)",
    Level.C: "(C) (C//NF) (C//REL ISAF)",
    Level.S: "(S) (S//NF) (S/REL NATO)",
    Level.TS: "(TS) (TS//NF)",
    Level.UNMARKED: "no marking",
}


def help_table(keymap: dict[str, str]) -> Table:
    table = Table(box=None, expand=True, show_header=True, header_style="bold")
    table.add_column("Keys", no_wrap=True)
    table.add_column("Action")
    table.add_column("Id", style="dim", no_wrap=True)
    for scope, title in SCOPES.items():
        table.add_row(Text(title, style="bold underline"), "", "")
        for action in ACTIONS:
            if action.scope is scope:
                keys = " ".join(key_label(k) for k in keys_of(action.id, keymap).split(","))
                table.add_row(Text(keys), Text(action.description), Text(action.id))
    return table


def legend_table(styles: LevelStyles) -> Table:
    table = Table(box=None, show_header=True, header_style="bold")
    table.add_column("Code")
    table.add_column("Level")
    table.add_column("Markings seen")
    for level in Level:
        table.add_row(
            Text(f" {CODE[level]:^3} ", style=styles.chip(level)),
            Text(level.label, style=styles.fg(level)),
            Text(MARKINGS[level]),
        )
    return table


class InfoScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    InfoScreen { align: center middle; }
    InfoScreen #info-box { width: 90%; max-width: 110; height: 80%; border: round $primary;
        background: $surface; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_screen", "Close"),
    ]

    def __init__(self, title: str, body: Table, footnote: str) -> None:
        super().__init__(classes="info")
        self.body = body
        self.info_title = title
        self.footnote = footnote

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-box") as box:
            box.border_title = self.info_title
            yield Static(self.body, id="info-body")
            yield Static(Text(self.footnote, style=Style(dim=True)), id="info-footnote")

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)


class HelpScreen(InfoScreen):
    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__(
            "Keys",
            help_table(keymap),
            f"Search box: {QUERY_HELP}.\n"
            "Remap any key in the config file's [keymap] by its id."
            " Ctrl+P lists every action. Escape closes.",
        )


class LegendScreen(InfoScreen):
    def __init__(self, styles: LevelStyles) -> None:
        super().__init__(
            "Levels",
            legend_table(styles),
            "Each paragraph shows its marking as text beside its colour bar;"
            " the strip at the right shows every paragraph's level. Escape closes.",
        )
