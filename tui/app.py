"""The cable browser: sidebar search over every cable, the cable view, its strip and footer.

The first frame never waits for the library's index: it loads in a thread worker (the sidebar
shows progress) while the app already takes keys. Everything the user can do is an action from
`cables.keymap.ACTIONS`, bound by id so the config's keymap can remap it.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import deque
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from cables.config import Config
from cables.exits import EXIT_FATAL
from cables.export import paragraph_citation
from cables.history import History, Place
from cables.index import CableIndex
from cables.keymap import ACTIONS
from cables.library import Library, LibraryError
from cables.model import Cable
from cables.permalinks import PermalinkRefused, Permalinks
from cables.sanitize import clean_line
from cables.search_process import SearchClient, Searcher, ThreadSearch
from cables.state import State
from tui import clipboard, crash
from tui.keys import bindings, keys_of
from tui.screens.bookmarks import BookmarksScreen, HistoryScreen
from tui.screens.help import HelpScreen, LegendScreen
from tui.screens.picker import PickerScreen
from tui.widgets.cable_view import APP_ACTIONS, CableView
from tui.widgets.footer import CableFooter, paragraph_position
from tui.widgets.level_strip import LevelStrip
from tui.widgets.levels import LevelStyles
from tui.widgets.sidebar import CableList, Sidebar

if TYPE_CHECKING:
    from cables.search import SidebarSearch

    # The index and its search engine, made before the app (shared by forked sessions).
    Preloaded = tuple[CableIndex, SidebarSearch]


class CablesApp(App[int]):
    """Browse a cable library: search the sidebar, read cables paragraph by paragraph."""

    CSS_PATH = Path(__file__).with_name("cables.tcss")  # absolute: subclasses live elsewhere
    TITLE = "cables"
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

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
    ) -> None:
        super().__init__()
        self.library = library
        self.preloaded = preloaded
        self.config = config or Config()
        self.links = Permalinks(self.config.cable_permalink, self.config.paragraph_permalink)
        self.level_styles = LevelStyles(self.config.level_colors)
        self.open_ref = open_ref
        self.open_anchor = anchor
        self.notice = notice
        self.state = state if state is not None else State.load()
        self.history = History()
        # Cables opened but not yet in the state file: written in order by `_save_opened`.
        self._opened: deque[Cable] = deque()
        self._saving = threading.Lock()
        self._search_focused = False  # ctrl+f pressed (perhaps before on_mount ran)
        self.search: Searcher
        if preloaded is not None:  # `cables serve`: one engine shared by forked sessions
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
                with Horizontal(id="reading"):
                    yield CableView(self.level_styles, id="cable-view")
                    yield LevelStrip(self.level_styles, id="level-strip")
                yield CableFooter(id="cable-footer")
        yield Footer()

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def view(self) -> CableView:
        return self.query_one(CableView)

    def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.set_keymap(self.config.keymap)
        if not self._search_focused:  # a ctrl+f typed as the first frame showed keeps its box
            self.screen.set_focus(self.view)
        if self.notice:
            self.notify(self.notice, title="Demo library", markup=False, timeout=15)
        if self.state.warning:
            self.notify(self.state.warning, title="Bookmarks", severity="warning", markup=False)
        # The search process starts first: it loads and prepares on the other core meanwhile.
        self.search.start()
        self.search.attach(asyncio.get_running_loop(), self.sidebar.on_search_event)
        self.sidebar.set_search(self.search)
        if self.open_ref:
            self.open_cable(self.open_ref, anchor=self.open_anchor)
        elif self.state.history:  # where the user left off, in the first frame
            self.open_cable(self.state.history[0].ref, record=False)
        self.load_index()

    def on_unmount(self) -> None:
        self.search.close()

    @work(thread=True, exclusive=True, group="index")
    def load_index(self) -> None:
        """Load the sidebar index off the UI thread (one read: SQLite releases the GIL)."""
        if self.preloaded is not None:  # built once by `cables serve` for every session
            self.call_from_thread(self._index_loaded, self.preloaded[0])
            return
        index = self.library.load_index()
        self.call_from_thread(self._index_loaded, index)

    def _index_loaded(self, index: CableIndex) -> None:
        self.sidebar.set_index(index, self.library)
        if self.view.cable is None and len(index):
            self.open_cable(index.reference_ids[0])

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
        if anchor is not None:
            found = self.view.index_of_anchor(anchor)
            if found is None:
                self.notify(f"{ref} has no paragraph #{anchor}", severity="warning", markup=False)
            else:
                self.view.move_to(found)
        if record:
            self.history.visit(Place(cable.reference_id, index=self.view.current))
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
                self.view.find_words(event.words)
            self.view.focus()

    # -- full-text search (the sidebar's text mode) --------------------------------------

    def action_toggle_text_search(self) -> None:
        self.action_focus_search()
        self.sidebar.toggle_mode()

    def on_cable_view_past_last_match(self, event: CableView.PastLastMatch) -> None:
        """n/N past the last match of a text hit: on to the next listed cable."""
        if not self.sidebar.next_hit(event.direction):
            self.notify("No more text matches in the list", severity="warning")

    def on_cable_view_moved(self, event: CableView.Moved) -> None:
        self.query_one(CableFooter).show(event.cable, event.index)
        self.query_one(LevelStrip).show(event.cable, event.index)
        if event.cable is not None:
            self.history.moved(event.cable.reference_id, event.index)

    async def action_back(self) -> None:
        """Back in the cable history (binding id `back`; async like the `App.action_back` it
        overrides, which pops screens: nothing here binds that)."""
        self._history_step(-1)

    def action_forward(self) -> None:
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
        self.sidebar.display = True
        # at once, not on a later turn of the loop (`focus()`): keys typed right after ctrl+f,
        # already queued, must land in the box
        self.screen.set_focus(self.sidebar.query_one(Input))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(dict(self.config.keymap)))

    def action_legend(self) -> None:
        self.push_screen(LegendScreen(self.level_styles))

    async def action_quit(self) -> None:
        self.exit(0)

    def _copy(self, text: str, what: str) -> None:
        clipboard.copy(self, text, self.config.clipboard, what=what)

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
        cable, paragraph = self.view.cable, self.view.paragraph
        if cable is None or paragraph is None:
            return
        link = self._link(cable, paragraph=True)
        self._copy(paragraph_citation(cable, self.view.current, link), "citation")

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
        if not refs:
            self.notify(f"{title}: none", markup=False)
            return
        choices: list[tuple[str, str | Text]] = []
        subjects = self.library.subjects(refs)
        for ref in dict.fromkeys(refs):
            label = Text(ref, style="bold")
            label.append("  ")
            if ref not in subjects:
                label.append("(not in this library)", style="dim")
            else:
                label.append(clean_line(subjects[ref]))
            choices.append((ref, label))

        def done(ref: str | None) -> None:
            if ref and self.open_cable(ref):
                self.view.focus()

        self.push_screen(PickerScreen(title, choices), done)

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
        where = cable.reference_id
        if paragraph is not None:
            where += " " + paragraph_position(cable, self.view.current).split("/")[0]
        self.notify(("Bookmarked " if added else "Bookmark removed: ") + where, markup=False)

    def action_bookmarks(self) -> None:
        self.push_screen(BookmarksScreen(self.state), self._open_place)

    def action_history(self) -> None:
        self.push_screen(HistoryScreen(self.state), self._open_place)

    def _open_place(self, place: Place | None) -> None:
        if place is not None and self.open_cable(place.ref, anchor=place.anchor):
            self.view.focus()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette lists every action of the keymap table, besides Textual's own."""
        yield from super().get_system_commands(screen)
        for action in ACTIONS:
            target = {"cable": self.view, "sidebar": self.sidebar}.get(action.scope, self)
            if action.id in APP_ACTIONS:
                target = self
            keys = keys_of(action.id, self.config.keymap)
            yield SystemCommand(
                action.description,
                f"{action.id}: {keys}",
                partial(self.run_action, action.id, target),
            )


def run_app(
    library_path: Path,
    *,
    open_ref: str | None = None,
    anchor: str | None = None,
    config: Config | None = None,
    demo: bool = False,
    preloaded: Preloaded | None = None,
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
            library, config, open_ref=open_ref, anchor=anchor, notice=notice, preloaded=preloaded
        )
        result = app.run()
        app.record_opened()
    finally:
        library.close()
    if app.crash or app.return_code:
        print(f"cables: {app.crash or 'the browser stopped on an error'}", file=sys.stderr)
        return EXIT_FATAL
    return int(result or 0)
