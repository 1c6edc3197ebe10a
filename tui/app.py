"""The cable browser: sidebar search over every cable, the cable view, its strip and footer.

The first frame never waits for the library's index: it loads in a thread worker (the sidebar
shows progress) while the app already takes keys. Everything the user can do is an action from
`cables.keymap.ACTIONS`, bound by id so the config's keymap can remap it.
"""

from __future__ import annotations

import asyncio
import sys
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
from cables.index import CableIndex
from cables.keymap import ACTIONS
from cables.library import Library, LibraryError
from cables.model import Cable
from cables.permalinks import PermalinkRefused, Permalinks
from cables.sanitize import clean, clean_line
from cables.search_process import SearchClient, Searcher, ThreadSearch
from cables.state import State
from tui import clipboard, crash
from tui.keys import bindings, keys_of
from tui.screens.bookmarks import BookmarksScreen, HistoryScreen, Place
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
        self.history: list[list[str | int]] = []  # [reference id, paragraph index]
        self.history_at = -1
        self._search_focused = False  # ctrl+f pressed (perhaps before on_mount ran)
        self.search: Searcher
        if preloaded is not None:  # `cables serve`: one engine shared by forked sessions
            self.search = ThreadSearch(preloaded[1], limit=self.config.sidebar_limit)
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
        self.sidebar.set_index(index)
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
            self.history[self.history_at + 1 :] = [[cable.reference_id, self.view.current]]
            self.history_at = len(self.history) - 1
        if problem := self.state.record_open(cable):
            self.notify(problem, severity="warning", markup=False)
        return True

    def on_cable_list_opened(self, event: CableList.Opened) -> None:
        if self.open_cable(event.reference_id):
            self.view.focus()

    def on_cable_view_moved(self, event: CableView.Moved) -> None:
        self.query_one(CableFooter).show(event.cable, event.index)
        self.query_one(LevelStrip).show(event.cable, event.index)
        if (
            0 <= self.history_at < len(self.history)
            and event.cable is not None
            and self.history[self.history_at][0] == event.cable.reference_id
        ):
            self.history[self.history_at][1] = event.index

    async def action_back(self) -> None:
        """Back in the cable history (binding id `back`; async like the `App.action_back` it
        overrides, which pops screens: nothing here binds that)."""
        self._history_step(-1)

    def action_forward(self) -> None:
        self._history_step(1)

    def _history_step(self, step: int) -> None:
        target = self.history_at + step
        if not 0 <= target < len(self.history):
            self.notify(
                "No cable " + ("before" if step < 0 else "after") + " this one", severity="warning"
            )
            return
        self.history_at = target
        ref, index = self.history[target]
        self.open_cable(str(ref), index=int(index), record=False)

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
        self._copy(citation(cable, self.view.current, link), "citation")

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
        for ref in dict.fromkeys(refs):
            cited = self.library.get(ref)
            label = Text(ref, style="bold")
            label.append("  ")
            if cited is None:
                label.append("(not in this library)", style="dim")
            else:
                label.append(clean_line(cited.subject or ""))
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
        if place is not None and self.open_cable(place[0], anchor=place[1]):
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


def citation(cable: Cable, index: int, link: str | None) -> str:
    """The paragraph quoted in Markdown, then its source line with the permalink."""
    paragraph = cable.paragraphs[index]
    quoted = "\n".join(f"> {line}".rstrip() for line in clean(paragraph.text).strip().split("\n"))
    where = f"{cable.reference_id} {paragraph_position(cable, index).split('/')[0]}"
    source = f"[{where}]({link})" if link else f"{where} (no permalink)"
    return f"{quoted}\n>\n> — {source}\n"


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
    finally:
        library.close()
    if app.crash or app.return_code:
        print(f"cables: {app.crash or 'the browser stopped on an error'}", file=sys.stderr)
        return EXIT_FATAL
    return int(result or 0)
