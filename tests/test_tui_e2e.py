"""End to end: the real `cables` command in tmux, typed at like a user, over the fixtures.

A private tmux server (`-L`), a fixed 100x30 window and `set-clipboard on`, so the OSC 52 the
app sends on `y` lands in tmux's paste buffer, as it would reach a user's clipboard over SSH.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping

import pytest
from conftest import FIXTURES, ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Tmux:
    def __init__(self) -> None:
        self.socket = f"cables-e2e-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def start(
        self,
        *argv: str,
        size: tuple[int, int] = (100, 30),
        env: Mapping[str, str] | None = None,
        then: str = "",
    ) -> None:
        """The real command (`python -m cables ARGV`, run from the checkout) in window `e2e` of
        a new session; `then`: shell text run after it ends (`; echo exit=$?`)."""
        command = shlex.join([sys.executable, "-m", "cables", *argv])
        options = [part for item in (env or {}).items() for part in ("-e", "=".join(item))]
        self(
            "-f", "/dev/null", "new-session", "-d", "-s", "e2e",
            "-x", str(size[0]), "-y", str(size[1]), *options,
            f"cd {shlex.quote(str(ROOT))} && {command}{then}",
        )  # fmt: skip

    def screen(self, colours: bool = False) -> str:
        return self("capture-pane", "-p", *(["-e"] if colours else []), "-t", "e2e")

    def wait_until(self, test, timeout: float = 20, *, screen: bool = True) -> str:
        """Poll until `test(screen text)` (or `test(self)`) holds; the last screen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if test(text if screen else self):
                return text
            time.sleep(0.1)
        raise AssertionError(f"gave up waiting; screen:\n{self.screen()}")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        return self.wait_until(lambda screen: text in screen, timeout)


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True)


def test_query_open_jump_and_copy_permalink(tmp_path, tmux):
    library = tmp_path / "library.sqlite3"
    cables = [sys.executable, "-m", "cables", "--library", str(library)]
    subprocess.run([*cables, "import", str(FIXTURES)], cwd=ROOT, check=True, capture_output=True)
    tmux.start("--library", str(library), env={"COLORTERM": "truecolor"})
    tmux("set-option", "-g", "set-clipboard", "on")
    tmux("set-option", "-s", "escape-time", "10")
    tmux.wait_for("63 of 63")  # the sidebar's count: the index is loaded
    tmux("send-keys", "-t", "e2e", "C-f")
    # Keys already queued for the cable view when ctrl+f moves focus stay with the view (Textual
    # delivers each key to the widget focused when it arrived), so let the focus land first.
    time.sleep(0.5)
    tmux("send-keys", "-t", "e2e", "-l", "berlin1167")
    tmux.wait_until(lambda screen: " of 63" in screen and "63 of 63" not in screen)
    tmux("send-keys", "-t", "e2e", "Enter")
    tmux.wait_for("09BERLIN1167 │")  # the footer of the open cable
    tmux("send-keys", "-t", "e2e", ":")
    time.sleep(0.3)
    tmux("send-keys", "-t", "e2e", "3", "Enter")
    screen = tmux.wait_for("¶ 3/9 (C)")
    assert "▶  3. (C) " in screen
    coloured = tmux.screen(colours=True)
    assert "48;2;0;51;160" in coloured  # the CONFIDENTIAL chip in its banner blue (#0033a0)
    tmux("send-keys", "-t", "e2e", "y")
    assert tmux.wait_until(buffer_holds_link, screen=False)
    assert tmux("show-buffer") == "https://wikileaks.org/cable/2009/09/09BERLIN1167.html#par3"
    tmux.wait_for("Copied paragraph link")  # and the link is shown to take by hand


def buffer_holds_link(tmux: Tmux) -> bool:
    result = subprocess.run(
        ["tmux", "-L", tmux.socket, "show-buffer"], capture_output=True, text=True
    )
    return result.returncode == 0 and result.stdout.endswith("09BERLIN1167.html#par3")
