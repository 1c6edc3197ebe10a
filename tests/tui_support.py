"""Real libraries for the TUI tests, built once per session by the real importer.

- `fixtures_library`: tests/fixtures/cables imported (real cables);
- `synth_library`: 300 cables from `cables.synth` with real ids (the sample in tests/fixtures),
  synthetic text, REF lines citing each other;
- `hostile_library`: one cables.csv row whose subject and text are markup and escape codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, IDS_SAMPLE
from textual.notifications import Notification, Notify

from cables.formats.csvdump import CsvRow, write_rows
from cables.importer import import_paths
from cables.library import Library
from cables.synth import write_corpus
from tui.app import CablesApp

HOSTILE_SUBJECT = "[bold]x[/] [@click=app.quit] CLICK ME"


def build(path: Path, inputs: list[Path]) -> Path:
    with Library.open(path, create=True) as library:
        report = import_paths(library, inputs)
    assert not report.skipped, report.summary()
    return path


@pytest.fixture(scope="session")
def fixtures_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("fixtures") / "library.sqlite3", [FIXTURES])


@pytest.fixture(scope="session")
def synth_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    write_corpus(folder / "synth.csv", 300, seed=3, ids=IDS_SAMPLE)
    return build(folder / "library.sqlite3", [folder / "synth.csv"])


@pytest.fixture(scope="session")
def hostile_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    body = (
        f"UNCLAS BERLIN 009999\n\nSIPDIS\n\nSUBJECT: {HOSTILE_SUBJECT}\n\n"
        "1. (U) Text with [red]markup[/red] and an escape \x1b]52;c;QUFBQQ==\x07 here.\n\n"
        "2. (U) [link=https://example.org]a link[/link] second paragraph.\n"
    )
    with (folder / "cables.csv").open("w", encoding="utf-8") as out:
        write_rows(
            out,
            [
                CsvRow(
                    "1",
                    "9/17/2009 10:00",
                    "09BERLIN9999",
                    "Embassy Berlin",
                    "UNCLASSIFIED",
                    "",
                    "R 171000Z SEP 09",
                    body,
                )
            ],
        )
    return build(folder / "library.sqlite3", [folder / "cables.csv"])


class NotedApp(CablesApp):
    """The real app, keeping every notification it shows so tests can read them.

    It listens to Textual's public `Notify` message (the one `notify` posts), so tests need not
    read the app's private notification list; and expired toasts stay readable.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[Notification] = []

    def on_notify(self, event: Notify) -> None:
        self.notes.append(event.notification)


def messages(app: NotedApp, severity: str | None = None) -> list[str]:
    """What the app told the user so far (of one severity, if given), oldest first."""
    return [n.message for n in app.notes if severity is None or n.severity == severity]


async def index_loaded(app, pilot, timeout: float = 30) -> None:
    """Wait until the sidebar index is in (its worker starts after the first paint)."""
    for _ in range(int(timeout / 0.05)):
        if app.sidebar.ready:
            break
        await pilot.pause(0.05)
    assert app.sidebar.ready, "the index never loaded"
    await app.workers.wait_for_complete()
    await pilot.pause()


async def shown(app, pilot, query: str, timeout: float = 30) -> None:
    """Wait until the sidebar shows the results of `query` (searched in a worker)."""
    for _ in range(int(timeout / 0.05)):
        if app.sidebar.query_shown == query:
            break
        await pilot.pause(0.05)
    assert app.sidebar.query_shown == query, f"the sidebar never showed {query!r}"
    await pilot.pause()


class LayoutCount:
    """Counts the screen's layout passes (each repaints the whole screen) from now on."""

    def __init__(self, app: CablesApp) -> None:
        self.passes = 0
        refresh_layout = app.screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            self.passes += 1
            refresh_layout(*args, **kwargs)

        app.screen._refresh_layout = counted  # type: ignore[method-assign]
