"""`cables serve ssh`: readers `ssh -t` in and land in the browser, nothing installed on their side.

One asyncssh server; every session with a PTY gets a browser process of its own on a
pseudo-terminal (the client's TERM and window size, resizes forwarded), forked from one fork
server (tui/serve_fork.py) that holds the index for all of them, reading the library and keeping
the reader's state apart. Keys only; no shell, no commands, no SFTP, no
forwarding of any kind. Limits on sessions, idle time and connections per address; one log line
per connect, auth failure and disconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import signal
import struct
import termios
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from cables.serve.common import browser_environment, state_path
from cables.serve.forks import ForkServer, ForkServerGone
from cables.serve.keys import AuthorizedKeys, KeysError, Reader

NEEDS_PTY = "cables: this server runs the cables browser only; connect with `ssh -t HOST`\n"
# What the browser would have undone on a clean exit: the screen, cursor, mouse, paste, focus
# and keyboard modes it set, restored when the server has to end it.
RESTORE_TERMINAL = (
    b"\x1b[<u\x1b[?1004l\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
    b"\x1b[0m\x1b[?25h\x1b[?1049l"
)
_TERM = re.compile(r"[A-Za-z0-9._+-]{1,64}")
_LANG = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_MAX_PENDING_INPUT = 1 << 20
_RELAY_AT_MOST = 1 << 18  # bytes relayed per wake-up, so one busy session never starves others
_KILL_AFTER = 3.0


@dataclass(slots=True)
class Settings:
    """What the operator chose on the command line."""

    library: Path
    data_dir: Path
    config_file: Path
    authorized_keys: AuthorizedKeys
    log: logging.Logger
    max_sessions: int = 32
    idle_timeout: float = 1800.0  # seconds without a key from the reader; 0: never
    rate_limit: int = 20  # new connections per address per minute


class RateLimiter:
    """At most `per_minute` new connections from one address in any 60 seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        times = self._seen.setdefault(address, deque())
        while times and now - times[0] > 60:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True

    def forget_old(self) -> None:
        """Drop addresses with nothing in the window (the table never grows without bound)."""
        now = time.monotonic()
        for address in [a for a, t in self._seen.items() if not t or now - t[-1] > 60]:
            del self._seen[address]


