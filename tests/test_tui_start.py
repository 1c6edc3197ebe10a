"""What the browser's start leaves to after the first frame, and off the UI thread (issue 12:
the first frame and the UI stalls while loading). Each run in a fresh interpreter, as
`cables` starts, so modules imported by other tests do not hide an import."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from cables import paths
from cables.cli import main
from cables.model import Cable
from cables.state import State

# Runs the app on a library under Pilot and prints, once the sidebar shows the search
# process's first answer, which thread imported `cables.search` (MAIN or OTHER, NONE).
PROBE = textwrap.dedent(
    """
    import asyncio, sys, threading
    from pathlib import Path

    importer = []

    class Watch:
        def find_spec(self, name, path=None, target=None):
            if name == "cables.search":
                importer.append(threading.current_thread() is threading.main_thread())
            return None

    sys.meta_path.insert(0, Watch())
    from cables.library import Library
    from tui.app import CablesApp

    async def main():
        library = Library.open(Path(sys.argv[1]))
        app = CablesApp(library)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(600):
                if app.sidebar.ready and app.sidebar.query_shown == "":
                    break
                await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            result = "NONE" if not importer else ("MAIN" if importer[0] else "OTHER")
            answered = app.sidebar.query_shown == ""
        library.close()
        print(result, "answered" if answered else "unanswered")

    asyncio.run(main())
    """
)


def test_the_answers_types_are_imported_off_the_ui_thread(fixtures_library: Path) -> None:
    """Unpickling the first answer imported `cables.search` and rapidfuzz on the UI thread
    (a 25 ms stall while loading at 251k); a worker imports them after the first frame."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(fixtures_library)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert out[-2:] == ["OTHER", "answered"]


def test_importing_the_browser_leaves_out_what_the_first_frame_does_not_show() -> None:
    """Screens opened by a key, the citation export, the search engine and rapidfuzz are
    imported when first needed, not before the first frame."""
    probe = "import tui.app, sys\nprint(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    later = {
        "cables.search",
        "rapidfuzz",
        "cables.export",
        "tui.screens.bookmarks",
        "tui.screens.help",
        "tui.screens.picker",
    }
    assert loaded & later == set()


def first_frame(library: Path, tmp_path: Path) -> dict[str, Any]:
    """Run the real `cables` on `library` with a driver that notes what its first frame found
    (tests/first_frame_driver.py) and quits at a frame after it."""
    out = tmp_path / "first-frame.json"
    # (without coverage's measuring, which imports its own modules, tomllib among them)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS_")}
    env = {
        **env,
        "TEXTUAL_DRIVER": "first_frame_driver:FirstFrameDriver",
        "PYTHONPATH": str(Path(__file__).parent),
        "CABLES_FIRST_FRAME": str(out),
    }
    subprocess.run(
        [sys.executable, "-m", "cables", "--library", str(library)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(out.read_text()))


def test_the_first_frame_is_drawn_before_what_it_does_not_show(
    fixtures_library: Path, tmp_path: Path
) -> None:
    """What a key, a search or a later screen needs is imported after the first frame (or
    when first used), by the real command: the screens a key opens, the citation export, the
    search engine and rapidfuzz, the parsers and the importer, Textual's widgets not shown."""
    loaded = set(first_frame(fixtures_library, tmp_path)["first"]["modules"])
    assert "tui.app" in loaded  # (the probe saw the browser's first frame)
    later = {
        "cables.search",
        "rapidfuzz",
        "cables.export",
        "cables.body",
        "cables.importer",
        "cables.formats",
        "tomli_w",
        "tomllib",  # (no config or state file here: nothing to read)
        "tui.screens.bookmarks",
        "tui.screens.help",
        "tui.screens.picker",
        "textual.widgets._data_table",
        "textual.widgets._text_area",
        "textual.widgets._markdown",
    }
    assert loaded & later == set()


def test_the_first_frame_shows_the_last_cable_opened_whole(
    fixtures_library: Path, tmp_path: Path
) -> None:
    """The cable a reader left off at is in the first frame with its id in the view's title
    and the footer, not only its text: they followed it a few frames later, the footer saying
    "no cable open" under the cable meanwhile (the view's `Moved` climbs the DOM one turn of
    the loop per widget). The history it comes from is JSON: tomllib, which took 6-8 ms of
    the start on a full history, is not imported (no config or bookmarks file here)."""
    State.load(paths.state_file()).record_open(Cable(reference_id="09MEXICO1055", subject="S"))
    first = first_frame(fixtures_library, tmp_path)["first"]
    written = first["written"]
    assert written.count("09MEXICO1055") >= 2  # the title, the footer
    assert "no cable open" not in written
    assert "Embassy Mexico" in written  # (the footer's origin)
    assert "tomllib" not in first["modules"]


def test_the_collector_is_off_until_the_first_frame(fixtures_library: Path, tmp_path: Path) -> None:
    """The start makes no garbage worth collecting, and collections took 5-8% of its CPU
    time: `cables` turns the collector off until the browser's first frame is written."""
    report = first_frame(fixtures_library, tmp_path)
    assert report["first"]["collecting"] is False
    assert report["later_collecting"] is True


@pytest.mark.parametrize(
    "argv",
    [["stats"], ["--library", "{missing}", "open"]],
    ids=["another command", "a browser that cannot start"],
)
def test_every_command_hands_the_collector_back(
    fixtures_library: Path, tmp_path: Path, argv: list[str]
) -> None:
    """`main` turns the collector back on whatever the command and however it ends: a caller
    of `main` (tests, scripts) is never left without it."""
    assert gc.isenabled()
    argv = [a.replace("{missing}", str(tmp_path / "none.sqlite3")) for a in argv]
    main(["--library", str(fixtures_library), *argv])
    assert gc.isenabled()
