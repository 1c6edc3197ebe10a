"""Bad places to read from or write to (issue 11, points 14-16): unreadable folders, links and
FIFOs in a walk, a full disk, a held lock, read-only and damaged libraries, files where folders
belong. Each is one line naming the file and what to do, never a traceback or a hang.

Tests run as root, whom file modes do not stop: the commands run in a subprocess without the
capabilities that let root read and write anything (`setpriv`), or on a real read-only mount in a
private mount namespace (`unshare -m`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

PAGE = FIXTURES / "09PARIS381.html"
# Root without the capabilities that override file modes: chmod 000 stops it as it stops a user.
UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def _can_drop_privileges(tmp_path: Path) -> bool:
    if shutil.which("setpriv") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0)
    try:
        done = subprocess.run([*UNPRIVILEGED, "ls", str(probe)], capture_output=True)
    finally:
        probe.chmod(0o700)
        probe.rmdir()
    return done.returncode != 0


@pytest.fixture
def unprivileged(tmp_path: Path) -> list[str]:
    if not _can_drop_privileges(tmp_path):
        pytest.skip("cannot run without root's file-mode override (setpriv missing or refused)")
    return UNPRIVILEGED


def cables(*args: str, prefix: list[str] | None = None, timeout: float = 60):
    """The real `cables` command in a subprocess (the test's isolated HOME and data dirs)."""
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "cables", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# -- 16: walking folders -----------------------------------------------------------------------


def test_a_walk_names_and_counts_every_entry_it_skips(tmp_path: Path, unprivileged) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(PAGE, tree / PAGE.name)
    (tree / "back").symlink_to(tree)  # a linked folder looping back into the walk
    (tree / "dangling").symlink_to(tmp_path / "missing")
    (tree / "loop").symlink_to("loop")
    os.mkfifo(tree / "fifo")
    locked = tree / "locked"
    locked.mkdir()
    shutil.copy(FIXTURES / "07BERN881.html", locked / "07BERN881.html")
    locked.chmod(0)
    library = tmp_path / "lib.sqlite3"
    done = cables("import", "--library", str(library), str(tree), prefix=unprivileged)
    assert done.returncode == 1, done.stderr
    assert "read 6, imported 1, updated 0, unchanged 0, skipped 5" in done.stdout
    err = done.stderr
    assert f"skipped {tree / 'back'}: symlink loop" in err
    assert f"skipped {tree / 'dangling'}: dangling symbolic link" in err
    assert f"skipped {tree / 'loop'}: symlink loop" in err
    assert f"skipped {tree / 'fifo'}: not a regular file (a FIFO)" in err
    assert f"skipped {locked}: cannot read the folder: Permission denied" in err
    assert "Traceback" not in err

    named = cables("import", "--library", str(library), str(locked), prefix=unprivileged)
    assert named.returncode == 2
    assert f"skipped {locked}: cannot read the folder: Permission denied" in named.stderr
    parsed = cables("parse", str(locked), prefix=unprivileged)
    assert parsed.returncode == 2
    assert f"{locked}: cannot read the folder: Permission denied" in parsed.stderr


def test_a_config_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    done = cables("--config", str(fifo), "parse", str(PAGE), timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"cables: {fifo}: the config is not a regular file (a FIFO); move it aside or use --config"
    )
