"""The key bar along the bottom: the active keys as one line of text, repainted, never laid out.

Textual's `Footer` composes a widget per key anew on every focus change: a layout pass of the
whole screen (11-17 ms of the UI thread at 251k, the longest stall of loading, scrolling and
opening a cable) and, bound to its `compact` setting, every key widget it ever drew kept alive.
This bar draws the same keys (the screen's active bindings, as the user's keymap binds them)
as one line of fixed height, so a change of focus or bindings only repaints it.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class Key(NamedTuple):
    """One key shown: what pressing it sends, how it is shown, and where it is on the bar."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    start: int = 0
    end: int = 0


_PALETTE_EDGE = "▏"


class KeyBar(Widget, can_focus=False):
    """The screen's shown bindings, `^f Search`, left to right, and the palette's key at the
    right edge; a key is pressed by clicking it (as with Textual's footer keys)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
        "key-bar--edge",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-bar--edge {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[Key] = []  # as last drawn, with their columns
        self._shown: tuple[tuple[Key, ...], Key | None] = ((), None)  # (keys, palette key)
        self._drawn: tuple[tuple[Key, ...], Key | None] | None = None  # as last rendered
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        """Repaint if the keys to show changed since drawn (the focus moved, a keymap was set;
        the focus set as the app starts is drawn in the first frame already)."""
        if screen is not self.screen or not screen.app.app_focus:
            return  # (as Textual's footer: bindings blurred with the terminal are not shown)
        self._shown = self._active(screen)
        if self._shown != self._drawn:
            self.refresh()

    def _active(self, screen: Screen) -> tuple[tuple[Key, ...], Key | None]:
        """The keys to show and the palette's, from the screen's active bindings."""
        active = screen.active_bindings
        first: dict[str, Key] = {}  # an action's first key only (`?` for help, not `f1` too)
        for _, binding, enabled, tip in active.values():
            if binding.show and binding.action not in first:
                display = self.app.get_key_display(binding)
                first[binding.action] = Key(binding.key, display, binding.description, enabled, tip)
        keys = tuple(first.values())
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, tip = active[self.app.COMMAND_PALETTE_BINDING]
            tip = binding.tooltip or tip or binding.description
            display = self.app.get_key_display(binding)
            palette = Key(binding.key, display, binding.description, enabled, tip)
        return keys, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover")
        text = Text(no_wrap=True, overflow="crop", end="")
        keys: list[Key] = []
        if self.is_attached and self.app.app_focus:
            self._shown = self._active(self.screen)
        left, palette = self._drawn = self._shown
        for key in left:
            if keys:
                text.append(" ")
            keys.append(self._append(text, key, key_style, description_style))
        if palette is not None:  # at the right edge after a thin line, over keys that overflow
            width = cell_len(palette.display) + 1 + cell_len(palette.description)
            room = max(0, self.size.width - width - 2)
            text.truncate(room, overflow="crop", pad=True)
            keys = [key._replace(end=min(key.end, room)) for key in keys if key.start < room]
            text.append(_PALETTE_EDGE, self.get_component_rich_style("key-bar--edge"))
            keys.append(self._append(text, palette, key_style, description_style))
            text.append(" ")
        for index, key in enumerate(keys):
            if not key.enabled:
                text.stylize(Style(dim=True), key.start, key.end)
            if index == self._hover:
                text.stylize(hover_style, key.start, key.end)
        self.keys = keys
        return text

    @staticmethod
    def _append(text: Text, key: Key, key_style: Style, description_style: Style) -> Key:
        """`^f Search` at the end of `text`; the key with the columns it took."""
        start = text.cell_len
        text.append(key.display, key_style)
        if key.description:
            text.append(" " + key.description, description_style)
        return key._replace(start=start, end=text.cell_len)

    def key_at(self, x: int) -> int | None:
        """The index of the key drawn at column `x`, if any."""
        for index, key in enumerate(self.keys):
            if key.start <= x < key.end:
                return index
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self.key_at(event.x)
        if index is None:
            return
        key = self.keys[index]
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_on(self.key_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._hover_on(None)

    def _hover_on(self, index: int | None) -> None:
        if index == self._hover:
            return
        self._hover = index
        self.tooltip = self.keys[index].tooltip or None if index is not None else None
        self.refresh()

    @property
    def plain(self) -> str:
        """The bar as drawn, for tests."""
        return self.render().plain
