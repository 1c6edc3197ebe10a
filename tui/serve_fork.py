"""The fork server of `cables serve ssh`: the index is made once, every session forks from it.

Started by the SSH server as `python -m tui.serve_fork LIBRARY` with one end of a SEQPACKET
socket pair as standard input. It imports the browser, loads the sidebar index and builds its
search engine, freezes them out of the collector's reach and says `ready`; then, for every
request (a JSON message carrying a pseudo-terminal's fd), it forks a child that takes that
terminal and runs the browser through `cables.browser.run_browser`, as `cables open` does, with
the index preloaded. Children share those pages copy-on-write instead of each building its own
(hundreds of MB at 251k cables). Replies: `{"started": id, "pid": …}`, `{"exited": id,
"status": …}`. When the SSH server goes away, the children are ended and this process exits.
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
from tui import app as _browser  # noqa: F401  (imported here once, shared by every child)
from tui import crash

MAX_MESSAGE = 1 << 16


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
    terminal: int, request: dict[str, Any], preloaded: tuple[CableIndex, SidebarSearch]
) -> None:
    """In the forked child: take the terminal, become the reader's browser, never return."""
    status = 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        os.setsid()
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(terminal, fd)
        os.close(terminal)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        config = load(Path(request["config"]))
        status = run_browser(Path(request["library"]), config=config, preloaded=preloaded)
    except Exception as exc:  # one line for the reader on their terminal, no traceback
        print(f"cables: {crash.record(exc)}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def serve(channel: socket.socket, library_path: Path) -> int:
    """Load once, then fork one browser per request until the server closes the channel."""
    started = time.monotonic()
    with Library.open(library_path) as library:
        index = library.load_index()
    engine = SidebarSearch(index)
    gc.collect()
    gc.freeze()  # shared pages stay shared: the collector never writes to these objects
    seconds = time.monotonic() - started
    _send(channel, {"ready": len(index), "seconds": round(seconds, 1)})
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, int] = {}  # pid -> request id
    try:
        while True:
            ready, _, _ = select.select([channel.fileno(), wake_read], [], [])
            if wake_read in ready:
                os.read(wake_read, 4096)
                _reap(channel, children)
            if channel.fileno() in ready:
                request, fds = _receive(channel)
                if request is None:
                    return 0
                if len(fds) != 1:
                    for fd in fds:
                        os.close(fd)
                    _send(channel, {"failed": request.get("id"), "why": "no terminal"})
                    continue
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    channel.close()
                    os.close(wake_read)
                    os.close(wake_write)
                    _child(fds[0], request, (index, engine))
                os.close(fds[0])
                children[pid] = request["id"]
                _send(channel, {"started": request["id"], "pid": pid})
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)


def _reap(channel: socket.socket, children: dict[int, int]) -> None:
    while children:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            code = os.waitstatus_to_exitcode(wait_status)
            _send(channel, {"exited": children.pop(pid), "status": code})


def main() -> int:
    channel = socket.socket(fileno=os.dup(0))
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)  # fd 0 again, never the channel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the SSH server decides when this ends
    try:
        return serve(channel, Path(sys.argv[1]))
    except Exception as exc:
        print(f"cables serve: the fork server stopped: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
