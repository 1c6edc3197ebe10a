"""The sidebar's search engine in a process of its own: matching never holds the UI's GIL.

A child process (`python -m cables.search_process`: a fresh interpreter, none of the UI's memory,
talking over a socket pair; not multiprocessing, whose helpers trip over a TUI's replaced
standard streams) opens the library, loads the prepared engine from the cache
(`cables.engine_cache`) or builds `SidebarSearch` from the index (and caches it once idle),
then answers queries sent over a pipe. The newest query wins: one arriving while another runs
cancels it (the engine polls the pipe between chunks of rows), and queries queued while the
engine was being prepared are answered once it is ready, newest only. Every answer carries its
query's sequence number so the caller keeps only the latest. If the child dies, the client
starts another and sends the latest query again; after an import it is told to reload and
executes itself anew in place (`SearchClient.restart`); closing the client, or the parent
exiting (the pipe closes), ends the child.

The client never blocks: `submit` writes a few bytes, and `receive` reads only what is waiting,
so the UI can call both from its event loop (`attach` registers the pipe with asyncio).
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import subprocess
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cables import engine_cache

if TYPE_CHECKING:  # (asyncio: 11 MB and 40 ms of the child's start, for annotations)
    import asyncio

    from cables.index import CableIndex
    from cables.library import Library
    from cables.search import Matches

COUNT_CAP = 5000  # full-text matches counted at most for the "nothing found: try ctrl+t" hint
HINT_AFTER = 0.3  # seconds without a newer query before that hint is counted
PICTURE_FIRST = 25_000  # matches at most whose picture (~1 ms) is sent with the answer
IDLE_BEFORE_SAVING = 0.5  # seconds without a query before a newly built engine is cached
MAX_RESTARTS = 3  # children lost within RESTART_WINDOW before the client gives up
RESTART_WINDOW = 60.0


@dataclass(frozen=True, slots=True)
class Ready:
    """The child has built its engine over `size` cables; the picture of every cable (counts
    by level and by month: the sidebar's for no query); the library's generation its engine
    was made at (its answers number rows of that generation's index; None: not known)."""

    size: int
    by_level: dict[str, int]
    by_month: dict[str, int]
    generation: int | None = None


@dataclass(frozen=True, slots=True)
class Indexed:
    """The child has the sidebar index of this generation of the library (and has kept it in
    the cache directory); its engine follows (`Ready`)."""

    generation: int


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's answer to query number `seq` (rows as a compact array, no candidates);
    `hint`: where no title matches, how many cables the full text finds (up to COUNT_CAP),
    sent as a second answer to the same query once typing pauses."""

    seq: int
    query: str
    matches: Matches
    hint: int | None = None


@dataclass(frozen=True, slots=True)
class Pictured:
    """What the picture above the list shows for query number `seq`: counts by level and
    by month of every match (sent after the answer, as it reads every match)."""

    seq: int
    by_level: dict[str, int]
    by_month: dict[str, int]


@dataclass(frozen=True, slots=True)
class Failed:
    """The child could not start or died for good; `message` says why, in one line."""

    message: str


Event = Indexed | Ready | Answer | Pictured | Failed


class SearchClient:
    """Talks to one search child; call from one thread (the UI's event loop)."""

    def __init__(self, library_path: Path, *, limit: int = 500) -> None:
        self.library_path = library_path
        self.limit = limit
        self.ready = False
        self.size = 0
        self.generation: int | None = None  # the child's, once ready
        self.failed: str | None = None
        self._seq = 0
        self._latest: tuple[int, str, int] | None = None  # the newest query, resent after a restart
        self._reloading = False  # told to reload, and not yet heard it reloading
        self._conn: Connection | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._deaths: list[float] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_event: Callable[[Event], None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the child; it begins loading the index at once."""
        ours, theirs = socket.socketpair()
        with ours, theirs:
            fd = theirs.fileno()
            command = [sys.executable, "-m", "cables.search_process", str(fd)]
            process = subprocess.Popen(
                [*command, str(self.library_path), str(self.limit)],
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            parent = Connection(ours.detach())
        # theirs is closed here, so the child's death reads as EOF on ours
        self._conn, self._process = parent, process
        self.ready, self.generation, self._reloading = False, None, False
        if self._latest is not None:
            self._send(*self._latest)
        if self._loop is not None:
            self._loop.add_reader(parent.fileno(), self._readable)

    def close(self) -> None:
        """End the child (were the app killed instead, the child reads EOF and exits)."""
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            if self._loop is not None:
                self._loop.remove_reader(conn.fileno())
            conn.close()  # the child reads EOF and exits
        if process is not None:
            _end(process)

    def restart(self) -> None:
        """The child again, on the library as it is now (cables were imported since it loaded):
        told to, it executes itself anew in place, so this costs the caller, the UI thread, one
        message (spawning a process from it stalled a frame by 3-14 ms on every batch an
        import committed). The newest query is sent to it again; what the old image sends
        before it reads the message is dropped (`receive`)."""
        if self._conn is None:
            self.start()
            return
        with contextlib.suppress(OSError):  # (gone: `receive` sees EOF and starts another)
            self._conn.send(("reload",))
        self._reloading = True
        self.ready, self.generation = False, None
        if self._latest is not None:
            self._send(*self._latest)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    # -- queries ---------------------------------------------------------------------------

    def submit(self, query: str, limit: int | None = None) -> int:
        """Ask for the best `limit` (default: the client's) matches of `query`; the answer
        arrives as an `Answer` with the returned number. A larger limit for the same query is
        the list's next page: ranked from the matches already found, with no new picture."""
        self._seq += 1
        self._latest = (self._seq, query, limit or self.limit)
        if self._conn is not None:
            self._send(*self._latest)
        return self._seq

    @property
    def latest(self) -> int:
        """The number of the newest query: answers to older ones are stale."""
        return self._seq

    def _send(self, seq: int, query: str, limit: int) -> None:
        assert self._conn is not None
        # (if the child is gone, `receive` sees EOF, restarts it and resends)
        with contextlib.suppress(OSError):
            self._conn.send(("search", seq, query, limit))

    def receive(self) -> list[Event]:
        """Every event waiting (never blocks); a dead child is restarted here."""
        events: list[Event] = []
        conn = self._conn
        while conn is not None and conn is self._conn:
            try:
                if not conn.poll():
                    break
                message = conn.recv()
            except (EOFError, OSError):
                events += self._child_died()
                break
            kind = message[0]
            if self._reloading:  # the old image's (an answer of the old library's rows)
                self._reloading = kind != "reloading"
            elif kind == "ready":
                ready = Ready(*message[1:])
                self.ready, self.size, self.generation = True, ready.size, ready.generation
                events.append(ready)
            elif kind == "indexed":
                events.append(Indexed(message[1]))
            elif kind == "answer":
                events.append(Answer(*message[1:]))
            elif kind == "pictured":
                events.append(Pictured(*message[1:]))
            elif kind == "failed":
                events.append(self._give_up(message[1]))
        return events

    def wait(self, timeout: float = 30.0) -> list[Event]:
        """Block until at least one event (for scripts and tests, never the UI)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.receive()
            conn = self._conn
            if events or conn is None:
                return events
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            conn.poll(min(left, 0.5))

    def attach(self, loop: asyncio.AbstractEventLoop, on_event: Callable[[Event], None]) -> None:
        """Deliver events to `on_event` from `loop` as they arrive (no thread)."""
        self._loop, self._on_event = loop, on_event
        if self._conn is not None:
            loop.add_reader(self._conn.fileno(), self._readable)

    def _readable(self) -> None:
        for event in self.receive():
            if self._on_event is not None:
                self._on_event(event)

    def _child_died(self) -> list[Event]:
        process = self._process
        code = None if process is None else process.poll()
        self.close()
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < RESTART_WINDOW] + [now]
        if len(self._deaths) > MAX_RESTARTS:
            return [self._give_up(f"the search process keeps stopping (exit status {code})")]
        self.start()
        return []

    def _give_up(self, message: str) -> Failed:
        self.failed = message
        self.close()
        return Failed(message)


class ThreadSearch:
    """The same interface over an engine already in this process (`cables serve` preloads one
    and forks a session per reader, sharing it): searched in one thread, newest query wins."""

    def __init__(self, engine: Any, library: Library | None, *, limit: int = 500) -> None:
        self.engine, self.library, self.limit = engine, library, limit
        self.ready, self.size, self.failed = True, len(engine), None
        self.generation: int | None = None  # (preloaded: the app's index is the engine's)
        self.pid: int | None = None
        self._seq = 0
        self._wanted: tuple[int, str, int] | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_event: Callable[[Event], None] | None = None
        self._thread = threading.Thread(target=self._run, name="sidebar-search", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def attach(self, loop: asyncio.AbstractEventLoop, on_event: Callable[[Event], None]) -> None:
        self._loop, self._on_event = loop, on_event
        loop.call_soon(on_event, Ready(*ready_message(self.engine)[1:]))

    @property
    def latest(self) -> int:
        return self._seq

    def submit(self, query: str, limit: int | None = None) -> int:
        with self._wake:
            self._seq += 1
            self._wanted = (self._seq, query, limit or self.limit)
            self._wake.notify()
        return self._seq

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _run(self) -> None:
        previous: Matches | None = None
        while True:
            with self._wake:
                while self._wanted is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                assert self._wanted is not None
                (seq, query, limit), self._wanted = self._wanted, None
            loop, on_event = self._loop, self._on_event
            if loop is None or on_event is None:
                continue

            def cancelled(seq: int = seq) -> bool:
                return seq != self._seq

            def quiet(seconds: float, seq: int = seq) -> bool:
                with self._wake:
                    self._wake.wait_for(lambda: seq != self._seq or self._closed, seconds)
                    return seq == self._seq and not self._closed

            for message in answer(
                self.engine,
                self.library,
                seq,
                query,
                limit=limit,
                previous=previous,
                cancelled=cancelled,
                quiet=quiet,
                picture=limit <= self.limit,
            ):
                if isinstance(message, tuple):
                    previous = message[1]
                else:
                    loop.call_soon_threadsafe(on_event, message)


Searcher = SearchClient | ThreadSearch


# -- the child -----------------------------------------------------------------------------


def serve(conn: Connection, library_path: str, limit: int) -> None:
    """The child's whole life: get the engine, then answer the newest query until EOF."""
    path = Path(library_path)
    try:
        from cables.library import Library

        library = Library.open(path)  # (also for `cites:`/`refs:` and the full-text hint)
        # the index, mapped from the kept file when current, else read and kept: the browser
        # lists it at once (mapping the same file), while the engine is made
        generation, index = library.current_index()
        if not _send(conn, ("indexed", generation)):
            return
        engine, unsaved = _engine(path, generation, index)
        del index
    except Exception as exc:  # one line to the UI, not a traceback on its screen
        _send(conn, ("failed", f"search could not start: {exc}"))
        return
    if not _send(conn, ready_message(engine, generation)):
        return
    previous: Matches | None = None
    while True:
        try:
            if unsaved is not None and not conn.poll(IDLE_BEFORE_SAVING):
                engine_cache.save(path, unsaved, engine)  # for the next start, once idle
                unsaved = None
                _give_back_freed_memory()  # (the pickle's 70 MB)
            message = conn.recv()
            while message[0] != "reload" and conn.poll():  # only the newest query counts
                message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "reload":
            _reload(conn)
            return  # (it could not: the client sees EOF and starts another child)
        _kind, seq, query, wanted = message
        for event in answer(
            engine,
            library,
            seq,
            query,
            limit=wanted,
            previous=previous,
            cancelled=conn.poll,
            quiet=lambda seconds: not conn.poll(seconds),
            picture=wanted <= limit,
        ):
            if isinstance(event, tuple):
                previous = event[1]
                continue
            if isinstance(event, Answer):
                message = ("answer", event.seq, event.query, event.matches, event.hint)
            else:
                message = ("pictured", event.seq, event.by_level, event.by_month)
            if not _send(conn, message):
                return


def answer(
    engine: Any,
    library: Library | None,
    seq: int,
    text: str,
    *,
    limit: int,
    previous: Matches | None,
    cancelled: Callable[[], bool],
    quiet: Callable[[float], bool],
    picture: bool = True,
) -> Iterator[Answer | Pictured | tuple[str, Matches]]:
    """Everything the sidebar shows for a titles query, in the order it is shown: the answer,
    then ("previous", matches) for the next search to narrow from, then (if `picture`: not for
    a further page of the same query) the picture of every match; where no title matches, the
    answer again with the full-text hint, counted only if `quiet(HINT_AFTER)` (no newer query
    came meanwhile): a prefix count can take a second that a newer key cannot interrupt, and a
    word still being typed needs no hint. Stops where `cancelled()`."""
    from cables.query import parse

    query = parse(text)
    if query.errors:
        return  # the sidebar names them under the box; nothing to search
    linked = library.linked_ids(query) if library is not None else None
    found = engine.search(query, limit=limit, previous=previous, cancelled=cancelled, linked=linked)
    if found is None:
        return
    # A picture quick to make (few matches, or every cable's, which the engine keeps) is made
    # first and sent right behind the answer: the UI reads both at once and draws one frame.
    quick = picture and (len(found.candidates) <= PICTURE_FIRST or query.empty)
    summary = engine.summary(found.candidates, cancelled) if quick else None
    if quick and summary is None:
        return  # cancelled: a newer query waits
    yield Answer(seq, text, _portable(found))
    if found.terms:
        yield ("previous", found)
    if not picture or cancelled():
        return
    summary = summary or engine.summary(found.candidates, cancelled)
    if summary is None:
        return
    yield Pictured(seq, summary.by_level, summary.by_month)
    if found.total or query.empty or library is None or not quiet(HINT_AFTER):
        return
    counted = library.text_search(query, limit=0, count_cap=COUNT_CAP, cancelled=cancelled)
    if not counted.cancelled:
        yield Answer(seq, text, _portable(found), counted.total)


def ready_message(
    engine: Any, generation: int | None = None
) -> tuple[str, int, dict[str, int], dict[str, int], int | None]:
    """What says the engine is ready: its size, the picture of every cable (which the
    engine keeps, made by `complete()`) and the generation it was made at."""
    whole = engine.summary(range(len(engine)))
    return ("ready", len(engine), whole.by_level, whole.by_month, generation)


def _engine(library_path: Path, generation: int, index: CableIndex) -> tuple[Any, int | None]:
    """The engine of this generation's index, from the cache or built; and the generation to
    cache it under if built."""
    from cables.search import SidebarSearch

    engine = engine_cache.load(library_path, generation, SidebarSearch)
    unsaved = None
    if engine is None:
        engine, unsaved = SidebarSearch(index), generation
        engine.complete()  # what it builds on need, made once and cached with it
        _give_back_freed_memory()
    gc.freeze()  # millions of long-lived objects: no full collection walks them mid-search
    return engine, unsaved


def _end(process: subprocess.Popen[bytes]) -> None:
    """Wait a second for a child told to go (its socket closed), then kill it."""
    try:
        process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _give_back_freed_memory() -> None:
    """Return what building (or pickling) the engine freed to the system: glibc keeps the freed
    pages of its heap otherwise (36 MB after building at 251k); nothing where the C library has
    no `malloc_trim`."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _portable(found: Matches) -> Matches:
    """The answer without what only the engine needs (its candidates, itself, the answer it
    falls back on: that one holds the engine, which would be pickled whole, 100 MB)."""
    rows = found.rows if isinstance(found.rows, range) else array("i", found.rows)
    return replace(found, rows=rows, candidates=(), engine=None, fallback=None)


def _reload(conn: Connection) -> None:
    """Become a new child on the library as it is now: the same process and socket (what the
    client sends from now on is read by the new image), a fresh interpreter (the old engine's
    memory goes with the old image)."""
    if not _send(conn, ("reloading",)):
        return
    os.set_inheritable(conn.fileno(), True)
    with contextlib.suppress(OSError):
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def _send(conn: Connection, message: tuple[Any, ...]) -> bool:
    try:
        conn.send(message)
    except (BrokenPipeError, OSError):
        return False
    return True


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]))
