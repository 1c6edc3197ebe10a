"""The fork server of `cables serve`: the index is made once, every session forks from it.

Started by the SSH or web server as `python -m tui.serve_fork LIBRARY [SOCKET]` with one end of
a SEQPACKET socket pair as standard input. It imports the browser, loads the sidebar index and
builds its search engine, freezes them out of the collector's reach, forks the one search
process every session asks (cables/serve/shared_search.py: only it reads the engine) and says
`ready`; then, for every request (a JSON message carrying a pseudo-terminal's fd, or three
pipes' fds) on that channel or from an attach client on SOCKET (cables/serve/attach.py), it
forks a child that takes them and runs the browser through `cables.browser.run_browser`, as
`cables open` does, with the index preloaded and a connection to the search process. Children
share those pages copy-on-write instead of each building its own (hundreds of MB at 251k
cables). Replies: `{"started": id, "pid": …}`, `{"exited": id, "status": …}`. When the server
goes away, the children are ended and this process (and so the search process) exits.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import gc
import json
import os
import select
import signal
import socket
import sys
import termios
import time
from pathlib import Path
from typing import Any

from cables.browser import run_browser
from cables.config import load
from cables.index import CableIndex
from cables.library import Library
from cables.search import SidebarSearch
from cables.serve.shared_search import SharedSearch, SharedSearchClient, connect
from tui import app as _browser  # noqa: F401  (imported here once, shared by every child)
from tui import crash

MAX_MESSAGE = 1 << 16
GC_THRESHOLDS = (20_000, 10, 10)  # Python's are (700, 10, 10)


def _send(channel: socket.socket, message: dict[str, Any]) -> None:
    channel.sendall(json.dumps(message).encode())


def _receive(channel: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """One request and the fds it carries; (None, []) when the server has gone."""
    fds = array.array("i")
    data, ancillary, _flags, _addr = channel.recvmsg(
        MAX_MESSAGE, socket.CMSG_SPACE(4 * fds.itemsize)
    )
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    if not data:
        return None, list(fds)
    return json.loads(data), list(fds)


def _child(
    fds: list[int],
    request: dict[str, Any],
    preloaded: tuple[CableIndex, SidebarSearch],
    search: socket.socket | None,
) -> None:
    """In the forked child: take the terminal (or the three pipes), become the reader's browser,
    never return."""
    status = 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        os.setsid()
        if len(fds) == 1:  # a pseudo-terminal: it becomes this session's controlling terminal
            fcntl.ioctl(fds[0], termios.TIOCSCTTY, 0)
            fds = fds * 3
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        config = load(Path(request["config"]))
        client = None if search is None else SharedSearchClient(search, limit=config.sidebar_limit)
        library = Path(request["library"])
        status = run_browser(library, config=config, preloaded=preloaded, search=client)
    except Exception as exc:  # one line for the reader on their terminal, no traceback
        print(f"cables: {crash.record(exc)}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


class _Forks:
    """The requests' sockets, the children and who to tell when each ends."""

    def __init__(
        self, channel: socket.socket, listener: socket.socket | None, search: socket.socket
    ) -> None:
        self.channel = channel
        self.listener = listener
        self.search = search  # to the shared search process: each session's connection
        self.clients: dict[int, socket.socket] = {}  # fd -> an attach client's connection
        self.children: dict[int, tuple[socket.socket, int]] = {}  # pid -> (reply to, id)
        self.wake_read, wake_write = os.pipe()
        self.wake_write = wake_write
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def sockets(self) -> list[int]:
        listening = [self.listener.fileno()] if self.listener else []
        return [self.channel.fileno(), self.wake_read, *listening, *self.clients]

    def run(self, preloaded: tuple[CableIndex, SidebarSearch]) -> int:
        while True:
            ready, _, _ = select.select(self.sockets(), [], [])
            for fd in ready:
                if fd == self.wake_read:
                    os.read(self.wake_read, 4096)
                    self.reap()
                elif self.listener is not None and fd == self.listener.fileno():
                    client, _ = self.listener.accept()
                    self.clients[client.fileno()] = client
                elif fd == self.channel.fileno():
                    request, fds = _receive(self.channel)
                    if request is None:
                        return 0
                    self.fork(self.channel, request, fds, preloaded)
                elif fd in self.clients:
                    client = self.clients[fd]
                    request, fds = _receive(client)
                    if request is None:  # the attach client went: so does its browser
                        self.forget(client)
                    else:
                        self.fork(client, request, fds, preloaded)

    def fork(
        self,
        reply: socket.socket,
        request: dict[str, Any],
        fds: list[int],
        preloaded: tuple[CableIndex, SidebarSearch],
    ) -> None:
        if len(fds) not in (1, 3):
            for fd in fds:
                os.close(fd)
            _send(reply, {"exited": request.get("id"), "status": 1})
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            search: socket.socket | None = connect(self.search)
        except OSError:  # the search process is gone: this session searches for itself
            search = None
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            for fd in [*self.sockets(), self.search.fileno(), self.wake_write]:
                with contextlib.suppress(OSError):
                    os.close(fd)
            _child(fds, request, preloaded, search)
        if search is not None:
            search.close()
        for fd in fds:
            os.close(fd)
        self.children[pid] = (reply, request["id"])
        _send(reply, {"started": request["id"], "pid": pid})

    def forget(self, client: socket.socket) -> None:
        for pid, (reply, _) in self.children.items():
            if reply is client:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGTERM)
        del self.clients[client.fileno()]
        client.close()

    def reap(self) -> None:
        while self.children:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                reply, number = self.children.pop(pid)
                with contextlib.suppress(OSError):
                    _send(
                        reply, {"exited": number, "status": os.waitstatus_to_exitcode(wait_status)}
                    )

    def end(self) -> None:
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)


def _start_search(channel: socket.socket, engine: SidebarSearch, library: Path) -> socket.socket:
    """Fork the one search process every session asks (cables/serve/shared_search.py): only
    it reads the engine's pages, so they stay shared. It ends when this process does."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            channel.close()
            ours.close()
            with Library.open(library) as opened:
                status = SharedSearch(engine, opened, theirs).run()
        finally:
            os._exit(status)
    theirs.close()
    return ours


def serve(channel: socket.socket, library_path: Path, listen: Path | None) -> int:
    """Load once, then fork one browser per request until the server closes the channel."""
    started = time.monotonic()
    with Library.open(library_path) as library:
        index = library.load_index()
        engine = SidebarSearch(index)
    engine.complete()  # built before the freeze, not in the search process on first need
    gc.collect()
    gc.freeze()  # shared pages stay shared: the collector never writes to these objects
    # The search process and every session inherit this. A search's answers hold lists of up
    # to 251k rows that each collection of their generation walks, and a full one walks every
    # cached answer (tens of ms, several times a query at Python's 700): collect less often.
    gc.set_threshold(*GC_THRESHOLDS)
    search = _start_search(channel, engine, library_path)
    seconds = time.monotonic() - started
    listener = None
    if listen is not None:  # attach clients (`cables serve web`'s apps) connect here
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(str(listen))
        listener.listen(64)
    forks = _Forks(channel, listener, search)
    _send(channel, {"ready": len(index), "seconds": round(seconds, 1)})
    try:
        return forks.run((index, engine))
    finally:
        forks.end()


def main() -> int:
    channel = socket.socket(fileno=os.dup(0))
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)  # fd 0 again, never the channel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when this ends
    listen = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    try:
        return serve(channel, Path(sys.argv[1]), listen)
    except Exception as exc:
        print(f"cables serve: the fork server stopped: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
