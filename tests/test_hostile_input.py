"""Hostile and broken input (issue 11): each case is the real page 09PARIS381 with one field
changed, run through the parser and the real commands; nothing may reach the terminal or the
clipboard, nothing is lost silently, and there is no traceback.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ALL_IDS, FIXTURES, ROOT, needs_shared, parsed

from cables import paths
from cables.cli import main
from cables.config import ConfigError, load
from cables.formats.csvdump import CsvRow, write_rows
from cables.library import Library
from cables.model import Cable
from cables.parsing import parse_path
from cables.permalinks import PermalinkRefused, Permalinks, parse_ref
from cables.sanitize import is_anchor, is_reference_id, iso_date, json_line

PAGE = FIXTURES / "09PARIS381.html"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PASTE_END = b"par2\x1b[201~&#10;touch /tmp/PWNED&#10;"
OSC52 = b"par3\x1b]52;c;QUJDRA==\x07"
TITLE = b"\x1b]0;C\x07\x1b[2J"


def mutated(tmp_path: Path, old: bytes, new: bytes, name: str = "09PARIS381.html") -> Path:
    """The real page with one field changed, written to tmp_path."""
    data = PAGE.read_bytes()
    assert old in data, old
    path = tmp_path / name
    path.write_bytes(data.replace(old, new, 1))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def imported(tmp_path: Path, *inputs: Path) -> Path:
    library = tmp_path / "library.sqlite3"
    with Library.open(library, create=True) as lib:
        for path in inputs:
            lib.add([c for c in parse_path(path) if isinstance(c, Cable)])
    return library


def assert_clean(*outputs: str) -> None:
    for text in outputs:
        assert not CONTROL.search(text.replace("\n", "").replace("\t", "")), repr(text)


# --- 1. anchors -------------------------------------------------------------------------------


def test_an_anchor_that_ends_bracketed_paste_is_no_anchor(tmp_path) -> None:
    page = mutated(tmp_path, b"id='par2'", b"id='" + PASTE_END + b"'")
    (cable,), errors, warnings = parsed(page)
    assert not errors
    assert [p.anchor for p in cable.paragraphs] == ["par1", "par2", "par3", "par4", "par5"]
    assert len(warnings) == 1 and "anchor" in warnings[0].reason
    assert str(page) in warnings[0].where
    assert_clean(warnings[0].reason)
    link = Permalinks().paragraph_link(
        cable.reference_id, cable.created, cable.paragraphs[1].anchor
    )
    assert link == "https://wikileaks.org/cable/2009/03/09PARIS381.html#par2"


def test_no_command_prints_a_hostile_anchor(tmp_path, capsys) -> None:
    page = mutated(tmp_path, b"id='par2'", b"id='" + PASTE_END + b"'")
    page.write_bytes(page.read_bytes().replace(b"id='par3'", b"id='" + OSC52 + b"'"))
    library = tmp_path / "lib.sqlite3"
    status, out, err = run(capsys, "--library", str(library), "import", str(page))
    assert status == 0, err
    assert_clean(out, err)
    for form in ("--json", "--markdown", "--text"):
        status, out, err = run(capsys, "--library", str(library), "show", "09PARIS381", form)
        assert status == 0
        assert_clean(out, err)
    status, out, _ = run(capsys, "--library", str(library), "link", "09PARIS381#par3")
    assert (status, out) == (0, "https://wikileaks.org/cable/2009/03/09PARIS381.html#par3\n")
    status, out, err = run(capsys, "parse", "--json", str(page))
    assert [p["anchor"] for p in json.loads(out)["paragraphs"]][1:3] == ["par2", "par3"]
    assert_clean(out, err)


def test_permalinks_refuse_an_anchor_or_id_that_is_not_one() -> None:
    cable = Cable("09PARIS381", created="2009-03-16T16:04")
    for anchor in ("par2\x1b[201~\ntouch /tmp/PWNED\n", "par2 x", "par²", "javascript:x", "p"):
        with pytest.raises(PermalinkRefused):
            Permalinks().paragraph_link(cable.reference_id, cable.created, anchor)
    for ref in ("09PARIS9905 https://evil.example/phish?x=", "../../evil.example/09PARIS9109"):
        with pytest.raises(PermalinkRefused):
            Permalinks().link(ref, "2009-03-16T16:04")
    assert is_anchor("parB") and is_anchor("par12") and not is_anchor("par")


def test_json_escapes_c1_controls_as_it_does_escape(tmp_path, capsys) -> None:
    """A file name is kept as it is (it names the user's file) but printed inert."""
    page = tmp_path / "09PARIS381\u009b31m.html"
    page.write_bytes(PAGE.read_bytes())
    status, out, _ = run(capsys, "parse", "--json", str(page))
    assert status == 0
    assert "\u009b" not in out and "\\u009b" in out
    assert json.loads(out)["source"]["file"] == str(page)
    assert json_line(["\x1b\x7f\u0085"]) == '["\\u001b\\u007f\\u0085"]'


def test_bookmark_export_never_prints_control_characters(capsys) -> None:
    """A state file written by an older version (or by hand) holding escape codes."""
    state = paths.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(
        "version = 1\n[[bookmarks]]\n"
        'ref = "09PARIS381"\nanchor = "par2\\u001b]0;TITLE\\u0007"\nparagraph = 2\n'
        'subject = "S\\u001b[2J"\ncable_created = "\\u001b]0;C\\u0007"\nnote = "n\\u009b"\n'
        'added = "2026-11-30T12:00:00Z"\n'
    )
    for argv in (("bookmarks", "--markdown"), ("bookmarks",)):
        status, out, err = run(capsys, *argv)
        assert status == 0
        assert "09PARIS381" in out
        assert_clean(out, err)


# --- 2. dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "field"),
    [(b"2009-03-16 16:04", "Created"), (b"2010-11-30 16:04", "Released")],
)
def test_a_date_that_is_not_one_is_missing_with_a_warning(tmp_path, old, field) -> None:
    page = mutated(tmp_path, old, TITLE)
    (cable,), errors, warnings = parsed(page)
    assert not errors
    assert (cable.created, cable.released) == (
        (None, "2010-11-30T16:04") if field == "Created" else ("2009-03-16T16:04", None)
    )
    assert len(cable.paragraphs) == 5
    (warning,) = warnings
    assert warning.where == str(page) and warning.reason.startswith(field)
    assert_clean(warning.reason)


