"""Broken input loses nothing silently (issue 11, points 6-8, 10, 11, 13): each case is the real
page 09PARIS381 (or a cables.csv row of it written by the project's own writer) with one thing
changed, and each was imported wrongly, or not at all, before the fix."""

from __future__ import annotations

import gzip
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, parsed

from cables.cli import main
from cables.formats import ParseError
from cables.formats.csvdump import CsvRow, write_rows
from cables.formats.html import read_html
from cables.library import Library

PAGE = FIXTURES / "09PARIS381.html"
PILCROW = "\u00b6"


def _page() -> bytes:
    return PAGE.read_bytes()


def _import(library: Path, *paths: Path) -> int:
    return main(["import", "--library", str(library), *map(str, paths)])


# -- 6: a truncated page -----------------------------------------------------------------------


def _truncated(tmp_path: Path) -> Path:
    """The page cut inside the body <pre>, mid-sentence in paragraph 4: no closing tags."""
    data = _page()
    cut = tmp_path / "cut" / PAGE.name
    cut.parent.mkdir(exist_ok=True)
    cut.write_bytes(data[: data.index(b"unspecified -- still")])
    return cut


def test_a_truncated_page_is_a_partial_record_with_a_warning(tmp_path: Path) -> None:
    cables, errors, warnings = parsed(_truncated(tmp_path))
    assert not errors
    [cable] = cables
    assert cable.partial and "truncated" in cable.partial
    assert [p.number for p in cable.paragraphs if p.number] == [1, 2, 3, 4]
    [warning] = warnings
    assert warning.where.endswith(PAGE.name) and "partial" in warning.reason
    whole, _, none = parsed(PAGE)
    assert whole[0].partial is None and not none


def test_a_complete_copy_replaces_a_partial_one(tmp_path: Path, capsys) -> None:
    library = tmp_path / "lib.sqlite3"
    assert _import(library, _truncated(tmp_path)) == 0
    out, err = capsys.readouterr()
    assert "imported 1" in out and "warning" in err and "truncated" in err
    with Library.open(library) as lib:
        assert lib.get("09PARIS381").partial
    assert main(["show", "--library", str(library), "09PARIS381"]) == 0
    assert "Partial:        truncated: the page ends inside" in capsys.readouterr().out
    assert _import(library, PAGE) == 0
    assert "updated 1" in capsys.readouterr().out
    with Library.open(library) as lib:
        cable = lib.get("09PARIS381")
        assert cable.partial is None and cable.paragraph(5) is not None
        assert [h.reference_id for h in lib.search("Langer")] == ["09PARIS381"]
    assert _import(library, _truncated(tmp_path)) == 0  # a partial copy never replaces a whole one
    assert "unchanged 1" in capsys.readouterr().out
    with Library.open(library) as lib:
        assert lib.get("09PARIS381").partial is None


def test_a_damaged_stored_record_is_replaced_by_reimporting_it(tmp_path: Path, capsys) -> None:
    library = tmp_path / "lib.sqlite3"
    assert _import(library, PAGE) == 0
    with sqlite3.connect(library) as raw:
        raw.execute("UPDATE bodies SET data = X'00112233'")
    with Library.open(library) as lib, pytest.raises(Exception, match="re-import it"):
        lib.get("09PARIS381")
    capsys.readouterr()
    assert _import(library, PAGE) == 0
    assert "updated 1" in capsys.readouterr().out
    with Library.open(library) as lib:
        assert lib.get("09PARIS381").paragraph(5) is not None
        assert [h.reference_id for h in lib.search("Langer")] == ["09PARIS381"]


# -- 8: charsets -------------------------------------------------------------------------------


def test_a_latin1_page_is_read_with_its_declared_charset(tmp_path: Path) -> None:
    text = _page().decode("utf-8")
    assert "charset" not in text
    text = text.replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    )
    latin = tmp_path / PAGE.name
    latin.write_bytes(text.encode("latin-1"))
    [cable], errors, _ = parsed(latin)
    [whole], _, _ = parsed(PAGE)
    assert not errors and "\ufffd" not in cable.body
    assert [(p.number, p.anchor, p.marking) for p in cable.paragraphs] == [
        (p.number, p.anchor, p.marking) for p in whole.paragraphs
    ]


def test_a_declared_wide_charset_without_a_byte_order_mark_is_read_as_utf8(tmp_path: Path) -> None:
    text = _page().decode("utf-8").replace("<head>", '<head><meta charset="utf-16">')
    page = tmp_path / PAGE.name
    page.write_bytes(text.encode("utf-8"))
    [cable], errors, _ = parsed(page)
    assert not errors and cable.paragraph(5) is not None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_a_page_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    text = _page().decode("utf-8")
    page = tmp_path / PAGE.name
    data = text.encode(encoding)
    page.write_bytes(data if encoding != "utf-16-be" else b"\xfe\xff" + data)
    [cable], errors, _ = parsed(page)
    [whole], _, _ = parsed(PAGE)
    assert not errors
    assert cable.body == whole.body and cable.paragraphs == whole.paragraphs


# -- 10: what libxml2 leaves out ---------------------------------------------------------------


LIBXML2_LIMITS = pytest.mark.parametrize(
    ("inserted", "reason"),
    [
        (b"<b>" * 50_000 + b"deep" + b"</b>" * 50_000, "nested deeper"),
        (b"A" * (11 * 1024 * 1024), "10 MB"),
    ],
    ids=["50000-nested-tags", "11MB-text-node"],
)


