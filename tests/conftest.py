"""Shared test fixtures: where ../shared lives, and isolated config/data dirs for every test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
# The curated real cables and their facts are kept under tests/ so the suite stands alone;
# only the larger corpus and the full id list come from ../shared.
FIXTURES = ROOT / "tests" / "fixtures" / "cables"
FACTS = ROOT / "tests" / "fixtures" / "facts.json"
CORPUS = SHARED / "corpus" / "cablegate-2010"

# Session fixtures of real libraries for the TUI tests (tests/tui_support.py).
pytest_plugins = ["tui_support"]

needs_shared = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is absent")


@pytest.fixture(scope="session")
def facts() -> dict:
    return json.loads(FACTS.read_text())


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads or writes the real user's config, data or library."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    # A truecolor terminal unless a test says otherwise: the app picks its level colours by it.
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("CABLES_LIBRARY", raising=False)
    monkeypatch.delenv("CABLES_CONFIG", raising=False)
    return home
