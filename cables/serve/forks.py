"""The fork server's other end: start it, ask it for browsers, hear when they end.

The fork server (tui/serve_fork.py) loads the index once and forks one browser per request;
`cables serve ssh` asks it for each session, and `cables serve web`'s apps attach to it through
`listen` (cables/serve/attach.py).
"""

from __future__ import annotations

import array
import asyncio
import itertools
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from cables.serve.common import browser_environment

_READY_TIMEOUT = 600.0  # the fork server's index load, at worst (251k cables on a busy machine)


class Client(Protocol):
    """Who asked for a browser: told when it starts, ends, or cannot start."""

    pid: int | None

    def started(self, pid: int) -> None: ...

    def exited(self, status: int) -> None: ...

    def not_started(self, why: str) -> None: ...


class ForkServerGone(Exception):
    """The fork server is not running (it failed to load the library, or died)."""


class ForkServer:
    """The process that holds the index and forks one browser per session (tui/serve_fork.py)."""

    def __init__(
        self,
        library: Path,
        config_file: Path,
        data_dir: Path,
        log: logging.Logger,
        *,
        listen: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.library = library
        self.config_file = config_file
        self.data_dir = data_dir
        self.log = log
        self.listen = listen  # a socket for attach clients (`cables serve web`), besides ours
        self.env = env or {}
        self.ready = asyncio.Event()
        self.sessions: dict[int, Client] = {}
        self.ids = itertools.count(1)
        self.channel: socket.socket | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.gone: str | None = None
        self.stopping = False

    def start(self) -> None:
        """Start the fork server (again, after one ended); `ready` is set once it has loaded."""
        if self.channel is not None:
            self.channel.close()
        self.ready = asyncio.Event()
        self.gone = None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            listen = [str(self.listen)] if self.listen else []
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tui.serve_fork", str(self.library), *listen],
                stdin=theirs.fileno(),
                stdout=subprocess.DEVNULL,
                env=browser_environment(self.config_file, Path(os.devnull)) | self.env,
                cwd=self.data_dir,
                start_new_session=True,  # a ctrl+c meant for the server is not for it
            )
        ours.setblocking(False)
        self.channel = ours
        asyncio.get_running_loop().add_reader(ours, self._receive)

    async def spawn(self, session: Client, terminal: int, env: dict[str, str]) -> None:
        """Ask for a browser on `terminal`; `session.started` and `.exited` follow."""
        if self.gone is not None and not self.stopping:
            self.log.info("starting the fork server again")
            self.start()
        if not self.ready.is_set():
            await asyncio.wait_for(self.ready.wait(), _READY_TIMEOUT)
        if self.gone is not None or self.channel is None:
            raise ForkServerGone(self.gone or "not started")
        number = next(self.ids)
        request = {
            "id": number,
            "env": env,
            "cwd": str(self.data_dir),
            "config": str(self.config_file),
            "library": str(self.library),
        }
        self.sessions[number] = session
        fds = array.array("i", [terminal])
        self.channel.sendmsg(
            [json.dumps(request).encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)]
        )

    def _receive(self) -> None:
        assert self.channel is not None
        try:
            data = self.channel.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        message = json.loads(data)
        if "ready" in message:
            self.log.info(f"ready: {message['ready']:,} cables indexed in {message['seconds']} s")
            self.ready.set()
        elif "started" in message:
            session = self.sessions.get(message["started"])
            if session is not None:
                session.started(message["pid"])
        elif "exited" in message:
            session = self.sessions.pop(message["exited"], None)
            if session is not None:
                session.exited(message["status"])

    def _lost(self) -> None:
        """The fork server ended: say so once; sessions waiting on it are told."""
        assert self.channel is not None
        asyncio.get_running_loop().remove_reader(self.channel)
        code = self.process.poll() if self.process else None
        self.gone = "the fork server ended" + (f" (status {code})" if code is not None else "")
        self.log.info(f"error {self.gone}")
        # Browsers already running go on (their terminals are ours) and can still be ended;
        # only their exit statuses are lost. Requests not yet answered get no browser.
        for session in self.sessions.values():
            if session.pid is None:
                session.not_started(self.gone)
        self.sessions.clear()
        self.ready.set()

    async def stop(self) -> None:
        """Closing the channel ends the fork server, which ends any browser still running."""
        self.stopping = True
        if self.channel is not None:
            if self.gone is None:
                asyncio.get_running_loop().remove_reader(self.channel)
            self.channel.close()
        if self.process is not None:
            loop = asyncio.get_running_loop()
            try:
                await asyncio.wait_for(loop.run_in_executor(None, self.process.wait), 10)
            except TimeoutError:
                self.process.kill()