def test_dates_are_dates() -> None:
    assert iso_date("2009-03-16T16:04") == "2009-03-16T16:04"
    assert iso_date("1966-12-28") == "1966-12-28"
    for bad in ("2009-02-30T10:00", "2009-03-16T24:00", "2009-03-16 16:04", "\x1b]0;C\x07", ""):
        assert iso_date(bad) is None


def test_a_csv_row_with_an_impossible_date_is_kept_without_it(tmp_path, capsys) -> None:
    dump = tmp_path / "cables.csv"
    body = PAGE.read_text()  # any real text will do: the row's columns are the metadata
    with dump.open("w", encoding="utf-8", newline="") as out:
        write_rows(out, [CsvRow("1", "2/30/2009 16:04", "09PARIS381", "o", "SECRET", "", "", body)])
    (cable,), errors, (warning,) = parsed(dump)
    assert cable.created is None and not errors
    assert warning.where == f"{dump} record 1" and warning.reason.startswith("Created")


def tampered(library: Path, **values: str) -> None:
    """What a library written before values were checked may hold."""
    conn = sqlite3.connect(library)
    with conn:
        for column, value in values.items():
            conn.execute(f"UPDATE cables SET {column} = ?", (value,))
    conn.close()


def test_no_raw_date_reaches_any_output(tmp_path, capsys) -> None:
    library = imported(tmp_path, PAGE)
    tampered(
        library,
        created="\x1b]0;C\x07\x1b[2J",
        sent="\x1b]0;S\x07",
        released="2010-13-45 99:99\x9b",
    )
    lib = str(library)
    outputs = []
    for argv in (
        ("search", "Guantanamo"),
        ("search", "Guantanamo", "--json"),
        ("stats",),
        ("stats", "--json"),
        ("show", "09PARIS381"),
        ("show", "09PARIS381", "--json"),
        ("show", "09PARIS381", "--markdown"),
    ):
        status, out, err = run(capsys, "--library", lib, *argv)
        assert status == 0, (argv, err)
        outputs += [out, err]
    assert_clean(*outputs)
    with Library.open(library) as opened:
        assert opened.load_index().created == [""]  # the sidebar's date column
        cable = opened.get("09PARIS381")  # the footer's created and released
        assert (cable.created, cable.sent, cable.released) == (None, None, None)


