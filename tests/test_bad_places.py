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
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from tui_support import index_loaded

from cables import index_cache
from cables.library import Library
from tui.app import CablesApp

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


def test_a_fifo_named_as_input_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "dump.csv.gz"
    os.mkfifo(fifo)
    done = cables("import", "--library", str(tmp_path / "lib.sqlite3"), str(fifo), timeout=30)
    assert done.returncode == 2
    assert f"skipped {fifo}: not a regular file or folder" in done.stderr


def test_a_config_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    done = cables("--config", str(fifo), "parse", str(PAGE), timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"cables: {fifo}: the config is not a regular file (a FIFO); move it aside or use --config"
    )


# -- 14: a library that stops taking writes, damaged libraries, files where folders belong ------


def _summary(out: str) -> str:
    return out.split(" in ")[0]


def test_disk_full_mid_import_keeps_the_batches_written_and_says_so(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    done = subprocess.run(
        [
            "bash",
            "-c",
            'ulimit -f 300 && exec "$0" -m cables import --batch 5 --library "$1" "$2"',
            sys.executable,
            str(library),
            str(FIXTURES),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    kept = int(_summary(done.stdout).split("imported ")[1].split(",")[0])
    assert kept >= 5
    [line] = [x for x in done.stderr.splitlines() if not x.startswith("import:")]
    assert line.startswith(f"cables import: {library}: cannot write (")
    assert "free some disk space" in line and "the cables counted above are kept" in line
    log = (Path(os.environ["XDG_DATA_HOME"]) / "cables" / "import.log").read_text()
    assert f"  stopped: {library}: cannot write (" in log
    stats = cables("stats", "--library", str(library))  # consistent: the batches kept read back
    assert stats.returncode == 0 and f"{kept} cables" in stats.stdout.replace(",", "")
    again = cables("import", "--library", str(library), str(FIXTURES))
    assert again.returncode in (0, 1) and "Traceback" not in again.stderr


def test_a_write_lock_held_too_long_is_one_line_and_readers_go_on(
    tmp_path: Path, monkeypatch
) -> None:
    library = tmp_path / "lib.sqlite3"
    assert cables("import", "--library", str(library), str(PAGE)).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\nprint('held', flush=True)\ntime.sleep(120)\n",
            str(library),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("CABLES_LOCK_WAIT", "0.5")
        done = cables("import", "--library", str(library), str(FIXTURES / "07BERN881.html"))
        assert done.returncode == 2
        assert "read 0, imported 0" in done.stdout
        assert done.stderr.strip().endswith(
            f"cables import: {library}: another process has held the library's write lock for"
            " over 0.5 s (another import?); wait for it to finish and run this again;"
            " the cables counted above are kept"
        )
        shown = cables("show", "--library", str(library), "09PARIS381")
        assert shown.returncode == 0 and "GUANTANAMO" in shown.stdout
    finally:
        holder.kill()
        holder.wait()


def _damage_pages(library: Path) -> None:
    with library.open("r+b") as raw:
        raw.seek(4096 * 2)
        raw.write(b"\xff" * 8192)


def _drop_refs(library: Path) -> None:
    with sqlite3.connect(library) as conn:
        conn.execute("DROP TABLE refs")


@pytest.mark.parametrize("damage", [_damage_pages, _drop_refs], ids=["pages", "dropped-table"])
def test_a_damaged_library_is_one_line_for_every_command(tmp_path: Path, damage) -> None:
    library = tmp_path / "lib.sqlite3"
    assert cables("import", "--library", str(library), str(PAGE)).returncode == 0
    damage(library)
    for args in (
        ["show", "09PARIS381"],
        ["search", "France"],
        ["import", str(FIXTURES / "07BERN881.html")],
    ):
        done = cables(*args, "--library", str(library))
        if args[0] == "search" and done.returncode == 0:  # its pages may be intact
            continue
        assert done.returncode == 2, (args, done.stderr[-500:])
        [line] = [x for x in done.stderr.splitlines() if not x.startswith("import:")]
        assert f"{library}: the library is damaged (" in line, (args, line)
        assert line.endswith(("move it aside and import your cables again", "are kept"))


def test_data_and_config_dirs_under_regular_files(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    done = cables("import", str(PAGE))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"cables import: {blocker}/cables/library.sqlite3: cannot make the library's folder"
        " (Not a directory); choose another place with --library PATH"
    )
    library = tmp_path / "lib.sqlite3"
    logged = cables("import", "--library", str(library), str(PAGE))  # the log cannot be written
    assert logged.returncode == 0 and "imported 1" in logged.stdout
    assert f"cannot write the log {blocker}/cables/import.log (Not a directory)" in logged.stderr
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    config = cables("stats", "--library", str(library))
    assert config.returncode == 2
    assert config.stderr.strip() == (
        f"cables: {blocker}/cables/config.toml: cannot read the config (Not a directory);"
        " fix it, or name another with --config"
    )
    folder = tmp_path / "config.toml"
    folder.mkdir()
    as_folder = cables("--config", str(folder), "stats", "--library", str(library))
    assert as_folder.returncode == 2
    assert as_folder.stderr.strip().endswith(
        f"{folder}: the config is not a regular file (a folder); move it aside or use --config"
    )


def test_a_folder_1200_levels_deep_is_walked(tmp_path: Path) -> None:
    deep = tmp_path / "deep"
    levels = [deep]
    for _ in range(1200):  # one level at a time: mkdir(parents=True) itself recurses
        levels.append(levels[-1] / "d")
    try:
        for level in levels:
            level.mkdir()
        shutil.copy(PAGE, levels[-1] / PAGE.name)
        done = cables("import", "--library", str(tmp_path / "lib.sqlite3"), str(deep))
        assert done.returncode == 0, done.stderr[-500:]
        assert "read 1, imported 1" in done.stdout
    finally:  # removed here: pytest's own clean-up (shutil.rmtree) recurses past the limit
        (levels[-1] / PAGE.name).unlink(missing_ok=True)
        for level in reversed(levels):
            if level.exists():
                level.rmdir()


def test_a_damaged_sidebar_cache_is_rebuilt(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    assert cables("import", "--library", str(library), str(FIXTURES)).returncode == 0
    with Library.open(library) as lib:
        good = lib.load_index()
    for garbage in ("garbage", "a\x1fb\nc\nd\ne\nf\ng\n1", ""):
        with sqlite3.connect(library) as conn:
            conn.execute("UPDATE index_cache SET columns = ?", (garbage,))
        with Library.open(library) as lib:
            assert lib.load_index() == good  # (the index kept in the user's cache: mapped)
            index_cache.cache_file(library).unlink()
            assert lib.load_index() == good  # from the library's cache table: rebuilt
        with sqlite3.connect(library) as conn:
            assert conn.execute("SELECT columns FROM index_cache").fetchone()[0] != garbage


# -- 15: read-only libraries -------------------------------------------------------------------


def _library(tmp_path: Path, folder: str = "shared") -> Path:
    library = tmp_path / folder / "lib.sqlite3"
    assert cables("import", "--library", str(library), str(FIXTURES)).returncode == 0
    assert sorted(p.name for p in library.parent.iterdir()) == ["lib.sqlite3"]  # no -wal, -shm
    return library


def _reads(library: Path, prefix: list[str] | None = None) -> None:
    """Every reader works: show, search, stats, and the browser's index load."""
    shown = cables("show", "--library", str(library), "09PARIS381", prefix=prefix)
    assert shown.returncode == 0 and "GUANTANAMO" in shown.stdout, shown.stderr
    found = cables("search", "--library", str(library), "Guantanamo", prefix=prefix)
    assert found.returncode == 0 and "09PARIS381" in found.stdout, found.stderr
    stats = cables("stats", "--library", str(library), prefix=prefix)
    assert stats.returncode == 0 and "63 cables" in stats.stdout, stats.stderr
    index = subprocess.run(
        [
            *(prefix or []),
            sys.executable,
            "-c",
            "import sys\nfrom cables.library import Library\n"
            "with Library.open(sys.argv[1]) as lib:\n"
            "    print(lib.read_only, len(lib.load_index().reference_ids))",
            str(library),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert index.stdout.split() == ["True", "63"], index.stderr


def test_a_library_in_a_read_only_folder_is_read(tmp_path: Path, unprivileged) -> None:
    library = _library(tmp_path)
    library.chmod(0o444)
    library.parent.chmod(0o555)
    try:
        _reads(library, unprivileged)
        done = cables("import", "--library", str(library), str(PAGE), prefix=unprivileged)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"cables import: {library}: the library is read-only here (no write permission on"
            " it or its folder); import into a library you can write (--library PATH)"
        )
    finally:
        library.parent.chmod(0o755)


def reader_sees_an_import(library: Path, unprivileged: list[str]) -> None:
    """An unprivileged reader holding the one-cable `library` open sees root import the
    fixtures into it: still read-only, a newer generation, 63 cables."""
    reader = subprocess.Popen(
        [
            *unprivileged,
            sys.executable,
            "-c",
            "import sys\nfrom cables.library import Library\n"
            "lib = Library.open(sys.argv[1])\n"
            "print(lib.read_only, lib.generation(), lib.count(), flush=True)\n"
            "sys.stdin.readline()\n"
            "print(lib.read_only, lib.generation(), lib.count(), flush=True)\n",
            str(library),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = reader.stdout.readline().split()
        assert first[0] == "True" and first[2] == "1"
        assert cables("import", "--library", str(library), str(FIXTURES)).returncode == 0
        reader.stdin.write("\n")
        reader.stdin.flush()
        then = reader.stdout.readline().split()
        assert then[0] == "True" and int(then[1]) > int(first[1]) and then[2] == "63"
    finally:
        reader.kill()
        reader.wait()


def test_a_read_only_library_file_still_sees_new_imports(tmp_path: Path, unprivileged) -> None:
    """Not `immutable` where a writer can run: the reader's generation moves with an import."""
    library = tmp_path / "lib.sqlite3"
    assert cables("import", "--library", str(library), str(PAGE)).returncode == 0
    library.chmod(0o444)  # read-only to the reader; root (the writer) still writes it
    refused = cables("import", "--library", str(library), str(PAGE), prefix=unprivileged)
    assert refused.returncode == 2 and "the library is read-only here" in refused.stderr
    reader_sees_an_import(library, unprivileged)


def test_a_library_on_a_read_only_mount_is_read(tmp_path: Path) -> None:
    library = _library(tmp_path, "source")
    mount = tmp_path / "mount"
    mount.mkdir()
    script = (
        'mount -t tmpfs -o size=20m tmpfs "$1" && cp "$2" "$1/" && mount -o remount,ro "$1"'
        ' || exit 77\nexec "$3" -c "$4" "$1/lib.sqlite3"'
    )
    check = (
        "import sys\nfrom cables.cli import main\n"
        "sys.exit(main(['show', '--library', sys.argv[1], '09PARIS381']))"
    )
    done = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            script,
            "sh",
            str(mount),
            str(library),
            sys.executable,
            check,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode == 77 or "unshare failed" in done.stderr:
        pytest.skip(f"cannot make a read-only mount here: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
    assert "GUANTANAMO" in done.stdout


async def test_the_browser_opens_on_a_damaged_sidebar_cache(
    tmp_path: Path, fixtures_library
) -> None:
    library = tmp_path / "lib.sqlite3"
    shutil.copy(fixtures_library, library)
    with sqlite3.connect(library) as conn:
        conn.execute("UPDATE index_cache SET columns = 'a\x1fb\nc'")
    with Library.open(library) as lib:
        app = CablesApp(lib)
        async with app.run_test(size=(120, 40)) as pilot:
            await index_loaded(app, pilot)
            assert len(app.sidebar.index) == 63
            assert app.view.cable is not None


def test_an_immutable_reader_opens_again_when_the_owner_writes(
    tmp_path: Path, unprivileged
) -> None:
    """A read-only folder: SQLite can only read it `immutable`; a write by its owner is seen."""
    library = tmp_path / "shared" / "lib.sqlite3"
    assert cables("import", "--library", str(library), str(PAGE)).returncode == 0
    library.parent.chmod(0o555)  # read-only to the reader; root (the owner) still writes it
    try:
        reader_sees_an_import(library, unprivileged)
    finally:
        library.parent.chmod(0o755)
