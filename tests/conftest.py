"""Shared test fixtures: where ../shared lives, isolated config/data dirs for every test, and
what the parsers make of a file (`parsed`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from cables.commands import import_ as import_command
from cables.formats import ParseError
from cables.model import Cable
from cables.parsing import ParseWarning, parse_path

# Timings belong in benchmarks/, not in tests: on a loaded 2-core machine one example of a
# property test can take 300 ms (Hypothesis's default deadline is 200 ms, a flaky failure).
settings.register_profile("cables", deadline=None)
settings.load_profile("cables")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
# The curated real cables and their facts, the few pages of the 400-page corpus that tests name
# and a sample of the real ids are kept under tests/ so the suite stands alone; only the whole
# corpus and the full id list come from ../shared.
FIXTURES = ROOT / "tests" / "fixtures" / "cables"
FACTS = ROOT / "tests" / "fixtures" / "facts.json"
PAGES = ROOT / "tests" / "fixtures" / "corpus"
# Every 83rd or so line of ../shared/data/reference-ids.csv.gz (3,000 of 251,287, evenly spread:
# a 300-cable synthetic corpus picks the same ids from it as from the whole list).
IDS_SAMPLE = ROOT / "tests" / "fixtures" / "reference-ids-sample.csv.gz"
CORPUS = SHARED / "corpus" / "cablegate-2010"
ALL_IDS = SHARED / "data" / "reference-ids.csv.gz"

# Session fixtures of real libraries for the TUI tests (tests/tui_support.py).
pytest_plugins = ["tui_support"]

# Tests over the whole corpus or the full id list. Without ../shared they skip, saying so; CI
# (.ci/run sets CABLES_REQUIRE_SHARED=1) fails them instead, so none goes untested there.
needs_shared = pytest.mark.shared
SHARED_ABSENT = "../shared (the 400-page corpus, all 251,287 ids) is absent"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared") is None or (CORPUS.is_dir() and ALL_IDS.is_file()):
        return
    if os.environ.get("CABLES_REQUIRE_SHARED") == "1":
        pytest.fail(f"{SHARED_ABSENT}, and CABLES_REQUIRE_SHARED=1 (CI) allows no such skip")
    pytest.skip(SHARED_ABSENT)


@pytest.fixture(scope="session")
def facts() -> dict:
    return json.loads(FACTS.read_text())


def _home_in(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))


@pytest.fixture(scope="session", autouse=True)
def isolated_session_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The libraries that session and module fixtures build (before any test's own isolation)
    keep their engines and indexes in a cache of the session's, not the real user's."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _home_in(tmp_path_factory.mktemp("session-home"), monkeypatch)
        # `cables import` run in this process (`main([...])`) would lower the test process's
        # priority for good (unprivileged, it cannot raise it again), and every later
        # subprocess's with it. The real command does it in its own process: tested
        # there (test_importer.py).
        monkeypatch.setattr(import_command, "yield_the_cpu", lambda: None)
        yield


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads or writes the real user's config, data, cache or library."""
    home = tmp_path_factory.mktemp("home")
    _home_in(home, monkeypatch)
    # A truecolor terminal unless a test says otherwise: the app picks its level colours by it.
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("CABLES_LIBRARY", raising=False)
    monkeypatch.delenv("CABLES_CONFIG", raising=False)
    return home


def parsed(path: Path) -> tuple[list[Cable], list[ParseError], list[ParseWarning]]:
    """What the parsers make of `path`: its cables, the records they refused, the warnings."""
    items = list(parse_path(path))
    cables = [i for i in items if isinstance(i, Cable)]
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    errors = [i for i in items if isinstance(i, ParseError) and not isinstance(i, ParseWarning)]
    return cables, errors, warnings