# --- 4. reference ids -------------------------------------------------------------------------


@needs_shared
def test_every_real_reference_id_is_one() -> None:
    with gzip.open(ALL_IDS, "rt", encoding="ascii") as lines:
        refs = [line.split(",", 1)[0] for line in lines]
    assert len(refs) == 251_287
    assert [r for r in refs if not is_reference_id(r)] == []
    assert [r for r in refs if parse_ref(r) != (r, None)] == []


@pytest.mark.parametrize(
    "ref", ["06SECION01OF02HARARE628", "90STATE255195TOSEC140301", "06ASTANA", "7575LIBREVILLE1895"]
)
def test_odd_real_ids_are_ids(ref) -> None:
    assert is_reference_id(ref)
    assert parse_ref(f"https://wikileaks.org/plusd/cables/{ref}_a.html#par2") == (ref, "par2")


BAD_IDS = [
    "09PARIS9905 https://evil.example/phish?x=",
    "../../../../evil.example/09PARIS9109",
    "/etc/passwd",
    "<b>09PARIS381</b>",
    "09PARIS381\u00e9",
    "PARIS381",
]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_page_whose_id_is_not_one_is_skipped_with_its_reason(tmp_path, bad) -> None:
    page = mutated(tmp_path, b">09PARIS381<", b">" + bad.replace("<", "&lt;").encode() + b"<")
    cables, (error,), _ = parsed(page)
    assert cables == []
    assert error.where == str(page) and "reference id" in error.reason
    assert not is_reference_id(bad)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_csv_row_whose_id_is_not_one_is_skipped_with_its_reason(tmp_path, bad) -> None:
    dump = tmp_path / "cables.csv"
    body = "SECRET PARIS 000381\n\nSUBJECT: X\n\n1. (S) Text.\n"
    rows = [
        CsvRow("1", "3/16/2009 16:04", bad, "Embassy Paris", "SECRET", "", "", body),
        CsvRow("2", "3/16/2009 16:05", "09PARIS382", "Embassy Paris", "SECRET", bad, "", body),
    ]
    with dump.open("w", encoding="utf-8", newline="") as out:
        write_rows(out, rows)
    (cable,), (error,), warnings = parsed(dump)
    assert error.where == f"{dump} record 1" and "reference id" in error.reason
    assert cable.reference_id == "09PARIS382" and cable.references == []
    assert [w.where for w in warnings] == [f"{dump} record 2"]


def test_a_text_record_whose_id_is_not_one_is_skipped(tmp_path) -> None:
    records = tmp_path / "records.txt"
    records.write_text(
        "2009-03-16 16:04\t../../evil/09PARIS1\tEmbassy Paris\tSECRET\t\t"
        "SECRET PARIS 000381\n\nSUBJECT: X\n\n1. (S) Text.\n"
    )
    cables, (error,), _ = parsed(records)
    assert cables == [] and "reference id" in error.reason


# --- 5. permalink templates -------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "https://x.org/{year:x}/{ref}",
        "https://x.org/{ref!r}",
        "https://x.org/{ref:>99999999999}",
        "https://x.org/{ref.__class__}",
        "https://x.org/{ref[0]}",
        "https://x.org/{ref} https://evil.example/",
        "https://x.org/\x1b]0;T\x07{ref}",
    ],
)
def test_permalink_templates_take_bare_placeholders_only(tmp_path, template) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[permalinks]\ncable = {json.dumps(template)}\n")
    with pytest.raises(ConfigError) as raised:
        load(config)
    assert "permalinks.cable" in raised.value.problems[0]
    assert_clean(*raised.value.problems)
    with pytest.raises(ValueError, match="permalink template"):
        Permalinks(cable_template=template)


