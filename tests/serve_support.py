"""Running a real `cables serve` for the tests: started on a free port, always stopped."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT


class Server:
    """A `cables ... serve MODE` process; `port` is the one it bound (asked for with 0)."""

    def __init__(self, library: Path, mode: str, *args: str, log: Path) -> None:
        self.log = log
        command = [sys.executable, "-m", "cables", "--library", str(library), "serve", mode]
        self.process = subprocess.Popen(
            [*command, *args],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log.open("wb"),
            text=True,
        )
        self.lines: list[str] = []
        self.port = int(self.wait_for_line("listening on").rsplit(":", 1)[1].split("/")[0])

    def wait_for_line(self, text: str, timeout: float = 30) -> str:
        """The first line of standard output holding `text` (bounded wait)."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline()
                if not line and self.process.poll() is not None:
                    break
                self.lines.append(line.rstrip("\n"))
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
        self, name: str, command: str, width: int = 100, height: int = 30, colorterm: str = ""
    ) -> None:
        self(
            "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height)
        )
        self("set-option", "-g", "set-clipboard", "on")
        self("set-option", "-g", "remain-on-exit", "on")
        self("set-option", "-s", "escape-time", "10")
        env = ["-e", f"COLORTERM={colorterm}"] if colorterm else []
        self("respawn-pane", "-k", "-t", name, *env, command)

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
        raise AssertionError(f"gave up waiting for {what}")

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


def ssh_command(key: Path, port: int, known_hosts: Path, *extra: str) -> list[str]:
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
        "LogLevel=ERROR",
        "-F",
        "/dev/null",
        *extra,
    ]
