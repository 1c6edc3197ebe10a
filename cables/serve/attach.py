"""`python -m cables.serve.attach SOCKET LIBRARY CONFIG STATE`: a browser from the fork server.

What `cables serve web` gives textual-serve to run for each visitor: it hands its own standard
input, output and error and its environment (with STATE, the visitor's own state file) to the
fork server (which forks a browser onto them, the index already loaded), lets go of them, and
exits with the browser's status when it ends. A signal for it is passed on to the browser.
"""

from __future__ import annotations

import array
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from types import FrameType

from cables.paths import STATE_ENV

CONNECT_FOR = 600.0  # seconds: the fork server may still be loading the index


def _connect(path: Path) -> socket.socket:
    deadline = time.monotonic() + CONNECT_FOR
    while True:
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            channel.connect(str(path))
            return channel
        except (FileNotFoundError, ConnectionRefusedError):
            channel.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def attach(path: Path, library: Path, config: Path, state: Path) -> int:
    channel = _connect(path)
    request = {
        "id": 1,
        "env": dict(os.environ) | {STATE_ENV: str(state)},
        "cwd": os.getcwd(),
        "config": str(config),
        "library": str(library),
    }
    fds = array.array("i", [0, 1, 2])
    channel.sendmsg([json.dumps(request).encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    # The browser holds them now: its output ends when it does, not when this process does.
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    pid: int | None = None

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        if pid is not None:
            os.killpg(pid, signum)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, pass_on)
    while data := channel.recv(1 << 16):
        message = json.loads(data)
        if "started" in message:
            pid = message["pid"]
        elif "exited" in message:
            return int(message["status"]) if message["status"] >= 0 else 1
    return 1  # the fork server went away


def main() -> int:
    try:
        socket_path, library, config, state = map(Path, sys.argv[1:5])
        return attach(socket_path, library, config, state)
    except (OSError, ValueError) as exc:
        print(f"cables: cannot reach the browser's fork server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