@LIBXML2_LIMITS
def test_markup_libxml2_stops_reading_is_refused_never_stored_partial(
    tmp_path: Path, inserted: bytes, reason: str
) -> None:
    data = _page()
    at = data.index(b"<a id='par3'")
    page = tmp_path / PAGE.name
    page.write_bytes(data[:at] + inserted + data[at:])
    cables, errors, _ = parsed(page)
    assert not cables
    [error] = errors
    assert error.where == str(page)
    # the 11 MB page is refused before lxml by the record size limit (point 13)
    assert "libxml2" in error.reason or "MB limit for one record" in error.reason


@LIBXML2_LIMITS
def test_read_html_refuses_what_libxml2_stops_reading(inserted: bytes, reason: str) -> None:
    data = _page()
    at = data.index(b"<a id='par3'")
    with pytest.raises(ParseError, match=f"libxml2 stopped reading the page .*{reason}"):
        read_html(data[:at] + inserted + data[at:])


# -- 7, 11: cables.csv -------------------------------------------------------------------------


def _csv_rows() -> list[CsvRow]:
    """The real page as three cables.csv rows (as the dump has them), ids 1 to 3."""
    [cable], _, _ = parsed(PAGE)
    return [
        CsvRow(
            str(n),
            "3/16/2009 16:23",
            f"09PARIS{380 + n}",
            "Embassy Paris",
            "SECRET//NOFORN",
            "09PARIS264",
            cable.header or "",
            cable.body,
        )
        for n in (1, 2, 3)
    ]


def _csv_text(rows: list[CsvRow]) -> str:
    buffer = io.StringIO(newline="")
    write_rows(buffer, rows)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        lambda line: line.replace("3/16/2009", "3/16/20x9", 1),  # created cell
        lambda line: line[1:],  # opening quote lost
        lambda line: line.replace('","', '", "', 1),  # a stray space
    ],
    ids=["created", "quote", "space"],
)
def test_a_damaged_row_start_costs_that_row_only(tmp_path: Path, damage) -> None:
    text = _csv_text(_csv_rows())
    lines = text.split("\n")
    second = next(i for i, line in enumerate(lines) if line.startswith('"2","'))
    lines[second] = damage(lines[second])
    dump = tmp_path / "cables.csv"
    dump.write_text("\n".join(lines), newline="")
    cables, errors, _ = parsed(dump)
    assert [c.reference_id for c in cables] == ["09PARIS381", "09PARIS383"]
    assert all(len(c.paragraphs) == 5 for c in cables)
    [error] = errors
    assert error.where == f"{dump} row 2 (line {second + 1})"


def test_a_dump_cut_after_an_escaped_quote_is_not_a_complete_row(tmp_path: Path) -> None:
    rows = _csv_rows()[:2]
    rows[1].body = rows[1].body.replace("clear interest", 'clear "interest"')
    text = _csv_text(rows)
    cut = text[: text.rindex('\\"interest') + 2]
    assert cut.endswith('clear \\"')
    dump = tmp_path / "cables.csv"
    dump.write_text(cut, newline="")
    cables, errors, _ = parsed(dump)
    assert [c.reference_id for c in cables] == ["09PARIS381"]
    [error] = errors
    assert error.where.startswith(f"{dump} row 2")


# -- 13: memory --------------------------------------------------------------------------------


def _bomb(path: Path, head: bytes, megabytes: int) -> None:
    """A gzip file that unpacks to `head` and then `megabytes` MB on one line, written in pieces."""
    piece = b"A" * 1_000_000
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(head)
        for _ in range(megabytes):
            out.write(piece)


def test_gzip_bombs_cost_bounded_memory_and_the_next_input_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    page = _page()
    _bomb(folder / "a-page.html.gz", page[: page.index(b"<pre>") + 5], 300)
    row = '"1","3/16/2009 16:23","09PARIS1","Embassy Paris","SECRET","","h","'
    _bomb(folder / "b-dump.csv.gz", row.encode(), 300)
    (folder / PAGE.name).write_bytes(page)
    library = tmp_path / "lib.sqlite3"
    done = subprocess.run(
        [
            "bash",
            "-c",
            'ulimit -v 3000000 && exec "$0" -m cables import --library "$1" "$2"',
            sys.executable,
            str(library),
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "read 3, imported 1, updated 0, unchanged 0, skipped 2" in done.stdout
    assert f"skipped {folder / 'a-page.html.gz'}: over the 64 MB limit" in done.stderr
    assert f"skipped {folder / 'b-dump.csv.gz'} row 1 (line 1): over the 8 MB limit" in done.stderr
    assert "Traceback" not in done.stderr
    with Library.open(library) as lib:
        assert lib.get("09PARIS381") is not None


def test_a_cut_off_gzip_dump_keeps_the_rows_before_the_cut(tmp_path: Path) -> None:
    rows = [*_csv_rows(), *_csv_rows()]
    for n, row in enumerate(rows, 1):
        row.id, row.reference_id = str(n), f"09PARIS{380 + n}"
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb") as out:
        out.write(_csv_text(rows[:4]).encode())
        out.flush()  # everything up to here can be decompressed from the bytes so far
        cut = packed.tell()
        out.write(_csv_text(rows[4:]).encode())
    dump = tmp_path / "cables.csv.gz"
    dump.write_bytes(packed.getvalue()[: cut + 10])
    cables, errors, _ = parsed(dump)
    assert [c.reference_id for c in cables] == [
        "09PARIS381",
        "09PARIS382",
        "09PARIS383",
        "09PARIS384",
    ]
    assert errors[-1].where == str(dump) and errors[-1].reason.startswith("cannot read: ")
