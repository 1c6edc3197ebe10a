"""Running a real `cables serve` for the tests: started on a free port, always stopped."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import aiohttp
from conftest import ROOT


class Server:
    """A `cables ... serve MODE` process; `port` is the one it bound (asked for with 0)."""

    def __init__(self, library: Path, mode: str, *args: str, log: Path) -> None:
        self.log = log
        command = [sys.executable, "-m", "cables", "--library", str(library), "serve", mode]
        env = dict(os.environ)
        if mode == "web":  # under coverage, the apps it starts answer keys too slowly here
            env.pop("COVERAGE_PROCESS_CONFIG", None)
        self.process = subprocess.Popen(
            [*command, *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log.open("wb"),
        )
        self.lines: list[str] = []
        self._partial = b""
        try:
            self.port = int(self.wait_for_line("listening on").rsplit(":", 1)[1])
        except BaseException:
            self.stop()
            raise

    def wait_for_line(self, text: str, timeout: float = 30) -> str:
        """The first line of standard output holding `text` (bounded wait)."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                chunk = os.read(fd, 65536)  # not readline: no data may wait in a buffer
                if not chunk:
                    break
                self._partial += chunk
                *complete, self._partial = self._partial.split(b"\n")
                self.lines += [line.decode() for line in complete]
        raise AssertionError(f"no {text!r} from the server: {self.lines}\n{self.log.read_text()}")

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, as an operator would; SIGKILL if it does not end in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def keygen(folder: Path, name: str) -> Path:
    """A fresh Ed25519 key pair `folder/name` (+ .pub), commented with the name."""
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key


class Tmux:
    """A private tmux server (-L) with `set-clipboard on`, so OSC 52 lands in its buffer."""

    def __init__(self) -> None:
        self.socket = f"cables-serve-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str, check: bool = True) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=check, capture_output=True, text=True
        ).stdout

    def start(
        self, name: str, command: str, width: int = 100, height: int = 30, **env: str
    ) -> None:
        self(
            "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height)
        )
        self("set-option", "-g", "set-clipboard", "on")
        self("set-option", "-g", "remain-on-exit", "on")
        self("set-option", "-s", "escape-time", "10")
        options = [part for item in env.items() for part in ("-e", "=".join(item))]
        self("respawn-pane", "-k", "-t", name, *options, command)

    def screen(self, name: str) -> str:
        return self("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str, literal: bool = False) -> None:
        self("send-keys", "-t", name, *(["-l"] if literal else []), *keys)

    def wait_until(self, test: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test():
                return
            time.sleep(0.1)
        panes = self("list-panes", "-a", "-F", "#{session_name}").split()
        screens = "\n".join(f"--- {name}:\n{self.screen(name)}" for name in panes)
        raise AssertionError(f"gave up waiting for {what}; screens:\n{screens}")

    def wait_for(self, name: str, text: str, timeout: float = 30) -> str:
        try:
            self.wait_until(lambda: text in self.screen(name), repr(text), timeout)
        except AssertionError:
            raise AssertionError(f"no {text!r} on screen:\n{self.screen(name)}") from None
        return self.screen(name)

    def buffer(self) -> str:
        return self("show-buffer", check=False)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def ssh_command(
    key: Path, port: int, known_hosts: Path, *extra: str, log_level: str = "ERROR"
) -> list[str]:
    """The real OpenSSH client, on this key only, trusting the server on first sight."""
    return [
        "ssh",
        "-i",
        str(key),
        "-p",
        str(port),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        f"UserKnownHostsFile={known_hosts}",
        "-o",
        f"LogLevel={log_level}",
        "-F",
        "/dev/null",
        *extra,
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The page's xterm.js terminal is no global: it is found among the page's objects (the one
# holding a `terminal` and the socket's address) and its screen read through xterm's buffer API.
_SCREEN_JS = """function () {
  const page = this.find(o => o && o.terminal && o.terminal.buffer && "websocket_url" in o);
  if (!page) return "";
  const buffer = page.terminal.buffer.active, rows = [];
  for (let i = 0; i < page.terminal.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


class Chromium:
    """Debian's headless chromium, driven through the DevTools protocol (aiohttp's websocket)."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.process = subprocess.Popen(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "--window-size=1200,800",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ids = 0

    async def __aenter__(self) -> Chromium:
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < deadline, "chromium did not start"
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self.http = aiohttp.ClientSession()
        pages = await (await self.http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(p for p in pages if p["type"] == "page")
        self.ws = await self.http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Page.enable")
        # Headless, the page never has the focus otherwise, and keys would go nowhere.
        await self.call("Emulation.setFocusEmulationEnabled", enabled=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.http is not None:
            await self.http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    async def call(self, method: str, **params: object) -> dict:
        assert self.ws is not None
        self.ids += 1
        mine = self.ids
        await self.ws.send_json({"id": mine, "method": method, "params": params})
        while True:
            message = await asyncio.wait_for(self.ws.receive_json(), 30)
            if message.get("id") == mine:
                assert "error" not in message, message
                return message["result"]

    async def screen(self) -> str:
        """The text on the page's terminal, row by row."""
        prototype = await self.call("Runtime.evaluate", expression="Object.prototype")
        objects = await self.call(
            "Runtime.queryObjects", prototypeObjectId=prototype["result"]["objectId"]
        )
        result = await self.call(
            "Runtime.callFunctionOn",
            objectId=objects["objects"]["objectId"],
            functionDeclaration=_SCREEN_JS,
            returnByValue=True,
        )
        await self.call("Runtime.releaseObjectGroup", objectGroup="")
        return result["result"].get("value") or ""

    async def wait_for(self, text: str, timeout: float = 40) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = await self.screen()
            if text in screen:
                return screen
            await asyncio.sleep(0.5)
        raise AssertionError(f"no {text!r} on the page's screen:\n{screen}")

    async def key(self, key: str, code: str, keycode: int, *, ctrl: bool = False) -> None:
        """One key pressed in the page (xterm.js turns it into what the app reads)."""
        event = {"key": key, "code": code, "windowsVirtualKeyCode": keycode}
        event |= {"modifiers": 2} if ctrl else {}
        down = event | ({"text": "\r"} if key == "Enter" else {})
        await self.call("Input.dispatchKeyEvent", type="keyDown", **down)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **event)

    async def type(self, text: str) -> None:
        await self.call("Input.insertText", text=text)
