"""One search process for every `cables serve` session: the engine's pages are read in one place.

The engine keeps Python objects per cable (keys, ids, row numbers); reading one writes its
reference count, so a session that searched the fork server's engine itself copied most of its
pages (90-120 MB each at 251k cables). Instead the fork server forks this process once, and
hands it one end of a socket pair for every session it forks (`SharedSearch.add`); the session
keeps the other end as its `SharedSearchClient`, which speaks the search process's messages
(cables/search_process.py). Each session's newest query wins (a newer one cancels it), sessions
are served in turn, and the full-text hint for a query matching nothing is counted only once
nothing else waits and that session typed nothing newer for `HINT_AFTER` (and put off again if
a key comes meanwhile).
"""

from __future__ import annotations

import array
import contextlib
import select
import socket
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cables.library import Library
from cables.query import parse
from cables.search_process import (
    COUNT_CAP,
    HINT_AFTER,
    Answer,
    Event,
    SearchClient,
    answer,
    ready_message,
)


class SharedSearch:
    """The search process's loop: sessions' connections arrive on `control` (SCM_RIGHTS)."""

    def __init__(self, engine: Any, library: Library, control: socket.socket) -> None:
        self.engine, self.library, self.control = engine, library, control
        self.sessions: dict[int, Connection] = {}
        self.wanted: dict[int, tuple[int, str, int, int]] = {}  # fd -> the newest query
        self.previous: dict[int, Any] = {}  # fd -> its last answer, to narrow from
        self.hints: dict[int, tuple[float, int, str, Any]] = {}  # fd -> (due, seq, query, found)

    def run(self) -> int:
        """Until the fork server goes (its end of `control` closes)."""
        while True:
            timeout = 0.0 if self.wanted else self._next_hint()
            control = self.control.fileno()
            ready, _, _ = select.select([control, *self.sessions], [], [], timeout)
            for fd in ready:
                if fd == control:
                    if not self._accept():
                        return 0
                else:
                    self._read(fd)
            try:
                if self.wanted:
                    fd = next(iter(self.wanted))  # the longest waiting first: in turn
                    self._search(fd, *self.wanted.pop(fd))
                else:
                    self._hint()
            except Exception:  # one query's failure is not every reader's
                continue

    def _accept(self) -> bool:
        fds = array.array("i")
        data, ancillary, _flags, _addr = self.control.recvmsg(16, socket.CMSG_SPACE(fds.itemsize))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
        if not data:
            return False
        for fd in fds:
            conn = Connection(fd)
            self.sessions[fd] = conn
            self._send(fd, ready_message(self.engine))
        return True

    def _read(self, fd: int) -> None:
        conn = self.sessions.get(fd)
        if conn is None:  # dropped earlier in this round
            return
        try:
            while conn.poll():
                _kind, seq, query, limit, base = conn.recv()
                self.wanted[fd] = (seq, query, limit, base)
                self.hints.pop(fd, None)
        except (EOFError, OSError):
            self._drop(fd)

    def _search(self, fd: int, seq: int, query: str, limit: int, base: int) -> None:
        conn = self.sessions.get(fd)
        if conn is None:
            return
        for event in answer(
            self.engine,
            self.library,
            seq,
            query,
            limit=limit,
            previous=self.previous.get(fd),
            cancelled=conn.poll,
            quiet=_not_now,  # counted later, when nothing else waits (`_hint`)
            picture=limit <= base,
        ):
            if isinstance(event, tuple):
                self.previous[fd] = event[1]
            elif isinstance(event, Answer):
                self._send(fd, ("answer", event.seq, event.query, event.matches, event.hint))
                if event.matches.total == 0 and not parse(query).empty:
                    self.hints[fd] = (time.monotonic() + HINT_AFTER, seq, query, event.matches)
            else:
                self._send(fd, ("pictured", event.seq, event.by_level, event.by_month))

    def _next_hint(self) -> float | None:
        if not self.hints:
            return None
        return max(0.0, min(due for due, *_ in self.hints.values()) - time.monotonic())

    def _hint(self) -> None:
        """The full-text count for a query matching no title, once its session is quiet."""
        now = time.monotonic()
        for fd, (due, seq, query, matches) in list(self.hints.items()):
            conn = self.sessions.get(fd)
            if due > now or conn is None:
                continue
            del self.hints[fd]
            counted = self.library.text_search(
                parse(query), limit=0, count_cap=COUNT_CAP, cancelled=self._anyone_waiting
            )
            if not counted.cancelled:
                self._send(fd, ("answer", seq, query, matches, counted.total))
            else:  # counted again once the queries are answered (unless this one is stale)
                self.hints[fd] = (now, seq, query, matches)
            return  # one at a time: a session's newer key may be waiting

    def _anyone_waiting(self) -> bool:
        """A count can take a second: any session's key (or a new session) comes first."""
        ready, _, _ = select.select([self.control.fileno(), *self.sessions], [], [], 0)
        return bool(ready)

    def _send(self, fd: int, message: tuple[Any, ...]) -> None:
        try:
            self.sessions[fd].send(message)
        except (OSError, KeyError):
            self._drop(fd)

    def _drop(self, fd: int) -> None:
        conn = self.sessions.pop(fd, None)
        self.wanted.pop(fd, None)
        self.previous.pop(fd, None)
        self.hints.pop(fd, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()


def _not_now(_seconds: float) -> bool:
    return False


def connect(control: socket.socket) -> socket.socket:
    """A new session's end of its connection to the search process (the other end sent)."""
    ours, theirs = socket.socketpair()
    with theirs:
        fds = array.array("i", [theirs.fileno()])
        control.sendmsg([b"+"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    return ours


class SharedSearchClient(SearchClient):
    """A session's side: the search process's client, on a connection made by the fork server
    (nothing to spawn, nothing to restart: the shared engine is the fork server's)."""

    def __init__(self, connection: socket.socket, *, limit: int) -> None:
        super().__init__(Path(), limit=limit)
        self._conn = Connection(connection.detach())

    def start(self) -> None:
        """Connected from the start."""

    def restart(self) -> None:
        """The shared engine does not reload: it is the one the sessions' index came with."""

    def _send(self, seq: int, query: str, limit: int) -> None:
        assert self._conn is not None
        with contextlib.suppress(OSError):
            self._conn.send(("search", seq, query, limit, self.limit))

    def _child_died(self) -> list[Event]:
        return [self._give_up("the shared search process stopped")]
