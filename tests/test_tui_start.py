"""What the browser's start leaves to after the first frame, and off the UI thread (issue 12:
the first frame and the UI stalls while loading). Each run in a fresh interpreter, as
`cables` starts, so modules imported by other tests do not hide an import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT

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
