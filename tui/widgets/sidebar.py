"""The sidebar: a query box over a virtual list of every cable, searched as you type.

The list draws only the rows on screen (the line API, as Textualize/toolong draws millions of
log lines), so 251,287 rows cost nothing to show; OptionList took 19 s to take 250k rows.
Title searches run in a search process (`cables.search_process`): a key sends the query down a
pipe and the answer comes back to the event loop when the pipe turns readable, so matching never
holds this process's GIL and a newer key cancels an older search. Text searches (FTS5, where
SQLite releases the GIL) run in a thread worker.
The box searches titles (the sidebar engine: ids, subjects, origins, TAGS) or, switched with
ctrl+t, the full text (FTS5: one row per cable with its best paragraph and a snippet); above the
list, counts by level and a timeline per month of what matches; under the box, what is wrong
with the query. Cable text in rows and snippets is untrusted: only Text objects, never markup.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from cables.index import CableIndex
from cables.keymap import Scope
from cables.library import Library, SearchHit, TextResults
from cables.model import Level
from cables.query import FIRST_YEAR, LAST_YEAR, Query, Sort, parse
from cables.sanitize import clean_line
from cables.search_process import COUNT_CAP, Answer, Event, Failed, Pictured, Ready
from tui.keys import bindings
from tui.widgets.levels import CODE, LevelStyles, level_of

if TYPE_CHECKING:
    from cables.search import Matches
    from cables.search_process import Searcher

_BOLD, _DIM, _ITALIC = Style(bold=True), Style(dim=True), Style(italic=True)
_SYNTH = Style(italic=True, dim=True)


class _Window(NamedTuple):
    """What a `CableList` shows on its lines (see `CableList._repaint`)."""

    source: CableIndex | None  # the index the rows are of
    hits: Sequence[SearchHit] | None
    top: int
    height: int
    rows: tuple[int, ...]
    longest: int  # the longest id among `rows`

    def same_frame(self, other: _Window | None) -> bool:
        """Whether `other` has the rows of this index in these lines: else every line changed
        (scrolled, resized, another index, hits)."""
        return (
            other is not None
            and other.source is self.source
            and other.hits is None
            and self.hits is None
            and (other.top, other.height) == (self.top, self.height)
        )


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

    # (`watch_cursor` repaints the two lines it concerns, not the whole list)
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)
    # The rows change with every key: their number sets the scrollbar, not the layout (a
    # layout pass repaints the whole screen, the cable view included), nor the lines (those
    # that changed are repainted, see `_resized`).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    class Opened(Message):
        """The user chose a cable (enter or click); a text-mode hit also names its paragraph
        and the words to highlight (and `last`: show their last match, N came back to it)."""

        def __init__(
            self,
            reference_id: str,
            anchor: str | None = None,
            words: Sequence[tuple[str, bool]] = (),
            *,
            last: bool = False,
        ) -> None:
            super().__init__()
            self.reference_id = reference_id
            self.anchor = anchor
            self.words = words
            self.last = last

    class NeedMore(Message):
        """The list was scrolled near the end of what is loaded: load the next page."""

    def __init__(
        self, styles: LevelStyles, columns: Sequence[str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.levels = styles
        self.columns = columns
        self.index: CableIndex | None = None
        self.rows: Sequence[int] = ()
        # ids are padded to this: the longest on screen, kept while a key changes few lines
        # (a narrower padding would repaint them all, see `_repaint`)
        self.ref_width = 0
        self._padded: _Window | None = None  # the window `ref_width` was fitted to
        self.hits: Sequence[SearchHit] | None = None  # text mode: one hit per row
        self.more = False  # further rows (titles) or hits (text) can be loaded
        self._base_style = Style()
        self._cursor_style = Style()

    def set_rows(
        self, index: CableIndex, rows: Sequence[int], *, more: bool = False, keep: bool = False
    ) -> None:
        """Show `rows` (indices into `index`), best first; `more`: further matches can be
        loaded; `keep`: the same query's longer page, the cursor stays (else: to the top)."""
        before = self._window()
        self.index, self.rows, self.hits, self.more = index, rows, None, more
        self._resized(top=not keep, before=before)

    def set_hits(self, hits: Sequence[SearchHit], *, more: bool, keep: bool = False) -> None:
        """Show full-text hits; `keep`: the same query's longer page, the cursor stays."""
        self.hits, self.rows, self.more = hits, range(len(hits)), more
        self._resized(top=not keep)

    def _resized(self, *, top: bool, before: _Window | None = None) -> None:
        # rows are cut to the width: never a horizontal scrollbar (and the vertical one is
        # always there, see cables.tcss: the width never changes with the rows)
        size = Size(0, len(self.rows))
        if size != self.virtual_size:  # (the same number of rows: the same scrollbar)
            drawn = self._bar(self.virtual_size.height)
            self.virtual_size = size
            if self._bar(size.height) != drawn:
                self._scroll_update(size)  # the scrollbar, as a layout pass would
            else:  # drawn the same (a thumb of one cell at the top, say): not repainted
                self.vertical_scrollbar.set_reactive(ScrollBar.window_virtual_size, size.height)
                self.scroll_y = self.validate_scroll_y(self.scroll_y)
        if top:
            self.scroll_to(y=0, animate=False)
            self.cursor = 0
        self._repaint(before)

    def _bar(self, rows: int) -> list[Segment]:
        """The cells of the scrollbar as Textual draws it over `rows` rows, at this scroll: a
        new number of rows often leaves it as it was (a frame's scrollbar took 1.2 ms)."""
        height = self.scrollable_content_region.height
        return list(
            ScrollBarRender.render_bar(
                size=height,
                virtual_size=rows,
                window_size=height if height < rows else 0,
                position=self.scroll_y,
            ).segments
        )

    def _window(self) -> _Window:
        """What the lines on screen show: the rows under them, and their longest id."""
        top, height = int(self.scroll_y), self.scrollable_content_region.height
        shown = tuple(self.rows[top : top + height]) if self.hits is None else ()
        longest = 0
        if self.index is not None and shown:
            ids = self.index.reference_ids
            longest = max(len(ids[i]) for i in shown)
        return _Window(self.index, self.hits, top, height, shown, longest)

    def _pad_to(self, window: _Window) -> None:
        """Pad the ids to the longest in `window` (the columns line up)."""
        self.ref_width, self._padded = window.longest, window

    def _repaint(self, before: _Window | None) -> None:
        """Repaint the lines whose row changed since `before` (a key often keeps many of them:
        the same best matches, a word typed on). The ids keep their padding then, unless a
        longer one comes: a narrower one would repaint every line, a whole-list repaint on
        nearly every other key. Every line is repainted, and the padding fitted anew, where
        the scrolling or the kind of rows changed, or most lines did. Text hits: always."""
        after = self._window()
        if before is not None and after.same_frame(before) and after.same_frame(self._padded):
            changed = [
                y for y, (was, now) in enumerate(zip_longest(before.rows, after.rows)) if was != now
            ]
            if len(changed) <= after.height // 2 and after.longest <= self.ref_width:
                for y in changed:
                    self.refresh_line(after.top + y)
                return
        self._pad_to(after)
        self.refresh()

    @property
    def selected(self) -> str | None:
        """The reference id under the cursor."""
        if not self.rows:
            return None
        if self.hits is not None:
            return self.hits[self.cursor].reference_id
        if self.index is None:
            return None
        return self.index.reference_ids[self.rows[self.cursor]]

    @property
    def selected_hit(self) -> SearchHit | None:
        """The text hit under the cursor (text mode)."""
        return self.hits[self.cursor] if self.hits and self.rows else None

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        height = self.scrollable_content_region.height
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif height and new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        # the two lines it left and reached (a scroll repaints every line besides)
        self.refresh_line(old)
        self.refresh_line(new)

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_cursor_to(self, row: int) -> None:
        self.cursor = row if row >= 0 else len(self.rows) - 1

    def on_click(self, event: Click) -> None:
        self.cursor = int(self.scroll_y) + event.y
        self.screen.query_one(Sidebar).action_open_selected()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles looked up once per paint, not per line (each lookup walks the DOM).
        self._base_style = self.rich_style
        self._cursor_style = self.get_component_rich_style("cable-list--cursor")
        # ids padded as `_repaint` decided; the list scrolled or resized since (Textual then
        # repaints it whole): to the longest on screen now, not in the crop
        window = self._window()
        if not window.same_frame(self._padded) or window.longest > self.ref_width:
            self._pad_to(window)
        bottom = int(self.scroll_y) + self.scrollable_content_region.height
        if self.more and max(bottom, self.cursor + 1) >= len(self.rows) - 2:
            self.more = False  # asked once; the next page says whether there is more
            self.post_message(self.NeedMore())
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
        if row >= len(self.rows) or (self.hits is None and self.index is None):
            return Strip.blank(width, base)
        if self.hits is None:
            cursor = self._cursor_style if row == self.cursor else None
            return self.row_strip(self.rows[row], width, cursor)
        text = self.hit_text(self.hits[row])
        if row == self.cursor:
            text.stylize_before(self._cursor_style)  # under the chip: it keeps its colour
        text.truncate(width, overflow="ellipsis", pad=True)
        return Strip(list(text.render(self.app.console)), width).apply_style(base).simplify()

    def row_strip(self, i: int, width: int, cursor: Style | None) -> Strip:
        """Row `i` as a line `width` cells wide: what `row_text` renders to once truncated with
        an ellipsis and padded, built straight from segments (a few times faster per line)."""
        base = self._base_style  # under every piece, as Strip.apply_style would put it
        parts = [(text, style) for text, style in self.row_parts(i) if text]
        if cursor is not None:  # over every piece but the level chip, which keeps its colour
            parts = [(text, _under_cursor(style, cursor)) for text, style in parts]
        parts = [(text, base + style if style else base) for text, style in parts]
        total = sum(cell_len(text) for text, _ in parts)
        segments: list[Segment] = []
        if total <= width:
            segments = [Segment(text, style) for text, style in parts]
            if total < width:
                segments.append(Segment(" " * (width - total), base))  # no cursor style
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
        return Strip(segments, width)

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
                parts.append((" " * (self.ref_width - len(index.reference_ids[i])), None))
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

    def hit_text(self, hit: SearchHit) -> Text:
        """A text-mode row: level chip, id, the paragraph (¶N) and the snippet, matches marked."""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        level = level_of(hit.level.value)
        text.append(f"{CODE[level]:^3}", style=self.levels.chip(level))
        text.append(" ")
        text.append(hit.reference_id, style=Style(bold=True))
        where = f"¶{hit.paragraph_number}" if hit.paragraph_number is not None else "subj"
        text.append(f" {where} ", style=Style(dim=True))
        text.append_text(snippet_text(hit.snippet))
        return text


