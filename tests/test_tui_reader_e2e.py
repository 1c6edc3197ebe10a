"""End to end in tmux: where focus starts, and the current paragraph following PageDown and the
mouse wheel, as a user at a real terminal sees them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import pytest
from conftest import FIXTURES, ROOT
from test_tui_e2e import Tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("e2e-reader") / "library.sqlite3"
    command = [sys.executable, "-m", "cables", "--library", str(path), "import", str(FIXTURES)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return str(path)


def start(tmux: Tmux, library: str, *args: str, size: tuple[int, int] = (100, 30)) -> None:
    tmux.start("--library", library, *args, size=size, env={"COLORTERM": "truecolor"})
    tmux("set-option", "-s", "escape-time", "10")
    tmux.wait_for("63 of 63")


def paragraph_shown(screen: str) -> int:
    """The `¶ N/50` the footer shows."""
    found = re.search(r"¶ (\d+)/50", screen)
    assert found, screen
    return int(found.group(1))


def current_on_screen(screen: str, number: int) -> bool:
    """The `▶` line on screen is paragraph `number`'s first line."""
    return any(
        line.split("▕", 1)[-1].lstrip().startswith(f"▶  {number}.") for line in screen.split("\n")
    )


def test_typing_at_start_goes_to_the_search_box(tmux, library):
    start(tmux, library)
    tmux("send-keys", "-t", "e2e", "-l", "berlin1167")  # b, r, n: typed, not bookmark/REF/find
    screen = tmux.wait_until(lambda s: "berlin1167" in s and " of 63" in s and "63 of 63" not in s)
    assert "Bookmarked" not in screen
    tmux("send-keys", "-t", "e2e", "Enter")
    screen = tmux.wait_for("09BERLIN1167 │")
    tmux("send-keys", "-t", "e2e", "j")
    tmux.wait_for("¶ 2/9")  # enter opened it and the view has the keys


def test_page_down_and_the_wheel_move_the_current_paragraph(tmux, library):
    start(tmux, library, "open", "08STATE116943")
    tmux.wait_for("08STATE116943 │")
    assert not re.search(r"¶ \d+/50", tmux.screen())  # the unnumbered opening paragraph
    tmux("send-keys", "-t", "e2e", "PageDown")
    screen = tmux.wait_until(lambda s: re.search(r"¶ \d+/50", s))
    first = paragraph_shown(screen)
    assert current_on_screen(screen, first)
    # ten wheel steps down over the text (SGR mouse reports, as a terminal sends them)
    for _ in range(10):
        tmux("send-keys", "-t", "e2e", "-l", "\x1b[<65;60;12M")
        time.sleep(0.05)
    screen = tmux.wait_until(lambda s: paragraph_shown(s) > first)
    assert current_on_screen(screen, paragraph_shown(screen))


def test_the_footer_keeps_every_field_at_80x24(tmux, library):
    start(tmux, library, "open", "09RIODEJANEIRO357", size=(80, 24))
    tmux.wait_for("09RIODEJANEIRO357 │")
    screen = tmux.wait_for("^f Search")  # the key bar is drawn last
    footer = "\n".join(screen.rstrip("\n").split("\n")[-4:])  # the footer and the key bar
    for field in (
        "09RIODEJANEIRO357",
        "created 2009-11-03 14:11",  # R 031411Z NOV 09
        "released 2010-12-07",
        "Consulate Rio De Janeiro",
        "CONFIDENTIAL",
        "¶ 1/3 (C)",
    ):
        assert field in footer, footer
    assert "^f Search" in footer
