"""After an internal error the browser exits non-zero with one line (issue 11 point 17), and
the permalink keys never crash it on a malformed stored date (point 12).

The crash is real: the library loses its `meta` table (damage the app does not expect; a damaged
record alone is shown in the app, not a crash), so loading the index fails inside the app. The
real `cables` command runs in tmux.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_tui_e2e import Tmux
from tui_support import NotedApp, build, index_loaded, messages

from cables.library import Library
from tui.app import CablesApp

PAGE = FIXTURES / "09PARIS381.html"


def library_of_the_page(tmp_path: Path) -> Path:
    return build(tmp_path / "library.sqlite3", [PAGE])


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_browser_exits_non_zero_with_one_line_after_a_crash(tmp_path) -> None:
    library = library_of_the_page(tmp_path)
    conn = sqlite3.connect(library)
    conn.execute("DROP TABLE meta")
    conn.commit()
    conn.close()
    data = tmp_path / "data"
    tmux = Tmux()
    tmux.socket = f"cables-crash-{uuid.uuid4().hex[:8]}"
    try:
        tmux.start(
            "--library",
            str(library),
            env={"XDG_DATA_HOME": str(data)},
            then="; echo exit=$?; sleep 60",
        )
        tmux.wait_for("exit=", timeout=60)
        # -J joins wrapped lines: what is left on the terminal once the app has gone
        screen = tmux("capture-pane", "-p", "-J", "-t", "e2e")
    finally:
        subprocess.run(["tmux", "-L", tmux.socket, "kill-server"], capture_output=True)
    lines = [line.strip() for line in screen.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[1] == "exit=2", screen
    assert lines[0].startswith("cables: the browser stopped on an internal error (")
    assert "no such table: meta" in lines[0]
    log = data / "cables" / "crash.log"
    assert str(log) in lines[0] and "Traceback" in log.read_text()


async def test_the_link_keys_survive_a_malformed_stored_date(tmp_path) -> None:
    library = library_of_the_page(tmp_path)
    conn = sqlite3.connect(library)  # as a library written before dates were checked holds it
    conn.execute("UPDATE cables SET created = '2009-0x-16T16:04'")
    conn.commit()
    conn.close()
    with Library.open(library) as opened:
        app = NotedApp(opened, open_ref="09PARIS381")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app.view.cable is not None and app.view.cable.created is None
            for key in ("y", "Y", "c"):
                await pilot.press(key)
                await pilot.pause()
            notes = messages(app)
            assert sum("no creation date" in n for n in notes) == 3, notes
            assert app.clipboard.startswith("> ")  # the citation, without a link
            assert "(no permalink)" in app.clipboard
        assert app.return_code in (None, 0) and app.crash is None


async def test_the_sidebar_and_footer_show_no_raw_date_text(tmp_path) -> None:
    library = library_of_the_page(tmp_path)
    conn = sqlite3.connect(library)  # as a library written before dates were checked holds it
    conn.execute(
        "UPDATE cables SET created = ?, sent = ?, released = ?",
        ("\x1b]0;C\x07\x1b[2J", "\x1b]0;S\x07", "2010-13-45 99:99"),
    )
    conn.execute("DELETE FROM index_cache")
    conn.commit()
    conn.close()
    with Library.open(library) as opened:
        app = CablesApp(opened)
        async with app.run_test(size=(120, 30)) as pilot:
            await index_loaded(app, pilot)
            assert app.view.cable is not None  # opened from the sidebar's first row
            screen = app.export_screenshot()
            assert "09PARIS381" in screen
            for raw in ("]0;", "[2J", "2010-13-45"):
                assert raw not in screen