def test_documented_templates_still_work(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[permalinks]\ncable = "https://x.org/{{raw}}/{year}/{month}/{ref}"\n'
        'paragraph = "https://x.org/{ref}_a.html#{anchor}"\n'
    )
    links = load(config).permalinks()
    cable = Cable("09PARIS381", created="2009-03-16T16:04")
    assert links.link(cable.reference_id, cable.created) == "https://x.org/{raw}/2009/03/09PARIS381"
    assert (
        links.paragraph_link(cable.reference_id, cable.created, "par2")
        == "https://x.org/09PARIS381_a.html#par2"
    )


# --- 12. a malformed Created value and the permalink paths ------------------------------------


def test_a_malformed_created_value_crashes_no_permalink_path(tmp_path, capsys) -> None:
    page = mutated(tmp_path, b"2009-03-16 16:04", b"2009-0x-16 16:04")
    status, out, err = run(capsys, "parse", "--json", str(page))
    assert status == 0 and json.loads(out)["created"] is None and "Created" in err
    library = imported(tmp_path, PAGE)
    tampered(library, created="2009-0x-16T16:04")  # as a library from before the check holds it
    lib = str(library)
    status, out, err = run(capsys, "--library", lib, "show", "09PARIS381", "--json")
    assert status == 0 and json.loads(out)["permalink"] is None
    status, out, err = run(capsys, "--library", lib, "link", "09PARIS381#par2")
    assert status == 1 and out == "" and "no creation date" in err
    status, out, err = run(capsys, "--library", lib, "search", "Guantanamo", "--json")
    assert status == 0 and json.loads(out)["permalink"] is None


# --- 3. file names ----------------------------------------------------------------------------


def test_import_prints_and_logs_file_names_clean(tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes\x1b]0;TITLE\x07.txt").write_text("shopping list: milk, eggs\n")
    mutated(folder, b"2009-03-16 16:04", b"2009-13-16 16:04", name="09PARIS381\x1b[2J\u009b.html")
    library = tmp_path / "lib.sqlite3"
    status, out, err = run(capsys, "--library", str(library), "import", str(folder))
    assert status == 1
    assert "read 2, imported 1" in out
    assert "skipped" in err and "notes]0;TITLE.txt: not a cable file" in err
    assert "warning" in err and "09PARIS381[2J.html: Created '2009-13-16T16:04'" in err
    log = (paths.import_log()).read_text()
    assert "notes]0;TITLE.txt" in log and "09PARIS381[2J.html" in log
    assert_clean(out, err, log)


# --- 18. config validation --------------------------------------------------------------------


def test_every_unknown_key_is_named_with_its_line_and_the_file_is_read_once(
    tmp_path, monkeypatch
) -> None:
    from cables import config as cfg

    path = tmp_path / "config.toml"
    path.write_text("".join(f"unknown{i} = {i}\n" for i in range(8000)))
    scans = []
    real = cfg.key_lines
    monkeypatch.setattr(cfg, "key_lines", lambda lines: scans.append(1) or real(lines))
    with pytest.raises(ConfigError) as raised:
        load(path)
    problems = raised.value.problems
    assert len(problems) == 8000
    assert problems[0].startswith(f"{path}:1: unknown0: expected one of the keys")
    assert problems[7999].startswith(f"{path}:8000: unknown7999: ")
    assert len(scans) == 1  # the file's lines are read once, not once per problem


def test_a_config_file_with_a_utf8_bom_is_read(tmp_path, capsys) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'clipboard = "osc52"\n[sidebar]\nlimit = 7\n')
    config = load(path)
    assert (config.clipboard, config.sidebar_limit) == ("osc52", 7)
    status, _, err = run(capsys, "--config", str(path), "config", "set", "sidebar.limit", "9")
    assert status == 0, err
    assert load(path).sidebar_limit == 9


# --- 19. import progress of a truncated .gz ---------------------------------------------------


