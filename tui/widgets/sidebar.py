"""The sidebar: a query box over a virtual list of every cable, searched as you type.

The list draws only the rows on screen (the line API, as Textualize/toolong draws millions of
log lines), so 251,287 rows cost nothing to show; OptionList took 19 s to take 250k rows.
Searches run in a search process (`cables.search_process`): a key sends the query down a pipe
and the answer comes back to the event loop as the pipe turns readable, so matching never holds
this process's GIL, no thread is started per key, and a newer key cancels an older search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Label

from cables.index import CableIndex
from cables.sanitize import clean_line
from cables.search_process import Answer, Event, Failed, Ready
from tui.keys import bindings
from tui.widgets.levels import CODE, LevelStyles, level_of

if TYPE_CHECKING:
    from cables.search import Matches
    from cables.search_process import Searcher


_BOLD, _DIM, _ITALIC = Style(bold=True), Style(dim=True), Style(italic=True)
_SYNTH = Style(italic=True, dim=True)


class CableList(ScrollView, can_focus=True):
    """One line per cable: level chip, reference id, created date, subject."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"cable-list--cursor"}

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Opened(Message):
        """The user chose a cable (enter or click)."""

        def __init__(self, reference_id: str) -> None:
            super().__init__()
            self.reference_id = reference_id

    def __init__(
        self, styles: LevelStyles, columns: Sequence[str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.levels = styles
        self.columns = columns
        self.index: CableIndex | None = None
        self.rows: Sequence[int] = ()
        self._base_style = Style()
        self._cursor_style = Style()

    def set_rows(self, index: CableIndex, rows: Sequence[int]) -> None:
        """Show `rows` (indices into `index`), best first; the cursor goes to the top."""
        self.index, self.rows = index, rows
        # rows are cut to the width: never a horizontal scrollbar, whatever the width was when
        # the rows came (the vertical bar may appear after and narrow the content)
        self.virtual_size = Size(0, len(rows))
        self.scroll_to(y=0, animate=False)
        self.cursor = 0
        self.refresh()

    @property
    def selected(self) -> str | None:
        """The reference id under the cursor."""
        if self.index is None or not self.rows:
            return None
        return self.index.reference_ids[self.rows[self.cursor]]

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        height = self.scrollable_content_region.height
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif height and new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_cursor_to(self, row: int) -> None:
        self.cursor = row if row >= 0 else len(self.rows) - 1

    def on_click(self, event: Click) -> None:
        self.cursor = int(self.scroll_y) + event.y
        if self.selected:
            self.post_message(self.Opened(self.selected))

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles looked up once per paint, not per line (each lookup walks the DOM).
        self._base_style = self.rich_style
        self._cursor_style = self.get_component_rich_style("cable-list--cursor")
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style
        row = int(self.scroll_y) + y
        if self.index is None or row >= len(self.rows):
            return Strip.blank(width, base)
        return self.row_strip(
            self.rows[row], width, self._cursor_style if row == self.cursor else None
        )

    def row_strip(self, i: int, width: int, cursor: Style | None) -> Strip:
        """Row `i` as a line `width` cells wide: what `row_text` renders to once truncated with
        an ellipsis and padded, built straight from segments (a few times faster per line)."""
        parts = [(text, style) for text, style in self.row_parts(i) if text]
        if cursor is not None:
            parts = [(text, style + cursor if style else cursor) for text, style in parts]
        total = sum(cell_len(text) for text, _ in parts)
        segments: list[Segment] = []
        if total <= width:
            segments = [Segment(text, style) for text, style in parts]
            if total < width:
                segments.append(Segment(" " * (width - total)))  # padding: no cursor style
        else:  # cut to width - 1 cells, then an ellipsis in the style of the piece it ends
            room = width - 1
            for text, style in parts:
                cells = cell_len(text)
                if cells <= room:
                    segments.append(Segment(text, style))
                    room -= cells
                    continue
                segments.append(Segment(set_cell_size(text, room) + "…", style))
                break
        return Strip(segments, width).apply_style(self._base_style).simplify()

    def row_parts(self, i: int) -> list[tuple[str, Style | None]]:
        """The row of cable `i` in the configured columns: (text, style) pieces."""
        assert self.index is not None
        index = self.index
        parts: list[tuple[str, Style | None]] = []
        for column in self.columns:
            if parts:
                parts.append((" ", None))
            if column == "level":
                level = level_of(index.levels[i])
                parts.append((f"{CODE[level]:^3}", self.levels.chip(level)))
            elif column == "ref":
                parts.append((index.reference_ids[i], _BOLD))
                if index.synthetic[i]:
                    parts.append((" (synth)", _SYNTH))
            elif column == "created":
                parts.append((index.created[i] or "????-??-??", _DIM))
            elif column == "origin":
                parts.append((clean_line(index.origins[i]), _ITALIC))
            elif column == "subject":
                parts.append((clean_line(index.subjects[i]), None))
            elif column == "tags":
                parts.append((clean_line(index.tags[i]), _DIM))
        return parts

    def row_text(self, i: int) -> Text:
        """The row of cable `i` as Rich text (what tests read)."""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for piece, style in self.row_parts(i):
            text.append(piece, style=style)
        return text


class QueryBox(Input):
    """The query box. Its size is set by the stylesheet, never by its text, so a key repaints it
    without a layout pass over the whole screen (Input's `virtual_size` asks for one on every
    key: a quarter of the UI's time per key here)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class Sidebar(Vertical):
    """Query box, "N of M" count and the cable list; posts `CableList.Opened`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings("sidebar"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    class Loaded(Message):
        """The index is in and the list shows every cable."""

    def __init__(
        self, styles: LevelStyles, columns: Sequence[str], limit: int, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.levels = styles
        self.columns = columns
        self.limit = limit
        self.index: CableIndex | None = None
        self.search: Searcher | None = None
        self.query_shown = ""  # the query whose results the list shows
        self._waiting: Answer | None = None  # an answer that came before the index

    def compose(self) -> ComposeResult:
        yield QueryBox(placeholder="Search id, subject, origin, tags", id="query")
        yield Label(Text("Loading cables…"), id="count")
        yield CableList(self.levels, self.columns, id="cable-list")

    @property
    def cable_list(self) -> CableList:
        return self.query_one(CableList)

    @property
    def ready(self) -> bool:
        """The list shows the index and the search process answers."""
        return self.index is not None and self.search is not None and self.search.ready

    def set_search(self, search: Searcher) -> None:
        """Use this (started) search process; queries typed so far are sent now."""
        self.search = search
        if value := self.query_one(Input).value:
            search.submit(value)

    def set_index(self, index: CableIndex) -> None:
        """Called once the index is loaded (off the UI thread)."""
        self.index = index
        waiting, self._waiting = self._waiting, None
        if waiting is not None and self.search and waiting.seq == self.search.latest:
            self._show(waiting.query, waiting.matches)
        elif not self.query_one(Input).value:
            self._show("", None)
        self.post_message(self.Loaded())

    def on_search_event(self, event: Event) -> None:
        """An event of the search process, delivered on the UI thread."""
        if isinstance(event, Answer):
            if self.search is None or event.seq != self.search.latest:
                return  # a newer key is on its way
            if self.index is None:
                self._waiting = event
            else:
                self._show(event.query, event.matches)
        elif isinstance(event, Failed):
            self.show_progress(event.message)
        elif isinstance(event, Ready) and self.index is not None and not self.query_shown:
            self._show("", None)

    def show_progress(self, message: str) -> None:
        self.query_one("#count", Label).update(Text(message))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        """Send `query` to the search process; the empty query lists every cable at once."""
        if self.search is None:
            return
        self.search.submit(query)  # even the empty one: older answers are stale from now on
        if not query.strip() and self.index is not None:
            self._show(query, None)
        elif self.index is not None and not self.search.ready:
            self.show_progress("Preparing search…")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open_selected()

    def action_open_selected(self) -> None:
        selected = self.cable_list.selected
        if selected:
            self.post_message(CableList.Opened(selected))

    def action_move(self, step: int) -> None:
        self.cable_list.cursor += step

    def action_focus_view(self) -> None:
        self.screen.query_one("CableView").focus()

    def _show(self, query: str, matches: Matches | None) -> None:
        index = self.index
        assert index is not None
        if matches is None:
            rows: Sequence[int] = range(len(index))
            total = len(index)
        else:
            rows, total = matches.rows, matches.total
        self.query_shown = query
        self.cable_list.set_rows(index, rows)
        count = Text(f"{total:,} of {len(index):,}")
        if len(rows) < total:
            count.append(f" (best {len(rows):,} shown)")
        if matches is not None:
            for word, corrections in matches.corrections.items():
                count.append(
                    f" · {clean_line(word)}→{clean_line(corrections[0].text)}", style="italic"
                )
        # fixed size (see cables.tcss): no layout pass on every keystroke
        self.query_one("#count", Label).update(count, layout=False)
