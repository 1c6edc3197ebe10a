"""The cable browser: sidebar search over every cable, the cable view, its strip and footer.

The first frame never waits for the library's index: it loads in a thread worker (the sidebar
shows progress) while the app already takes keys. Everything the user can do is an action from
`cables.keymap.ACTIONS`, bound by id so the config's keymap can remap it.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import re
import sys
import threading
from collections import deque
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from rich.color import Color as RichColor
from rich.color import ColorParseError
from rich.text import Text
from textual import events, messages, work
from textual._time import get_time
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label

from cables import index_cache
from cables.config import Config, remapped_keys
from cables.exits import EXIT_FATAL
from cables.history import History, Place
from cables.index import CableIndex
from cables.keymap import ACTIONS, Action, Handler, Scope
from cables.library import Library, LibraryError
from cables.model import Cable
from cables.permalinks import PermalinkRefused, Permalinks
from cables.sanitize import clean_line
from cables.search_process import (
    Event,
    Indexed,
    Ready,
    SearchClient,
    Searcher,
    ThreadSearch,
)
from cables.state import State
from tui import clipboard, crash
from tui.keys import bindings, key_label, keys_of
from tui.widgets.cable_view import CableView
from tui.widgets.footer import CableFooter, paragraph_ref
from tui.widgets.key_bar import KeyBar
from tui.widgets.level_strip import LevelStrip
from tui.widgets.levels import CODE, LevelStyles, level_of
from tui.widgets.sidebar import CableList, Sidebar

if TYPE_CHECKING:
    from cables.search import SidebarSearch

    # The index and its search engine, made before the app (shared by forked sessions).
    Preloaded = tuple[CableIndex, SidebarSearch]


LIBRARY_CHECK_SECONDS = 2.0


def empty_library_text(path: Path) -> list[str]:
    """What the view says on a library with no cables: how to import, and what the demo is."""
    return [
        "This library has no cables yet.",
        "",
        f"Library: {path}",
        "",
        "Import cables into it (the cables.csv dump, .gz too, or folders of cable pages):",
        "",
        f"    cables --library {path} import cables.csv.gz",
        "",
        "They appear here as they are imported, no restart needed.",
        "",
        "Or try the demo library, 2,000 synthetic cables (real ids, generated text), kept apart"
        " from yours:",
        "",
        "    cables demo",
    ]


class MainScreen(Screen[None]):
    """The browser's screen, without Textual's second layout after each layout.

    A whole-screen layout gives every widget its size and virtual size; each widget whose
    virtual size changed asks for a layout again meanwhile, and asks made before it (widgets
    mounting) reach the screen after it: Textual ran another whole-screen layout and repaint
    for them right after the first frame (the loading phase's 18-20 ms stall at 251k). Both
    are answered by the layout already done, unless it showed or hid a scrollbar (a widget's
    content then moves): only then they stay. A scrollbar's own asks are never needed: its
    size is its widget's `scrollbar-size`.
    """

    _laid_out_at = 0.0  # when the last whole-screen layout began (the messages' clock)

    # The focus moving restyles the widgets it leaves and reaches, which repaint themselves:
    # Textual also repainted the whole screen for it (the longest stall of scrolling at 251k).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        if scroll and not self._layout_widgets:  # a scroll: no layout, nothing asked
            super()._refresh_layout(size, scroll)
            return
        self._laid_out_at = get_time()
        widgets = [self, *self.walk_children(Widget)]
        bars = [(w.show_vertical_scrollbar, w.show_horizontal_scrollbar) for w in widgets]
        super()._refresh_layout(size, scroll)
        after = [(w.show_vertical_scrollbar, w.show_horizontal_scrollbar) for w in widgets]
        if after == bars:
            for widget in widgets:
                widget._layout_required = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual lays the screen out as it first shows (drawing all of it), then asks for
        all of it to be drawn again: a second whole frame right after the first."""
        laid_out = self._laid_out_at
        super()._on_screen_resume(event)
        event.prevent_default()  # (Textual would run the screen's own handler again)
        if self._laid_out_at != laid_out:
            self._repaint_required = False

    async def _on_layout(self, message: messages.Layout) -> None:
        # (a scrollbar asks as its styles first apply, yet its size is its widget's setting)
        if message.time < self._laid_out_at or isinstance(message.widget, ScrollBar):
            message.stop()
            message.prevent_default()
            return
        await super()._on_layout(message)


class CablesApp(App[int]):
    """Browse a cable library: search the sidebar, read cables paragraph by paragraph."""

    CSS_PATH = Path(__file__).with_name("cables.tcss")  # absolute: subclasses live elsewhere
    TITLE = "cables"
    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.APP)

    def __init__(
        self,
        library: Library,
        config: Config | None = None,
        *,
        open_ref: str | None = None,
        anchor: str | None = None,
        notice: str | None = None,
        state: State | None = None,
        preloaded: Preloaded | None = None,
        search: SearchClient | None = None,
    ) -> None:
        """`search`: a search process already started (by `run_browser`, before the imports)."""
        super().__init__()
        self.library = library
        self.preloaded = preloaded
        self.config = config or Config()
        self.links = Permalinks(self.config.cable_permalink, self.config.paragraph_permalink)
        self.level_styles = LevelStyles(
            self.config.level_colors, standard=self.console.color_system == "standard"
        )
        self.open_ref = open_ref
        self.open_anchor = anchor
        self.notice = notice
        self.state = state if state is not None else State.load()
        self.history = History()
        # Cables opened but not yet in the state file: written in order by `_save_opened`.
        self._opened: deque[Cable] = deque()
        self._saving = threading.Lock()
        self._colors_fitted = False
        self._generation = -1  # the library's write counter when the index was loaded
        self._watch_timer: Timer | None = None
        self._search_focused = False  # ctrl+f pressed (perhaps before on_mount ran)
        self.search: Searcher
        self._search_started = search is not None
        if search is not None:
            self.search = search
        elif preloaded is not None:  # `cables serve`: one engine shared by forked sessions
            self.search = ThreadSearch(preloaded[1], library, limit=self.config.sidebar_limit)
        else:
            self.search = SearchClient(library.path, limit=self.config.sidebar_limit)
        self.crash: str | None = None  # why an internal error stopped the app, in one line

    def _handle_exception(self, error: Exception) -> None:
        """An internal error still ends the app (Textual's exit status 1, Pilot re-raises it),
        but as one line for the user and a crash log, not a traceback on the terminal."""
        if self.crash is None:
            self.crash = crash.record(error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        self._close_messages_no_wait()

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield Sidebar(
                self.level_styles,
                self.config.sidebar_columns,
                self.config.sidebar_limit,
                id="sidebar",
            )
            with Vertical(id="reader"):
                yield Label(id="view-title", classes="pane-title")
                with Horizontal(id="reading"):
                    yield CableView(self.level_styles, dict(self.config.keymap), id="cable-view")
                    yield LevelStrip(self.level_styles, id="level-strip")
        # The whole width, under the sidebar too: every field fits in two lines at 80 columns.
        yield CableFooter(id="cable-footer")
        yield KeyBar()

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(id="_default")

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def view(self) -> CableView:
        return self.query_one(CableView)

    def on_mount(self) -> None:
        gc.freeze()  # the modules and widgets made so far: see `_index_loaded`
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self._fit_level_colors()
        self._colors_fitted = True
        self.set_keymap(remapped_keys(self.config))
        self.watch(self.screen, "focused", self._show_focus)
        # Where the hands are: the search box, unless a cable was asked for.
        if self.open_ref:
            self.view.focus()
        else:
            self.sidebar.query_one(Input).focus()
        if self.preloaded is not None:
            # `cables serve`: a blinking cursor is a frame twice a second for every reader,
            # idle or not, through one shared CPU and their connection.
            self.sidebar.query_one(Input).cursor_blink = False
        if self.notice:
            self.notify(self.notice, title="Demo library", markup=False, timeout=15)
        if self.state.warning:
            self.notify(self.state.warning, title="Bookmarks", severity="warning", markup=False)
        # The search process starts first: it loads and prepares on the other core meanwhile.
        if not self._search_started:
            self.search.start()
        if self.preloaded is not None:  # (its engine, hence `cables.search`, is in already)
            self._attach_search()
        self.sidebar.set_search(self.search)
        if self.open_ref:
            self.open_cable(self.open_ref, anchor=self.open_anchor)
        elif self.state.history:  # where the user left off, in the first frame
            self.open_cable(self.state.history[0].ref, record=False)
        self.load_index()
        self.call_after_refresh(self._first_frame_out)

    def _first_frame_out(self) -> None:
        """The first frame is written: the collector runs again (`cables.cli` holds it off
        for the start, which makes no garbage worth collecting), and the answers' types are
        imported."""
        gc.enable()
        self._import_answer_types()

    @work(thread=True, group="imports")
    def _import_answer_types(self) -> None:
        """The search process's answers hold `cables.search` types, and that module brings
        rapidfuzz: unpickling the first answer imported them on the UI thread (a 25 ms stall
        while loading). Imported here instead, off the UI thread, once the first frame is out
        (the first frame needs neither). The answers are read only once it is in: a first
        answer quicker than the first frame (a small library, a busy machine) waits in the
        pipe rather than import it on the UI thread."""
        importlib.import_module("cables.search")
        if self.preloaded is None:
            self.call_from_thread(self._attach_search)

    def _attach_search(self) -> None:
        """Read the search process's answers from the event loop from now on."""
        self.search.attach(asyncio.get_running_loop(), self._on_search_event)

    def _on_search_event(self, event: Event) -> None:
        """Every event goes to the sidebar; a search process with the index of another
        generation of the library than the list's (cables imported meanwhile) has the list
        follow it: its answers number the rows of its own generation's index."""
        self.sidebar.on_search_event(event)
        if (
            isinstance(event, Indexed | Ready)
            and self._generation >= 0  # (the first index is the app's own: `load_index`)
            and event.generation not in (None, self._generation)
        ):
            self._follow_search(event.generation)

    def on_unmount(self) -> None:
        self.search.close()
        gc.unfreeze()  # what was frozen may be collected again (one process may run many apps)

    def watch_theme(self) -> None:
        if self._colors_fitted:  # from the palette's theme switcher; on_mount fits the first
            self._fit_level_colors()

    def _fit_level_colors(self) -> None:
        """Make the level colours readable on the theme's background; warn about chosen ones."""
        value = self.get_css_variables().get("background", "")
        try:
            background = RichColor.parse(value)
        except ColorParseError:  # an ANSI theme: the terminal's own background
            background = RichColor.parse("#000000" if self.current_theme.dark else "#ffffff")
        for warning in self.level_styles.set_background(background):
            self.notify(warning, title="Colours", severity="warning", markup=False)
        self.view.restyle()
        self.sidebar.cable_list.refresh()
        self.query_one(LevelStrip).refresh()

    @work(thread=True, exclusive=True, group="index")
    def load_index(self) -> None:
        """Load the sidebar index off the UI thread (one read: SQLite releases the GIL)."""
        if self.preloaded is not None:  # built once by `cables serve` for every session
            generation = self.library.generation()
            self.call_from_thread(self._index_loaded, self.preloaded[0], generation)
            return
        self.call_from_thread(self.sidebar.show_progress, "Loading the cable index…")
        self.call_from_thread(self._index_loaded, *reversed(self.library.current_index()))

    @work(thread=True, exclusive=True, group="index")
    def _follow_search(self, generation: int) -> None:
        """The index of the search process's generation: mapped from the file it kept (its
        rows are not read again here: 1-2 s of this process's CPU at 251k, holding the GIL
        against the UI thread while an import runs). If that file has gone (a newer process
        kept a newer one), the index as it is now, and the search process follows it."""
        index = index_cache.load(self.library.path, generation)
        if index is None:
            generation, index = self.library.current_index()
        self.call_from_thread(self._index_loaded, index, generation)

    def _index_loaded(self, index: CableIndex, generation: int) -> None:
        if generation < self._generation:
            return  # a slower read of an older generation than the one listed
        self._generation = generation  # what `check_library` compares with
        self.sidebar.set_index(index, self.library, generation)
        search = self.search
        if isinstance(search, SearchClient) and search.ready and search.generation != generation:
            search.restart()  # made from another generation (one change behind, say): catch up
        if self.view.cable is None and len(index):
            self.open_cable(index.reference_ids[0])
        elif not len(index):
            self.view.show_message(empty_library_text(self.library.path))
        if self._watch_timer is None:
            self._watch_timer = self.set_interval(LIBRARY_CHECK_SECONDS, self.check_library)
        # Everything made so far lives as long as the app: out of the collector's sight, so a
        # full collection walks only what came since (35-100 ms stalls while typing otherwise).
        gc.freeze()

    @work(thread=True, exclusive=True, group="library-watch")
    def check_library(self) -> None:
        """Cables imported while the browser runs: when the library changed (one small query
        every few seconds, off the UI thread), the search process reloads it, and the list
        follows as soon as it has the index (`_on_search_event`)."""
        try:
            changed = self.library.generation() != self._generation
        except LibraryError:
            return
        if changed:
            self.call_from_thread(self._library_changed)

    def _library_changed(self) -> None:
        search = self.search
        if not isinstance(search, SearchClient) or search.failed:
            self.load_index()  # (`cables serve`'s preloaded index and engine stay as they are)
        elif search.ready and search.generation == self._generation:
            search.restart()
        # else: the search process is still loading, maybe this very change: looked at again
        # at the next check (a restart on each batch of an import would never let it finish)

    # -- opening cables ------------------------------------------------------------------

    def open_cable(
        self, ref: str, *, anchor: str | None = None, index: int = 0, record: bool = True
    ) -> bool:
        """Show cable `ref` (at `anchor` or paragraph `index`); False if it is not here."""
        try:
            cable = self.library.get(ref)
        except LibraryError as exc:  # one damaged record must not take the browser down
            self.notify(str(exc), severity="error", markup=False)
            return False
        if cable is None:
            self.notify(f"{ref} is not in this library", severity="warning", markup=False)
            return False
        self.view.show(cable, index)
        self.sidebar.cable_list.select(cable.reference_id)
        self._show_bookmarks()
        if anchor is not None:
            found = self.view.index_of_anchor(anchor)
            if found is None:
                self.notify(f"{ref} has no paragraph #{anchor}", severity="warning", markup=False)
            else:
                self.view.move_to(found)
        if record:
            self.history.visit(Place(cable.reference_id, index=self.view.current))
        # At once, not on the view's `Moved`: that message climbs the DOM a turn of the loop
        # per widget, and the start's first frame (the last cable opened) came without them.
        self._follow_view(cable, self.view.current)
        self._opened.append(cable)
        self._save_opened()
        return True

    @work(thread=True, group="state")
    def _save_opened(self) -> None:
        """Record opened cables in the state file off the UI thread (two fsyncs each, unbounded
        on a slow home directory), oldest first; a failure is shown, once."""
        for problem in self.record_opened():
            self.call_from_thread(self.notify, problem, severity="warning", markup=False)

    def record_opened(self) -> list[str]:
        """Write every opened cable not yet saved, in order; the problems to show. Also run
        once more after the app has quit, so the last cables opened are not lost."""
        problems = []
        with self._saving:  # one writer at a time, so the order of the history is kept
            while self._opened:
                if problem := self.state.record_open(self._opened.popleft()):
                    problems.append(problem)
        return problems

    def on_cable_list_opened(self, event: CableList.Opened) -> None:
        if self.open_cable(event.reference_id, anchor=event.anchor):
            if event.words:  # a full-text hit: its words highlighted, n/N go through them
                self.view.find_words(event.words, last=event.last)
            self.view.focus()

    def on_level_strip_jump(self, event: LevelStrip.Jump) -> None:
        self.view.move_to(event.index)

    def _show_focus(self, focused: Widget | None) -> None:
        """The focused pane's title line lights up: the box, the list (its count) or the view."""
        self.query_one("#count").set_class(isinstance(focused, CableList), "-focused")
        self.query_one("#view-title").set_class(isinstance(focused, CableView), "-focused")

    # -- full-text search (the sidebar's text mode) --------------------------------------

    def action_toggle_text_search(self) -> None:
        self.action_focus_search()
        self.sidebar.toggle_mode()

    def on_cable_view_past_last_match(self, event: CableView.PastLastMatch) -> None:
        """n past the last match of a text hit: on to the next listed cable (N before the
        first: back to the previous one)."""
        if not self.sidebar.next_hit(event.direction):
            self.notify("No more text matches in the list", severity="warning")

    def on_cable_view_moved(self, event: CableView.Moved) -> None:
        self._follow_view(event.cable, event.index)

    def _follow_view(self, cable: Cable | None, index: int) -> None:
        """The footer, the level strip and the view's title show where the reader is."""
        self.query_one(CableFooter).show(cable, index)
        self.query_one(LevelStrip).show(cable, index)
        view = self.view
        title = self.query_one("#view-title", Label)
        count = view.find_count
        find = None if count is None else (view.find_query.text, count)
        title.update(  # one line always: no layout pass over the screen per move
            view_title(cable, view.section, raw=view.original, find=find, width=title.size.width),
            layout=False,
        )
        if cable is not None:
            self.history.moved(cable.reference_id, index)

    def action_history_back(self) -> None:
        """Back in the cable history (binding id `back`: Textual's own `App.action_back`, which
        pops screens, stays as it is)."""
        self._history_step(-1)

    def action_history_forward(self) -> None:
        self._history_step(1)

    def _history_step(self, step: int) -> None:
        place = self.history.back() if step < 0 else self.history.forward()
        if place is None:
            self.notify(
                "No cable " + ("before" if step < 0 else "after") + " this one", severity="warning"
            )
            return
        self.open_cable(place.ref, index=place.index, record=False)

    # -- app actions ---------------------------------------------------------------------

    def action_toggle_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.display = not sidebar.display
        if not sidebar.display and sidebar.has_focus_within:
            self.view.focus()

    def action_focus_search(self) -> None:
        self._search_focused = True
        if not self.sidebar.display:  # (set even to its value, Textual lays out the screen)
            self.sidebar.display = True
        # at once, not on a later turn of the loop (`focus()`): keys typed right after ctrl+f,
        # already queued, must land in the box
        self.screen.set_focus(self.sidebar.query_one(Input))

    # (The screens and the citation export are imported when first used: the first frame,
    # which waits for every import above, needs none of them.)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(dict(self.config.keymap)))

    def action_legend(self) -> None:
        from tui.screens.help import LegendScreen

        self.push_screen(LegendScreen(self.level_styles))

    async def action_quit(self) -> None:
        self.exit(0)

    def _copy(self, text: str, what: str, summary: str | None = None) -> None:
        clipboard.copy(self, text, self.config.clipboard, what=what, summary=summary)

    def _link(self, cable: Cable, paragraph: bool) -> str | None:
        try:
            ref, created, synthetic = cable.reference_id, cable.created, cable.synthetic
            if paragraph and self.view.paragraph is not None:
                anchor = self.view.paragraph.anchor
                return self.links.paragraph_link(ref, created, anchor, synthetic=synthetic)
            return self.links.link(ref, created, synthetic=synthetic)
        except PermalinkRefused as refused:
            self.notify(str(refused), title="No permalink", severity="warning", markup=False)
            return None

    def action_copy_paragraph_link(self) -> None:
        self._copy_link(paragraph=True)

    def action_copy_cable_link(self) -> None:
        self._copy_link(paragraph=False)

    def _copy_link(self, *, paragraph: bool) -> None:
        cable = self.view.cable
        link = self._link(cable, paragraph=paragraph) if cable is not None else None
        if link:
            self._copy(link, "paragraph link" if paragraph else "cable link")

    def action_copy_citation(self) -> None:
        from cables.export import paragraph_citation

        cable, paragraph = self.view.cable, self.view.paragraph
        if cable is None or paragraph is None:
            return
        link = None if cable.synthetic else self._link(cable, paragraph=True)
        text = paragraph_citation(
            cable, self.view.current, link, paragraph_ref(cable, self.view.current)
        )
        lines = text.count("\n")
        summary = f"{paragraph_ref(cable, self.view.current)}, {lines} lines"
        self._copy(text, "citation", summary)

    def action_articles(self) -> None:
        """The press articles the cable appears in, by outlet and date; enter copies a link."""
        from tui.screens.picker import PickerScreen

        cable = self.view.cable
        if cable is None:
            return
        if not cable.articles:
            self.notify(f"{cable.reference_id} appears in no press article", markup=False)
            return
        choices: list[tuple[str, str | Text]] = []
        for url in dict.fromkeys(cable.articles):
            outlet, date = article_source(url)
            label = Text(outlet, style="bold")
            label.append(f"  {date or 'date not given'}  ", style="dim")
            label.append(clean_line(url))
            choices.append((url, label))

        def done(url: str | None) -> None:
            if url:
                self._copy(clean_line(url), "article link")

        self.push_screen(
            PickerScreen(
                f"{cable.reference_id} appears in",
                choices,
                hint="enter copy the link · escape close",
            ),
            done,
        )

    def action_references(self) -> None:
        cable = self.view.cable
        if cable is None:
            return
        self._pick(f"{cable.reference_id} cites", cable.references)

    def action_cited_by(self) -> None:
        cable = self.view.cable
        if cable is None:
            return
        self._pick(f"Cables citing {cable.reference_id}", self.library.cited_by(cable.reference_id))

    def _pick(self, title: str, refs: list[str]) -> None:
        from tui.screens.picker import PickerScreen

        if not refs:
            self.notify(f"{title}: none", markup=False)
            return
        choices: list[tuple[str, str | Text]] = []
        unique = list(dict.fromkeys(refs))
        width = max(len(ref) for ref in unique)
        for ref in unique:
            label = Text(f"{ref:<{width}}", style="bold")
            label.append("  ")
            row = self._position(ref)
            index = self.sidebar.index
            if row is None or index is None:
                label.append(f"{'':10}  {'':3}  ")
                label.append("(not in this library)", style="dim italic")
            else:
                level = level_of(index.levels[row])
                label.append(f"{index.created[row]:10}", style="dim")
                label.append("  ")
                label.append(f"{CODE[level]:^3}", style=self.level_styles.chip(level))
                label.append("  ")
                label.append(clean_line(index.subjects[row] or "(no subject)"))
            choices.append((ref, label))

        def done(ref: str | None) -> None:
            if ref and self.open_cable(ref):
                self.view.focus()

        self.push_screen(
            PickerScreen(title, choices, hint="enter open · ↑↓ move · escape close"), done
        )

    def action_bookmark(self) -> None:
        cable = self.view.cable
        if cable is None:
            return
        paragraph = self.view.paragraph
        try:
            added = self.state.toggle_bookmark(cable, paragraph)
        except OSError as exc:
            self.notify(f"Bookmark not saved: {exc}", severity="error", markup=False)
            return
        self._show_bookmarks()
        where = cable.reference_id
        if paragraph is not None and paragraph.anchor:
            where = paragraph_ref(cable, self.view.current)
        self.notify(("Bookmarked " if added else "Bookmark removed: ") + where, markup=False)

    def _show_bookmarks(self) -> None:
        """Mark the open cable's bookmarked paragraphs in the view's gutter."""
        cable = self.view.cable
        if cable is None:
            return
        anchors = {
            b.anchor for b in self.state.bookmarks if b.ref == cable.reference_id and b.anchor
        }
        self.view.set_bookmarked(
            frozenset(i for i, p in enumerate(cable.paragraphs) if p.anchor in anchors)
        )

    def action_bookmarks(self) -> None:
        from tui.screens.bookmarks import BookmarksScreen

        def done(place: Place | None) -> None:
            self._show_bookmarks()  # some may have been deleted
            self._open_place(place)

        self.push_screen(BookmarksScreen(self.state, self._in_library), done)

    def action_history(self) -> None:
        from tui.screens.bookmarks import HistoryScreen

        self.push_screen(HistoryScreen(self.state, self._in_library), self._open_place)

    def _in_library(self, ref: str) -> bool:
        """Whether cable `ref` is in this library (not known, so not marked, before the index)."""
        return self.sidebar.index is None or self._position(ref) is not None

    def _position(self, ref: str) -> int | None:
        """Cable `ref`'s row in the sidebar index (its date, level, subject), else None.

        Looked up in the id column's block (under a ms at 251k), not in a dict of every id
        (30 MB and 0.2 s, in each `cables serve` session that lists its bookmarks)."""
        index = self.sidebar.index
        if index is None:
            return None
        try:
            return index.reference_ids.index(ref)
        except ValueError:
            return None

    def _open_place(self, place: Place | None) -> None:
        if place is not None and self.open_cable(place.ref, anchor=place.anchor):
            self.view.focus()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette lists every action of the keymap table, besides Textual's own."""
        yield from super().get_system_commands(screen)
        for action in ACTIONS:
            keys = " ".join(
                key_label(key) for key in keys_of(action.id, self.config.keymap).split(",")
            )
            yield SystemCommand(
                action.description,
                f"{keys}  ({action.id})",
                partial(self.run_action, action.name, self.target_of(action)),
            )

    def target_of(self, action: Action) -> DOMNode:
        """The one place an action's handler is resolved to the object that runs it."""
        return {Handler.VIEW: self.view, Handler.SIDEBAR: self.sidebar}.get(action.runs_on, self)


def article_source(url: str) -> tuple[str, str | None]:
    """(outlet, date) of a press article link: its host, and a date in its path if any."""
    host = clean_line(urlsplit(url).hostname or url)
    host = host.removeprefix("www.")
    found = re.search(r"/((?:19|20)\d\d)[/-](\d\d)(?:[/-](\d\d))?(?=/|$)", url)
    date = None
    if found:
        date = "-".join(part for part in found.groups() if part)
    return host, date


def view_title(
    cable: Cable | None,
    section: str | None,
    *,
    raw: bool = False,
    find: tuple[str, str] | None = None,
    width: int = 0,
) -> Text:
    """The line above the text: the open cable, that this is the raw text, the find status
    (`/data: match 2 of 5`, from the find's query and count) and the current section.

    The find status comes before the section and, in `width` cells, its query is shortened
    rather than its count: at 80 columns n/N still say which match they are on.
    """
    if cable is None:
        return Text("No cable open", style="dim")
    title = Text(cable.reference_id, style="bold")
    if raw:
        title.append("  RAW: the text as published (o returns)", style="reverse")
    if find:
        query, count = clean_line(find[0]), find[1]
        room = width - title.cell_len - len(f"  /: {count}")
        if width and len(query) > room:
            query = query[: max(0, room - 1)] + "…"
        title.append(f"  /{query}: {count}", style="italic")
    if section and not raw:
        title.append("  § " + clean_line(section))
    return title


def run_app(
    library_path: Path,
    *,
    open_ref: str | None = None,
    anchor: str | None = None,
    config: Config | None = None,
    demo: bool = False,
    preloaded: Preloaded | None = None,
    search: SearchClient | None = None,
) -> int:
    """Open the library at `library_path` and run the browser until the user quits."""
    library = Library.open(library_path)
    notice = None
    if demo:
        notice = (
            "This is a synthetic demo library: real cable ids, generated text. Import real"
            " cables with `cables import PATH` (cables.csv or cablegate pages)."
        )
    try:
        app = CablesApp(
            library,
            config,
            open_ref=open_ref,
            anchor=anchor,
            notice=notice,
            preloaded=preloaded,
            search=search,
        )
        result = app.run()
        app.record_opened()
    finally:
        library.close()
    if app.crash or app.return_code:
        print(f"cables: {app.crash or 'the browser stopped on an error'}", file=sys.stderr)
        return EXIT_FATAL
    return int(result or 0)