def test_progress_of_a_truncated_gz_counts_the_bytes_stored(tmp_path) -> None:
    from cables.importer import import_paths, input_files
    from cables.synth import write_corpus

    plain = tmp_path / "cables.csv"
    write_corpus(plain, 1000, seed=5)  # several of the reader's pieces before the cut
    whole = gzip.compress(plain.read_bytes())
    cut = tmp_path / "cables.csv.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])  # its last 4 bytes are no size trailer
    size = cut.stat().st_size
    assert input_files([cut]) == {str(cut): size}
    seen = []
    with Library.open(tmp_path / "lib.sqlite3", create=True) as lib:
        report = import_paths(lib, [cut], progress=seen.append, batch=20)
    assert 0 < report.imported < 1000
    assert any("cannot read" in s.reason for s in report.skipped)
    assert len(seen) > 2 and all(p.total_bytes == size for p in seen)
    done = [p.done_bytes for p in seen]
    assert done == sorted(done) and 0 < done[0] < size and done[-1] == size


# --- 20. SIGTERM and SIGHUP mid-import --------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_import_prints_and_logs_the_summary(tmp_path, sig) -> None:
    from cables.synth import write_corpus

    dump = tmp_path / "cables.csv"
    write_corpus(dump, 2000, seed=4)
    library = tmp_path / "lib.sqlite3"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    command = [sys.executable, "-m", "cables", "--library", str(library)]
    child = subprocess.Popen(
        [*command, "import", str(dump), "--batch", "10"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _has_cables(library):
        time.sleep(0.05)
    child.send_signal(sig)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 128 + sig, err
    assert re.match(r"read \d+, imported \d+, updated 0, unchanged 0, skipped 0", out), out
    assert f"cables import: stopped by {sig.name}; every batch before" in err
    assert "Traceback" not in err
    log = (tmp_path / "data" / "cables" / "import.log").read_text()
    assert log.rstrip().endswith("skipped 0 (interrupted)")
    imported = int(re.search(r"imported (\d+)", out).group(1))
    assert 0 < imported < 2000
    with Library.open(library) as lib:
        assert lib.count() == imported


def _has_cables(library: Path) -> bool:
    if not library.exists():
        return False
    try:
        with sqlite3.connect(f"file:{library}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM cables").fetchone()[0] > 0
    except sqlite3.Error:
        return False


# --- 21. many bookmarks -----------------------------------------------------------------------


def test_opening_a_cable_neither_reads_nor_rewrites_the_bookmarks(tmp_path) -> None:
    from cables.state import State

    path = tmp_path / "state.toml"
    state = State.load(path)
    (cable,) = (c for c in parse_path(PAGE) if isinstance(c, Cable))
    for number in range(1, 6):
        state.toggle_bookmark(cable, cable.paragraphs[number - 1])
    state.bookmarks *= 2000  # 10,000 bookmarks, saved once
    state.save()
    state = State.load(path)
    assert len(state.bookmarks) == 10_000
    saved = path.read_bytes()
    path.write_bytes(b"not toml [")  # were it read, it would be set aside as damaged
    for _ in range(3):
        assert state.record_open(cable) is None
    assert path.read_bytes() == b"not toml ["  # neither read nor rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json", "state.toml"]
    path.write_bytes(saved)
    again = State.load(path)
    assert len(again.bookmarks) == 10_000 and [v.ref for v in again.history] == ["09PARIS381"]


async def test_the_browser_opening_cables_leaves_the_bookmarks_file_alone(tmp_path) -> None:
    from tui.app import CablesApp

    library = imported(tmp_path, PAGE, FIXTURES / "09MEXICO1055.rendered.txt")
    with Library.open(library) as opened:
        app = CablesApp(opened, open_ref="09PARIS381")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("b")  # one bookmark: state.toml written once
            await pilot.pause()
            before = paths.state_file().stat()
            app.open_cable("09MEXICO1055")
            await pilot.pause()
            app.open_cable("09PARIS381")
            await pilot.pause()
            after = paths.state_file().stat()
            assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
            assert [v.ref for v in app.state.history][:2] == ["09PARIS381", "09MEXICO1055"]
