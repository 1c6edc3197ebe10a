import gzip
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, needs_shared

from cables import engine_cache, importer
from cables.cli import main
from cables.commands.import_ import ProgressPrinter
from cables.formats import ParseError
from cables.importer import Progress, import_paths, input_files
from cables.library import Library
from cables.parsing import parse_paths
from cables.search import SidebarSearch
from cables.synth import write_corpus

TOTAL, BATCH = 800, 50  # killed after the first batch of 50, 16 batches in all


def _expected(paths):
    """What the library must hold: per reference id, the release kept (latest; first on ties)."""
    kept = {}
    for item in parse_paths(paths):
        if isinstance(item, ParseError):
            continue
        key = item.reference_id.upper()
        if key not in kept or (item.released or "") > (kept[key].released or ""):
            kept[key] = item
    return kept


def _dump(path):
    """Every row of every table (the FTS index's own pages included), to compare libraries."""
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    dump = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    conn.close()
    return dump


def _consistent(path):
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO fts (fts, rank) VALUES ('integrity-check', 0)")
    cables = conn.execute("SELECT count(*) FROM cables").fetchone()[0]
    bodies = conn.execute("SELECT count(*) FROM bodies").fetchone()[0]
    conn.close()
    assert cables == bodies
    return cables


@needs_shared
def test_fixtures_and_corpus_read_back_equal_and_reimport_changes_nothing(tmp_path) -> None:
    inputs = [FIXTURES, CORPUS]
    expected = _expected(inputs)
    path = tmp_path / "lib.sqlite3"
    with Library.open(path, create=True) as lib:
        report = import_paths(lib, inputs)
        assert report.imported == len(expected) > 450
        assert report.read == report.imported + report.updated + report.unchanged + len(
            report.skipped
        )
        assert lib.count() == len(expected)
        for key, cable in expected.items():
            assert lib.get(key) == cable, key
        # The two generations of one page: the later release is the one kept.
        assert lib.get("66BUENOSAIRES2481").source.path.endswith(".wl2011.html")
        hits = lib.search("Westerwelle")
        assert "09BERLIN1162" in [h.reference_id for h in hits]
        assert [h.created for h in hits] == sorted((h.created for h in hits), reverse=True)
        before = _dump(path)
        again = import_paths(lib, inputs)
    assert (again.imported, again.updated) == (0, 0)
    assert again.unchanged == report.imported + report.updated + report.unchanged
    assert _dump(path) == before
    _consistent(path)