MARK = Style(bold=True, reverse=True)


def _under_cursor(style: Style | None, cursor: Style) -> Style:
    """A row piece's style on the cursor row: the cursor's, except that a chip (a piece with
    its own background) stays in its level's colours."""
    if style is None:
        return cursor
    return cursor + style if style.bgcolor is not None else style + cursor


def snippet_text(snippet: str) -> Text:
    """A snippet's «marked» words highlighted, as a Text (never markup: snippets are text)."""
    text = Text(no_wrap=True, end="")
    for n, part in enumerate(re.split("[«»]", clean_line(snippet))):
        text.append(part, style=MARK if n % 2 else None)
    return text


SPARKS = " ▁▂▃▄▅▆▇█"


def timeline(by_month: dict[str, int], width: int) -> Text:
    """Matches per month from 1966 to 2010 as a sparkline `width` columns wide: each column is
    the busiest month of its span, so the busiest months show at any width."""
    months = (LAST_YEAR - FIRST_YEAR + 1) * 12
    labels = width >= 20
    columns = max(1, width - 10 if labels else width)
    counts = [0] * columns
    for month, n in by_month.items():
        if len(month) >= 7 and month[:4].isdigit() and month[5:7].isdigit():
            at = (int(month[:4]) - FIRST_YEAR) * 12 + int(month[5:7]) - 1
            if 0 <= at < months:
                column = at * columns // months
                counts[column] = max(counts[column], n)
    top = max(counts) or 1
    spark = "".join(SPARKS[-(-n * (len(SPARKS) - 1) // top)] if n else " " for n in counts)
    text = Text(no_wrap=True, end="")
    if labels:
        text.append(f"{FIRST_YEAR} ", style=Style(dim=True))
    text.append(spark, style=Style(color="cyan"))
    if labels:
        text.append(f" {LAST_YEAR}", style=Style(dim=True))
    return text


class QueryBox(Input):
    """The query box. Its size is set by the stylesheet, never by its text, so a key repaints it
    without a layout pass over the whole screen (Input's `virtual_size` asks for one on every
    key: a quarter of the UI's time per key here)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_value(self, value: str) -> None:
        # The query leaves now, as the key changes the value, not a few message hops later
        # (Input.Changed), and before the echo can reach the screen (see `Sidebar.typed`).
        if isinstance(self.parent, Sidebar):
            self.parent.typed(value)


class Sidebar(Vertical):
    """Query box (titles or text), error line, level counts and timeline, "N of M" count and
    the list; posts `CableList.Opened`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings(Scope.SIDEBAR),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    PAGE = 50  # text hits fetched at a time (the list asks for more as it scrolls)
    # Seconds a key's echo in the box may wait for the key's answer, to be drawn in one frame
    # with it (see `_hold_frames`); a slower answer finds the echo already drawn, and its own
    # frame then waits for Textual's next slot (17-33 ms): the slowest prefixes take 40-60 ms.
    HOLD = 0.07
    COUNT_CAP = COUNT_CAP  # text mode counts this many matching cables at most ("5,000+")
    MODES = ("titles", "text")

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
        self.generation: int | None = None  # the library's, of the index
        self.search: Searcher | None = None
        self.library: Library | None = None
        self.mode = "titles"
        self.query_shown = ""  # the query whose results the list shows
        self.error = ""  # what is wrong with the query, shown under the box
        self.words: list[tuple[str, bool]] = []  # text mode: the words to highlight
        self._waiting: Answer | None = None  # an answer that came before the index
        self._page = self.PAGE
        self._title_page = limit  # titles: how many of the best matches are asked for
        self._paged: int | None = None  # the query number that asked for a further page
        self._hold: Timer | None = None  # frames held for an answer: ends the hold at HOLD
        # the picture of every cable (for no query), from the search process when it is ready
        self._whole: tuple[dict[str, int], dict[str, int]] | None = None
        # what the count line and the picture show: a key that changes neither repaints neither
        self._count_shown = Text("Loading cables…")
        self._picture_shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        box = QueryBox(placeholder="Search id, subject, origin, tags", id="query")
        box.border_title = "titles"
        box.border_subtitle = "ctrl+t: text"
        yield box
        yield Label(Text(""), id="error")
        yield Static(Text(""), id="summary")
        yield Label(self._count_shown, id="count")
        yield CableList(self.levels, self.columns, id="cable-list")

    @property
    def cable_list(self) -> CableList:
        return self.query_one(CableList)

    @property
    def ready(self) -> bool:
        """The list shows the index and the search process answers."""
        return self.index is not None and self.search is not None and self.search.ready

    def set_search(self, search: Searcher) -> None:
        """Use this (started) search; a query typed so far is sent now."""
        self.search = search
        if value := self.query_one(Input).value:
            self.run_search(value)

    def set_index(
        self, index: CableIndex, library: Library | None = None, generation: int | None = None
    ) -> None:
        """Called once the index is loaded (off the UI thread); `generation`: the library's
        generation it is of (answers made from another one's rows wait for theirs)."""
        self.index, self.library, self.generation = index, library, generation
        waiting, self._waiting = self._waiting, None
        value = self.query_one(Input).value
        if waiting is not None and self.search and waiting.seq == self.search.latest:
            if self._of_the_list():
                self._show(waiting.query, waiting.matches, waiting.hint)
            else:
                self._waiting = waiting
        elif not value or self.mode == "text" or parse(value).errors:
            self.run_search(value)
        self.post_message(self.Loaded())

    def on_search_event(self, event: Event) -> None:
        """An event of the search process, delivered on the UI thread."""
        if not self.is_attached:  # the app is going (a crash, say): nothing left to show
            return
        if isinstance(event, Answer):
            if self.search is None or event.seq != self.search.latest or self.mode != "titles":
                return  # a newer key is on its way
            if self.index is None or not self._of_the_list():
                self._waiting = event  # shown with the index of its rows
            else:
                self._show(event.query, event.matches, event.hint, keep=event.seq == self._paged)
            # after the events read with it (its picture, sent right behind): one frame for all
            asyncio.get_running_loop().call_soon(self._release_frames)
        elif isinstance(event, Pictured):
            current = self.search is not None and event.seq == self.search.latest
            if current and self.mode == "titles":
                self._summary(event.by_level, event.by_month)
        elif isinstance(event, Failed):
            self._release_frames()
            self.show_progress(event.message)
        elif isinstance(event, Ready):
            self._whole = (event.by_level, event.by_month)
            if self.index is not None and not self.query_shown:
                self._show("", None)

    def _of_the_list(self) -> bool:
        """Whether the search's answers number the rows of the index listed (the generation
        of each is known, and they differ, while a reload after an import is under way)."""
        engine = self.search.generation if self.search is not None else None
        return engine is None or self.generation is None or engine == self.generation

    def on_unmount(self) -> None:
        self._release_frames()
        if self.search is not None:  # no event may come after the widgets are gone
            self.search.close()

    def _hold_frames(self) -> None:
        """Draw nothing until this key's answer is shown (or HOLD has passed): the echo of the
        key in the box and the answer then reach the screen in one frame. Drawn apart, the
        answer's frame waited for Textual's next frame slot after the echo's, 17-33 ms later
        (its 60 Hz update timer), where the answer itself comes in a few ms."""
        if self._hold is None:
            self.app._begin_batch()
            self._hold = self.set_timer(self.HOLD, self._release_frames, name="hold frames")

    def _release_frames(self) -> None:
        """Let frames be drawn again (what changed meanwhile is drawn in the next one)."""
        if self._hold is not None:
            self._hold.stop()
            self._hold = None
            self.app._end_batch()
            if self.is_attached:
                self.screen.check_idle()  # the screen draws what waited, on its next idle

    def show_progress(self, message: str) -> None:
        self._show_count(Text(message))

    def toggle_mode(self) -> None:
        """Switch the box between titles and the full text, and search again."""
        self.mode = "text" if self.mode == "titles" else "titles"
        box = self.query_one(Input)
        box.border_title = self.mode
        box.border_subtitle = "ctrl+t: " + ("titles" if self.mode == "text" else "text")
        box.placeholder = (
            "Search the text of every cable"
            if self.mode == "text"
            else "Search id, subject, origin, tags"
        )
        self._title_page = self.limit
        self.run_search(box.value)

    def typed(self, value: str) -> None:
        """The box's text changed (a key, or set by code): search it from the first page."""
        self._page, self._title_page = self.PAGE, self.limit
        self.run_search(value, hold=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # searched already, as the value changed (`typed`)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open_selected()

    def on_cable_list_need_more(self, event: CableList.NeedMore) -> None:
        event.stop()
        if self.mode == "text":
            self._page += self.PAGE
            self.run_search(self.query_one(Input).value, more=True)
        elif self.search is not None:  # titles: the next slice of the matches, ranked
            self._title_page += self.limit
            self._paged = self.search.submit(self.query_one(Input).value, self._title_page)

    def action_open_selected(self, last: bool = False) -> None:
        hit = self.cable_list.selected_hit
        if hit is not None:
            self.post_message(CableList.Opened(hit.reference_id, hit.anchor, self.words, last=last))
        elif selected := self.cable_list.selected:
            self.post_message(CableList.Opened(selected))

    def next_hit(self, step: int) -> bool:
        """Open the next listed text hit (or the previous one, at its last match); False when
        there is none."""
        cable_list = self.cable_list
        if cable_list.hits is None or not 0 <= cable_list.cursor + step < len(cable_list.rows):
            return False
        cable_list.cursor += step
        self.action_open_selected(last=step < 0)
        return True

    def action_move(self, step: int) -> None:
        self.cable_list.cursor += step

    def action_focus_view(self) -> None:
        self.screen.query_one("CableView").focus()

    def run_search(self, text: str, more: bool = False, *, hold: bool = False) -> None:
        """Titles: send the query to the search process (the empty query lists every cable at
        once); text: search the library in a thread worker. A bad filter shows its error.
        `hold`: a key's query, its echo drawn with its answer (`_hold_frames`)."""
        if self.search is None:
            return
        if self.mode == "titles":  # (even with errors: older answers are stale from here on)
            self.search.submit(text, self._title_page)
        query = parse(text)
        if self.index is None:
            return
        answered = self.mode == "titles" and self.search.ready  # an answer will come
        if hold and answered and not query.errors and not query.empty:
            self._hold_frames()
        if query.errors:
            self._show_error(text, query)
        elif self.mode == "text":
            self._text_search(text, more)
        elif query.empty:
            self._show(text, None)
        elif not self.search.ready:
            self.show_progress("Preparing search…")

    @work(thread=True, exclusive=True, group="sidebar-search")
    def _text_search(self, text: str, more: bool) -> None:
        """Full-text search off the UI thread; a newer keystroke cancels this one."""
        worker = get_current_worker()
        library = self.library
        if library is None:
            return
        query = parse(text)
        # First the screenful of hits, then (unless this is the next page) the count, levels
        # and timeline, which read further.
        results = _text_search(library, query, self._page, lambda: worker.is_cancelled)
        if results.cancelled or worker.is_cancelled:
            return
        self.app.call_from_thread(self._show_text, text, results, more)
        if not more and not query.empty:
            counts = library.text_search(
                query,
                limit=0,
                count_cap=self.COUNT_CAP,
                timeline=True,
                cancelled=lambda: worker.is_cancelled,
            )
            if not counts.cancelled and not worker.is_cancelled:
                self.app.call_from_thread(self._show_text_counts, text, counts)

    def _show_error(self, text: str, query: Query) -> None:
        self.query_shown = text
        self.error = "; ".join(query.errors)
        self._show_note(Text(self.error, style="bold red"))

    def _show_note(self, note: Text) -> None:
        self.query_one("#error", Label).update(note)
        self.query_one("#error", Label).display = True

    def _clear_error(self) -> None:
        self.error = ""
        error = self.query_one("#error", Label)
        if error.display:  # (set even to the value it has, Textual lays out the whole screen)
            error.display = False

    def _show(
        self, query: str, matches: Matches | None, hint: int | None = None, *, keep: bool = False
    ) -> None:
        index = self.index
        assert index is not None
        self._clear_error()
        self.words = []
        if matches is None:
            rows: Sequence[int] = range(len(index))
            total = len(index)
        else:
            rows, total = matches.rows, matches.total
        self.query_shown = query
        self.cable_list.set_rows(index, rows, more=len(rows) < total, keep=keep)
        count = Text(f"{total:,} of {len(index):,}")
        if len(rows) < total:
            count.append(f" (best {len(rows):,} shown)")
        if matches is not None:
            for word, corrections in matches.corrections.items():
                count.append(
                    f" · {clean_line(word)}→{clean_line(corrections[0].text)}", style="italic"
                )
            if total == 0 and hint is not None:
                # why nothing, under the box: which words, and what the full text holds
                missing = matches.missing or tuple(w.text for w in parse(query).words)
                why = Text("no cable title matches ")
                why.append(" ".join(f"'{clean_line(w)}'" for w in missing), style="bold")
                more = "+" if hint >= self.COUNT_CAP else ""
                why.append(f" — ctrl+t searches the text: {_cables(hint)}{more}")
                self._show_note(why)
        self._show_count(count)
        if matches is None or parse(query).empty:
            self._summary(None, None)

    def _show_text(self, query: str, results: TextResults, more: bool) -> None:
        assert self.index is not None
        self._clear_error()
        self.query_shown = query
        parsed = parse(query)
        self.words = [
            (w, word.prefix and i == len(word.words) - 1)
            for word in parsed.words
            for i, w in enumerate(word.words)
        ]
        hits = results.hits
        self.cable_list.set_hits(hits, more=results.capped, keep=more)
        if more:
            return
        if parsed.empty:
            self._summary(None, None)
            count = Text("text mode: type words to search every paragraph")
        elif results.capped:
            count = Text(f"{len(hits):,}+ cables of {len(self.index):,} (text) · counting…")
        else:
            count = Text(f"{_cables(results.total)} of {len(self.index):,} (text)")
        self._show_count(count)

    def _show_text_counts(self, query: str, counts: TextResults) -> None:
        """The count, levels and timeline of the text query whose hits are listed."""
        if query != self.query_shown or self.mode != "text" or self.index is None:
            return
        plus = "+" if counts.capped else ""
        count = Text(f"{_cables(counts.total)}{plus} of {len(self.index):,} (text)")
        listed = len(self.cable_list.rows)
        if listed < counts.total:
            count.append(f" · {listed:,} listed")
        self._show_count(count)
        self._summary(counts.levels or None, counts.months or None)

    def _show_count(self, count: Text) -> None:
        if count != self._count_shown:
            self._count_shown = count
            # fixed size (see cables.tcss): no layout pass on every keystroke
            self.query_one("#count", Label).update(count, layout=False)

    def _summary(self, by_level: dict[str, int] | None, by_month: dict[str, int] | None) -> None:
        """Chips per level in the level colours, then the timeline; for no query (None), those
        of every cable. Always two lines: shown or hidden, it moved the list, and a layout
        pass repainted the whole screen at the first key of every query."""
        summary = self.query_one("#summary", Static)
        if by_level is None and self._whole is not None:
            by_level, by_month = self._whole
        width = max(10, self.size.width - 2)
        shown = (  # (copies: a picture's dicts are the caller's)
            None if by_level is None else dict(by_level),
            None if by_month is None else dict(by_month),
            width,
            *(self.levels.chip(level) for level in Level),
        )
        if shown == self._picture_shown:  # the same matches' picture (a word typed on)
            return
        self._picture_shown = shown
        if by_level is None:
            summary.update(Text(""), layout=False)
            return
        line = Text(no_wrap=True, end="")
        for level in Level:
            n = by_level.get(level.value, 0)
            if n:
                line.append(f" {CODE[level]} ", style=self.levels.chip(level))
                line.append(f" {n:,}  ")
        line.append("\n")
        line.append_text(timeline(by_month or {}, width))
        summary.update(line, layout=False)  # two lines, fixed in cables.tcss


def _cables(n: int) -> str:
    return f"{n:,} cable" + ("" if n == 1 else "s")


def _text_search(
    library: Library, query: Query, page: int, cancelled: Callable[[], bool]
) -> TextResults:
    """Text mode's first screen: `page` hits, newest first unless `sort:` says otherwise
    (`capped` says whether there are more); the count comes after."""
    if query.empty:
        return TextResults()
    return library.text_search(query, limit=page, sort=query.sort or Sort.NEW, cancelled=cancelled)
