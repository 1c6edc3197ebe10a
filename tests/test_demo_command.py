"""`cables demo` and the demo path of `cables open`: the real command builds the real demo
library (2,000 synthetic cables) in the user's data dir, and the browser opens on it in tmux."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_tui_e2e import Tmux

from cables.demo import DEMO_CABLES

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def user_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }


def cables(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **user_env(home)}
    return subprocess.run(
        [sys.executable, "-m", "cables", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """A home whose demo library the real `cables demo --path` built (once for this module)."""
    home = tmp_path_factory.mktemp("demo-home")
    return home, cables(home, "demo", "--path")


def demo_file(home: Path) -> Path:
    return home / "data" / "cables" / "demo.sqlite3"


def test_demo_path_builds_the_demo_library_once(built) -> None:
    home, first = built
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"{demo_file(home)}\n"
    assert first.stderr == (
        "cables: building the demo library of synthetic cables (first run only)...\n"
    )
    conn = sqlite3.connect(demo_file(home))
    try:
        count, synthetic = conn.execute("SELECT count(*), sum(synthetic) FROM cables").fetchone()
    finally:
        conn.close()
    assert count == synthetic == DEMO_CABLES
    assert sorted(p.name for p in demo_file(home).parent.iterdir()) == ["demo.sqlite3"]
    built_at = demo_file(home).stat().st_mtime_ns
    again = cables(home, "demo", "--path")
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")
    assert demo_file(home).stat().st_mtime_ns == built_at  # not built again


def test_demo_with_a_bad_config_stops_before_building(tmp_path) -> None:
    config = tmp_path / "config" / "cables" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('clipboard = "telepathy"\n')
    result = cables(tmp_path, "demo", "--path")
    assert result.returncode == 2
    assert result.stderr.startswith(f"cables: {config}") and "telepathy" in result.stderr
    assert not demo_file(tmp_path).exists()


def run_in_tmux(tmux: Tmux, home: Path, *argv: str) -> None:
    """The real command in a private tmux window; its exit status is printed when it ends."""
    tmux.start(*argv, size=(160, 40), env=user_env(home), then="; echo exit status $?; sleep 60")


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True)


@needs_tmux
def test_demo_opens_the_browser_on_the_demo_library(built, tmp_path, tmux) -> None:
    home, _ = built
    shutil.copytree(home / "data", tmp_path / "data")
    run_in_tmux(tmux, tmp_path, "demo")
    tmux.wait_for("Demo library", timeout=60)  # the notice, with how to import real cables
    tmux.wait_for(f"{DEMO_CABLES:,} of {DEMO_CABLES:,}", timeout=60)  # the sidebar lists them all
    tmux("send-keys", "-t", "e2e", "C-q")  # (focus starts in the search box: q types)
    tmux.wait_for("exit status 0")


@needs_tmux
def test_cables_with_no_library_builds_and_opens_the_demo(tmp_path, tmux) -> None:
    """A first run: the demo library is built (said so) and opened; the user's library path
    is never created by opening it."""
    run_in_tmux(tmux, tmp_path)
    tmux.wait_for("no library yet; building the demo library", timeout=30)
    tmux.wait_for("Demo library", timeout=240)
    tmux.wait_for(f"{DEMO_CABLES:,} of {DEMO_CABLES:,}", timeout=60)
    tmux("send-keys", "-t", "e2e", "C-q")  # (focus starts in the search box: q types)
    tmux.wait_for("exit status 0")
    assert demo_file(tmp_path).is_file()
    assert not (tmp_path / "data" / "cables" / "library.sqlite3").exists()
