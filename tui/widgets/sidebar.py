"""The sidebar: a query box over a virtual list of every cable, searched as you type.

The list draws only the rows on screen (the line API, as Textualize/toolong draws millions of
log lines), so 251,287 rows cost nothing to show; OptionList took 19 s to take 250k rows.
Searches run in a thread worker that the next keystroke cancels, so typing never waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Label
from textual.worker import get_current_worker

from cables.index import CableIndex
from cables.keymap import Scope
from cables.sanitize import clean_line
from tui.keys import bindings
from tui.widgets.levels import CODE, LevelStyles, level_of

if TYPE_CHECKING:
    from cables.search import Matches, SidebarSearch


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
        self.ref_width = 0  # the longest id on screen, set at each paint
        self._base_style = Style()
        self._cursor_style = Style()

    def set_rows(self, index: CableIndex, rows: Sequence[int]) -> None:
        """Show `rows` (indices into `index`), best first; the cursor goes to the top."""
        self.index, self.rows = index, rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
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

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles looked up once per paint, not per line (each lookup walks the DOM).
        self._base_style = self.rich_style
        self._cursor_style = self.get_component_rich_style("cable-list--cursor")
        if self.index is not None:  # ids padded to the longest on screen: the columns line up
            top = int(self.scroll_y)
            shown = self.rows[top : top + crop.height + crop.y]
            self.ref_width = max((len(self.index.reference_ids[i]) for i in shown), default=0)
        return super().render_lines(crop)

    def select(self, reference_id: str) -> None:
        """Put the cursor on `reference_id` if the list shows it (the sidebar follows the view)."""
        if self.index is None or self.selected == reference_id:
            return
        try:
            i = self.index.reference_ids.index(reference_id)
        except ValueError:
            return
        rows = self.rows
        if isinstance(rows, range):
            if i in rows:
                self.cursor = rows.index(i)
        elif i in rows:
            self.cursor = list(rows).index(i)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style
        row = int(self.scroll_y) + y
        if self.index is None or row >= len(self.rows):
            return Strip.blank(width, base)
        text = self.row_text(self.rows[row])
        if row == self.cursor:
            text.stylize_before(self._cursor_style)  # under the chip: it keeps its colour
        text.truncate(width, overflow="ellipsis", pad=True)
        return Strip(list(text.render(self.app.console)), width).apply_style(base).simplify()

    def row_text(self, i: int) -> Text:
        """The row of cable `i` of the index, in the configured columns (also what tests read)."""
        assert self.index is not None
        index = self.index
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for column in self.columns:
            if text:
                text.append(" ")
            if column == "level":
                level = level_of(index.levels[i])
                text.append(f"{CODE[level]:^3}", style=self.levels.chip(level))
            elif column == "ref":
                ref = index.reference_ids[i]
                text.append(ref, style=Style(bold=True))
                if index.synthetic[i]:
                    text.append(" (synth)", style=Style(italic=True, dim=True))
                text.append(" " * (self.ref_width - len(ref)))
            elif column == "created":
                text.append(index.created[i] or "????-??-??", style=Style(dim=True))
            elif column == "origin":
                text.append(clean_line(index.origins[i]), style=Style(italic=True))
            elif column == "subject":
                text.append(clean_line(index.subjects[i]))
            elif column == "tags":
                text.append(clean_line(index.tags[i]), style=Style(dim=True))
        return text


class Sidebar(Vertical):
    """Query box, "N of M" count and the cable list; posts `CableList.Opened`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings(Scope.SIDEBAR),
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
        self.engine: SidebarSearch | None = None
        self.query_shown = ""  # the query whose results the list shows
        self._previous: Matches | None = None
        self._previous_query = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search id, subject, origin, tags", id="query")
        yield Label(Text("Loading cables…"), id="count")
        yield CableList(self.levels, self.columns, id="cable-list")

    @property
    def cable_list(self) -> CableList:
        return self.query_one(CableList)

    def set_index(self, index: CableIndex, engine: SidebarSearch) -> None:
        """Called once the index and search engine are loaded (off the UI thread)."""
        self.index, self.engine = index, engine
        self._show(self.query_one(Input).value, None)
        self.post_message(self.Loaded())
        if self.query_one(Input).value:
            self.run_search(self.query_one(Input).value)

    def show_progress(self, message: str) -> None:
        self.query_one("#count", Label).update(Text(message))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.engine is not None:
            self.run_search(event.value)

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

    @work(thread=True, exclusive=True, group="sidebar-search")
    def run_search(self, query: str) -> None:
        """Search off the UI thread; a newer keystroke cancels this one."""
        worker = get_current_worker()
        engine = self.engine
        if engine is None:
            return
        previous = self._previous if query.startswith(self._previous_query) else None
        matches = engine.search(
            query, limit=self.limit, previous=previous, cancelled=lambda: worker.is_cancelled
        )
        if matches is None or worker.is_cancelled:
            return
        self.app.call_from_thread(self._show, query, matches)

    def _show(self, query: str, matches: Matches | None) -> None:
        index = self.index
        assert index is not None
        if matches is None:
            rows: Sequence[int] = range(len(index))
            total = len(index)
        else:
            rows, total = matches.rows, matches.total
            self._previous, self._previous_query = matches, query
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