class CablesServer:
    """The sessions, the limits and the shutdown of one `cables serve ssh`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: set[BrowserSession] = set()
        self.connections: set[Connection] = set()
        self.limiter = RateLimiter(settings.rate_limit)
        self.forks = ForkServer(
            settings.library, settings.config_file, settings.data_dir, settings.log
        )
        self.closing = False

    def new_connection(self) -> Connection:
        return Connection(self)

    async def sweep(self) -> None:
        """Every few seconds: end sessions idle too long, forget old connection times."""
        idle = self.settings.idle_timeout
        while True:
            await asyncio.sleep(min(idle / 4, 15) if idle else 15)
            self.limiter.forget_old()
            if not idle:
                continue
            now = time.monotonic()
            for session in list(self.sessions):
                if now - session.last_input > idle:
                    session.connection.log("idle", f"no key for {idle:.0f}s")
                    session.end(f"closed after {idle / 60:.0f} minutes without a key")

    async def shutdown(self) -> None:
        """End every session, telling its reader, then every connection."""
        self.closing = True
        for session in list(self.sessions):
            session.end("the server is shutting down; goodbye")
        deadline = time.monotonic() + _KILL_AFTER + 2
        while self.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)  # the goodbye lines go out before the connections close
        for connection in list(self.connections):
            connection.close()


class Connection(asyncssh.SSHServer):
    """One client connection: its address, the reader its key names, its log lines."""

    def __init__(self, server: CablesServer) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "-"
        self.host = ""
        self.reader: Reader | None = None
        self.refused_keys: list[str] = []
        self.started = time.monotonic()

    def log(self, event: str, detail: str = "") -> None:
        reader = self.reader.name if self.reader else "-"
        key = self.reader.fingerprint if self.reader else ",".join(self.refused_keys) or "-"
        line = f"{event} address={self.address} reader={reader} key={key}"
        self.server.settings.log.info(line + (f" ({detail})" if detail else ""))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("-", 0)
        self.host, self.address = str(peer[0]), f"{peer[0]}:{peer[1]}"
        if self.server.closing:
            conn.close()
        elif not self.server.limiter.allow(self.host):
            self.log("refused", "too many connections from this address")
            conn.close()
        else:
            self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if self not in self.server.connections:
            return
        self.server.connections.discard(self)
        if self.reader is None:
            self.log("auth-failure", "no authorized key offered")
        else:
            self.log("disconnect", f"after {time.monotonic() - self.started:.0f}s")

    def begin_auth(self, username: str) -> bool:
        try:
            self.server.settings.authorized_keys.reload()
        except KeysError as exc:
            self.server.settings.log.info(f"error {exc}")
        return True  # the login name is ignored: the key says who the reader is

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        reader = self.server.settings.authorized_keys.reader(key, self.host, self.host)
        if reader is None:
            fingerprint = key.get_fingerprint("sha256")
            if fingerprint not in self.refused_keys:
                self.refused_keys.append(fingerprint)
            return False
        self.reader = reader
        return True

    def auth_completed(self) -> None:
        self.log("connect")

    def session_requested(self) -> BrowserSession:
        return BrowserSession(self)

    def connection_requested(self, dest_host: str, dest_port: int, *_: object) -> bool:
        """`ssh -L` and the like: the server is no way through to anywhere."""
        self.log("refused", "port forwarding")
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "port forwarding is disabled"
        )

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.log("refused", "remote port forwarding")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        self.log("refused", "socket forwarding")
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        self.log("refused", "remote socket forwarding")
        return False


class BrowserSession(asyncssh.SSHServerSession[bytes]):
    """One channel: a browser on a pseudo-terminal, or one line saying how to connect."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term: str | None = None
        self.size = (80, 24)
        self.command: str | None = None
        self.pid: int | None = None
        self.status: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.master: int | None = None
        self.pending = b""
        self.last_input = time.monotonic()
        self.ending: str | None = None
        self.done = False
        self.tasks: set[asyncio.Task[None]] = set()  # held, or the loop may drop them

    # --- what the client asks for -----------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], _modes: object
    ) -> bool:
        self.term = term_type if _TERM.fullmatch(term_type or "") else "xterm-256color"
        self.size = (term_size[0] or 80, term_size[1] or 24)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.connection.log("refused", f"subsystem {subsystem[:40]!r}")
        return False

    def session_started(self) -> None:
        assert self.chan is not None
        server = self.connection.server
        if self.command is not None or self.term is None:
            why = "a command" if self.command is not None else "no PTY"
            self.connection.log("refused", f"session with {why}")
            self.chan.write_stderr(NEEDS_PTY.encode())
            self.chan.exit(1)
            return
        if len(server.sessions) >= server.settings.max_sessions:
            self.connection.log("full", f"{len(server.sessions)} sessions")
            limit = server.settings.max_sessions
            self.chan.write(f"cables: the server is full ({limit} readers); try later\r\n".encode())
            self.chan.exit(1)
            return
        server.sessions.add(self)
        self.tasks.add(asyncio.get_running_loop().create_task(self._start_browser()))

    def terminal_size_changed(self, width: int, height: int, _pw: int, _ph: int) -> None:
        self.size = (width or 80, height or 24)
        if self.master is not None:
            _set_size(self.master, *self.size)

    def data_received(self, data: bytes, _datatype: asyncssh.DataType) -> None:
        self.last_input = time.monotonic()
        if self.master is None or len(self.pending) > _MAX_PENDING_INPUT:
            return
        self.pending += data
        self._flush_input()

    def pause_writing(self) -> None:
        if self.master is not None:
            asyncio.get_running_loop().remove_reader(self.master)

    def resume_writing(self) -> None:
        if self.master is not None:
            asyncio.get_running_loop().add_reader(self.master, self._read_output)

    def connection_lost(self, exc: Exception | None) -> None:
        self.done = True
        self.connection.server.sessions.discard(self)
        self._stop_browser()

    # --- the browser process ----------------------------------------------------------------

    async def _start_browser(self) -> None:
        """A pseudo-terminal of the client's size, and a browser forked onto it."""
        assert self.chan is not None and self.connection.reader is not None
        server = self.connection.server
        settings = server.settings
        master, slave = os.openpty()
        self.master = master
        try:
            _set_size(master, *self.size)
            env = browser_environment(
                settings.config_file,
                state_path(settings.data_dir, self.connection.reader.name),
                **self._client_environment(),
            )
            os.set_blocking(master, False)
            asyncio.get_running_loop().add_reader(master, self._read_output)
            if not server.forks.ready.is_set():
                self.chan.write(b"cables: loading the cable index, one moment...\r\n")
            await server.forks.spawn(self, slave, env)
        except (OSError, TimeoutError, ForkServerGone) as exc:
            self.not_started(str(exc) or type(exc).__name__)
        finally:
            os.close(slave)

    def not_started(self, why: str) -> None:
        """No browser for this session: the reader is told, the session ends."""
        self.connection.log("error", f"cannot start the browser: {why}")
        self._close_master()
        self.connection.server.sessions.discard(self)
        if not self.done and self.chan is not None:
            self.done = True
            self.chan.write(b"cables: the browser could not be started; try later\r\n")
            self.chan.exit(1)

    def _client_environment(self) -> dict[str, str]:
        """TERM from the PTY request; LANG, COLORTERM and NO_COLOR as the client sent them."""
        assert self.chan is not None and self.term is not None
        client = self.chan.get_environment()
        env = {"TERM": self.term, "LANG": "C.UTF-8"}
        if _LANG.fullmatch(client.get("LANG", "")):
            env["LANG"] = client["LANG"]
        if client.get("COLORTERM") in ("truecolor", "24bit"):
            env["COLORTERM"] = client["COLORTERM"]
        if client.get("NO_COLOR"):
            env["NO_COLOR"] = "1"
        reader = self.connection.reader
        peer = self.chan.get_extra_info("peername") or ("-", 0)
        local = self.chan.get_extra_info("sockname") or ("-", 0)
        env["SSH_CONNECTION"] = f"{peer[0]} {peer[1]} {local[0]} {local[1]}"
        env["CABLES_READER"] = reader.name if reader else "-"
        return env

    def _read_output(self) -> None:
        """What the browser wrote, relayed as one SSH write: a frame comes off the terminal in
        4 KB reads, and each write is a packet to encrypt and send."""
        assert self.master is not None and self.chan is not None
        chunks: list[bytes] = []
        size, ended = 0, False
        while size < _RELAY_AT_MOST:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                break
            except OSError:  # EIO: the browser and everything on its terminal are gone
                data = b""
            if not data:
                ended = True
                break
            chunks.append(data)
            size += len(data)
        if chunks:
            self.chan.write(b"".join(chunks))
        if ended:
            self._close_master()
            self.tasks.add(asyncio.get_running_loop().create_task(self._finish()))

    def _flush_input(self) -> None:
        loop = asyncio.get_running_loop()
        if self.master is None:
            return
        try:
            written = os.write(self.master, self.pending)
        except BlockingIOError:
            written = 0
        except OSError:
            self.pending = b""
            return
        self.pending = self.pending[written:]
        if self.pending:
            loop.add_writer(self.master, self._flush_input)
        else:
            loop.remove_writer(self.master)

    def started(self, pid: int) -> None:
        """The fork server made this session's browser (its process group is `pid`)."""
        self.pid = pid
        if self.done or self.ending is not None:
            self._signal(signal.SIGTERM)

    def exited(self, status: int) -> None:
        if not self.status.done():
            self.status.set_result(status if status >= 0 else 1)

    async def _finish(self) -> None:
        """The browser ended: the reader gets its exit status (and why, if the server ended it)."""
        try:
            status = await asyncio.wait_for(asyncio.shield(self.status), _KILL_AFTER)
        except TimeoutError:
            status = 1
        self.connection.server.sessions.discard(self)
        if self.done or self.chan is None:
            return
        self.done = True
        if self.ending is not None:
            self.chan.write(RESTORE_TERMINAL + f"\r\ncables: {self.ending}\r\n".encode())
            status = 0
        self.chan.exit(status)

    def end(self, reason: str) -> None:
        """End the session from the server's side, telling the reader why."""
        self.ending = reason
        self._signal(signal.SIGTERM)
        asyncio.get_running_loop().call_later(_KILL_AFTER, self._signal, signal.SIGKILL)

    def _stop_browser(self) -> None:
        """The client went away: the browser goes too."""
        self._signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        loop.call_later(_KILL_AFTER, self._signal, signal.SIGKILL)
        loop.call_later(_KILL_AFTER + 1, self._close_master)

    def _signal(self, signum: int) -> None:
        if self.pid is not None and not self.status.done():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)

    def _close_master(self) -> None:
        if self.master is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self.master)
            loop.remove_writer(self.master)
            os.close(self.master)
            self.master = None


def _set_size(fd: int, columns: int, rows: int) -> None:
    """Tell the terminal (and so, by SIGWINCH, the browser on it) its size."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


async def serve(settings: Settings, host: str, port: int, host_key: asyncssh.SSHKey) -> int:
    """Run until SIGTERM or SIGINT; then end every session cleanly."""
    asyncssh.set_log_level(logging.WARNING)
    server = CablesServer(settings)
    server.forks.start()
    acceptor = await asyncssh.create_server(
        server.new_connection,
        host,
        port,
        server_host_keys=[host_key],
        encoding=None,
        agent_forwarding=False,
        x11_forwarding=False,
        allow_scp=False,
        line_editor=False,
        login_timeout=30,
        keepalive_interval=30,
        server_version="cables",
    )
    print(f"cables serve ssh: listening on {host}:{acceptor.get_port()}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    sweeper = loop.create_task(server.sweep())
    await stop.wait()
    settings.log.info("stopping: ending %d sessions", len(server.sessions))
    acceptor.close()
    await server.shutdown()
    await server.forks.stop()
    sweeper.cancel()
    await acceptor.wait_closed()
    return 0