@pytest.mark.parametrize("parsers", [2, 3])
def test_parsing_shared_by_processes_imports_what_one_process_does(
    tmp_path, monkeypatch, parsers
) -> None:
    """The parsing processes' work is merged back in input order: the same library (the same
    copy kept of a cable given twice), the same records skipped and warned about, in order."""
    folder = tmp_path / "in"
    folder.mkdir()
    for page in sorted(FIXTURES.iterdir())[:40]:
        (folder / page.name).write_bytes(page.read_bytes())
    write_corpus(folder / "more.csv", 300, seed=5)
    rows = (folder / "more.csv").read_text()
    (folder / "twice.csv").write_text(rows + '"4","1/2/2009 1:00","09X/1","o","c","","h","b"\n')
    (folder / "notes.txt").write_text("shopping list: milk, eggs\n")
    results = {}
    for n in (1, parsers):
        monkeypatch.setattr(importer, "parsers", lambda n=n: n)
        path = tmp_path / f"lib{n}.sqlite3"
        with Library.open(path, create=True) as lib:
            report = import_paths(lib, [folder], batch=64)
        assert report.imported > 340 and report.unchanged == 300 and len(report.skipped) == 2
        results[n] = (report.summary(), report.skipped, report.warnings, _dump(path))
    assert results[parsers] == results[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A synthetic cables.csv of several batches, for the interruption tests."""
    out = tmp_path_factory.mktemp("corpus") / "cables.csv"
    write_corpus(out, TOTAL, seed=11)
    return out


def _run_import(library: Path, *paths: Path, options: tuple[str, ...] = ()) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cables",
            "import",
            *options,
            "--batch",
            str(BATCH),
            "--library",
            str(library),
            *map(str, paths),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_signals_as_default,
    )


def _signals_as_default() -> None:
    """In the import's process: SIGINT as a terminal's shell leaves it, whatever the tests
    inherited (`make test &` from a script ignores SIGINT, Python then leaves it ignored, and
    the import ran to the end, exit 0, through the signal)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _wait_for_first_batch(library: Path, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if library.exists():
            try:
                conn = sqlite3.connect(library, timeout=0.1)
                count = conn.execute("SELECT count(*) FROM cables").fetchone()[0]
                conn.close()
                if count:
                    return count
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    raise AssertionError("the import never committed a batch")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_killed_import_leaves_a_consistent_library_a_second_run_completes(
    tmp_path, corpus, how
) -> None:
    library = tmp_path / "lib.sqlite3"
    process = _run_import(library, corpus)
    first = _wait_for_first_batch(library, process)
    os.kill(process.pid, how)
    _, err = process.communicate(timeout=60)
    if how == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130, err  # (0: it ran to the end, signal or not)
        assert "interrupted" in err and "run the same import again" in err
    held = _consistent(library)
    assert first <= held < TOTAL
    with Library.open(library) as lib:
        assert lib.count() == held
        assert len(lib.load_index()) == held
    process = _run_import(library, corpus)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert f"imported {TOTAL - held}," in out
    assert f"unchanged {held}," in out
    assert _consistent(library) == TOTAL
    with Library.open(library) as lib:
        index = lib.load_index()
        assert len(index) == TOTAL and all(index.synthetic)
        assert lib.search("government", limit=5)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the parsing processes")
@pytest.mark.parametrize(("options", "nice"), [((), 19), (("--priority", "normal"), None)])
def test_an_import_runs_at_the_lowest_priority(tmp_path, corpus, options, nice) -> None:
    """`cables import` and its parsing processes run at nice 19 (a browser open meanwhile gets
    a core first); `--priority normal` leaves them at the priority they started with."""
    library = tmp_path / "lib.sqlite3"
    process = _run_import(library, corpus, options=options)
    try:
        _wait_for_first_batch(library, process)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert children  # the parsing processes
        expected = os.nice(0) if nice is None else nice
        for pid in [process.pid, *map(int, children)]:
            assert os.getpriority(os.PRIO_PROCESS, pid) == expected, pid
    finally:
        process.kill()
        process.communicate()


def test_an_import_leaves_the_search_engine_ready_for_the_browser(tmp_path) -> None:
    """The browser's search process finds the engine cached for the library as imported."""
    dump = tmp_path / "c.csv"
    write_corpus(dump, 30, seed=3)
    path = tmp_path / "l.sqlite3"
    with Library.open(path, create=True) as lib:
        import_paths(lib, [dump])
        generation = lib.generation()
        engine = engine_cache.load(path, generation, SidebarSearch)
        assert engine is not None and len(engine) == 30
        assert (
            engine.search("government").total
            == SidebarSearch(lib.load_index()).search("government").total
        )
        import_paths(lib, [dump])  # nothing new: the cache stays as it was
        assert lib.generation() == generation


def test_skipped_records_named_logged_and_exit_status(tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_corpus(folder / "good.csv", 3, seed=1)
    rows = (folder / "good.csv").read_text()
    (folder / "broken.csv").write_text(rows + '"4","1/2/2009 1:00","09X/1","o","c","","h","b"\n')
    (folder / "notes.txt").write_text("shopping list: milk, eggs\n")
    library = tmp_path / "lib.sqlite3"
    assert main(["import", "--library", str(library), str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "read 8, imported 3, updated 0, unchanged 3, skipped 2" in out
    assert f"skipped {folder / 'broken.csv'} record 4: reference id '09X/1'" in err
    assert f"skipped {folder / 'notes.txt'}: not a cable file" in err
    log = (Path(os.environ["XDG_DATA_HOME"]) / "cables" / "import.log").read_text()
    assert "skipped 2" in log and "notes.txt: not a cable file" in log and "record 4" in log
    assert main(["import", "--library", str(library), str(folder / "notes.txt")]) == 2
    assert "nothing imported" in capsys.readouterr().err
    assert main(["import", "--library", str(library), str(folder / "good.csv")]) == 0
    assert main(["import", "--library", str(tmp_path), str(folder)]) == 2  # a folder, no library
    assert "not a usable cables library" in capsys.readouterr().err


def test_gz_input_and_progress_sizes(tmp_path) -> None:
    plain = tmp_path / "c.csv"
    write_corpus(plain, 20, seed=2)
    packed = tmp_path / "c.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert input_files([packed]) == {str(packed): packed.stat().st_size}  # as stored
    seen = []
    with Library.open(tmp_path / "l.sqlite3", create=True) as lib:
        report = import_paths(lib, [packed], progress=seen.append)
    assert report.imported == 20
    assert seen[-1].done_bytes == seen[-1].total_bytes == packed.stat().st_size
    assert seen[-1].records == 20


def test_progress_printer_plain_and_terminal() -> None:
    plain = io.StringIO()
    printer = ProgressPrinter(plain, every=0)
    printer(Progress(1500, 50_000_000, 100_000_000, 10.0))
    printer(Progress(3000, 100_000_000, 100_000_000, 20.0))
    printer.finish()
    lines = plain.getvalue().splitlines()
    assert lines[0] == "import: 1,500 records  50 MB  5.0 MB/s   50%  ETA 0:10"
    assert lines[1].endswith("100%  ETA 0:00")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    printer = ProgressPrinter(tty)
    printer(Progress(1500, 50_000_000, 100_000_000, 10.0))
    printer.finish()
    assert tty.getvalue().startswith("\r[############............] 1,500 records")
    assert tty.getvalue().endswith("\n")


def test_a_signal_during_a_commit_is_counted_with_its_batch(tmp_path, monkeypatch) -> None:
    """SIGINT arriving as a batch commits (here: just after `add` commits, before it returns)
    stops the import after that batch is counted: the report says what the library holds."""
    dump = tmp_path / "c.csv"
    write_corpus(dump, 30, seed=3)
    add = Library.add
    calls: list[int] = []

    def add_then_signal(self: Library, cables):  # a real commit, then a real signal
        result = add(self, cables)
        calls.append(len(cables))
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return result

    monkeypatch.setattr(Library, "add", add_then_signal)
    with Library.open(tmp_path / "lib.sqlite3", create=True) as library:
        report = import_paths(library, [dump], batch=10)
        assert report.interrupted
        assert report.imported == library.count() == 20
