"""The cables.csv dump: exact round trips, real quirks, and corrupted rows costing one row only."""

from __future__ import annotations

import io
import itertools

import pytest

from cables.formats import ParseError, RawCable
from cables.formats.csvdump import (
    CsvRow,
    CsvRowError,
    iso_created,
    read_csv,
    read_rows,
    to_raw,
    write_rows,
)
from cables.model import Source

REAL_PREFIXES = (
    '"1","12/28/1966 18:48","66BUENOSAIRES2481","Embassy Buenos Aires","UNCLASSIFIED",'
    '"66STATE106206","P R 281848Z DEC 66","UNCLASSIFIED BUENOS AIRES 2481"\n'
    '"2","2/25/1972 9:30","72TEHRAN1164","Embassy Tehran","UNCLASSIFIED",'
    '"72MOSCOW1603|72TEHRAN1091|72TEHRAN263","R 250930Z FEB 72","UNCLAS TEHRAN 1164"\n'
)


def _row(n: int, body: str, header: str = "R 250930Z FEB 72\nFM AMEMBASSY TEHRAN") -> CsvRow:
    return CsvRow(
        str(n),
        "2/25/1972 9:30",
        f"72TEHRAN{n}",
        "Embassy Tehran",
        "UNCLASSIFIED",
        "72MOSCOW1603|72TEHRAN1091",
        header,
        body,
    )


def _round_trip(rows: list[CsvRow]) -> list[CsvRow | CsvRowError]:
    buffer = io.StringIO(newline="")
    write_rows(buffer, rows)
    buffer.seek(0)
    return list(read_rows(buffer))


@pytest.mark.parametrize(
    "body",
    [
        'He said "no" and left.\n\n¶2. (C) Then "yes".',
        "a body ending in a backslash \\",
        "two backslashes \\\\ and one \\ in the middle\\\n\\",
        "raw newlines\nand CRLF\r\nand a lone CR\rinside",
        '"quoted from the first character to the last"',
        "",
    ],
)
def test_a_row_written_and_read_back_gives_the_same_8_values(body):
    rows = [_row(1, body), _row(2, body, header='header "with" \\ quotes\n')]
    assert _round_trip(rows) == rows


def test_fields_over_128_kb_round_trip():
    big = ("¶1. (S) " + "x" * 70 + "\n") * 3000
    assert len(big) > 128 * 1024
    rows = [_row(1, big), _row(2, "short")]
    assert _round_trip(rows) == rows


def test_real_row_prefixes_read_as_8_columns():
    rows = list(read_rows(io.StringIO(REAL_PREFIXES, newline="")))
    assert rows[0] == CsvRow(
        "1",
        "12/28/1966 18:48",
        "66BUENOSAIRES2481",
        "Embassy Buenos Aires",
        "UNCLASSIFIED",
        "66STATE106206",
        "P R 281848Z DEC 66",
        "UNCLASSIFIED BUENOS AIRES 2481",
    )
    assert rows[1].references == "72MOSCOW1603|72TEHRAN1091|72TEHRAN263"


def test_backslash_newline_continuations_read_as_newlines():
    text = '"7","1/2/2003 4:05","03X7","o","SECRET","","h","line one \\\nline two"\n'
    [row] = read_rows(io.StringIO(text, newline=""))
    assert isinstance(row, CsvRow)
    assert row.body == "line one \nline two"


def test_a_body_ending_in_an_unescaped_backslash_keeps_its_backslash_and_the_next_row():
    text = (
        '"1","1/2/2003 4:05","03X1","o","SECRET","","h","ends in \\"\n'
        '"2","1/2/2003 4:06","03X2","o","SECRET","","h","next"\n'
    )
    rows = list(read_rows(io.StringIO(text, newline="")))
    assert [r.body for r in rows if isinstance(r, CsvRow)] == ["ends in \\", "next"]


def test_corrupted_rows_cost_one_row_each_and_the_rest_goes_on():
    text = (
        '"1","1/2/2003 4:05","03X1","o","SECRET","","h","fine"\n'
        '"2","1/2/2003 4:05","03X2","o","SECRET","h","only seven"\n'
        '"3","1/2/2003 4:05","03X3","o","SECRET","","h","unbalanced "quote\n'
        "and a second line\n"
        '"4","1/2/2003 4:05","03X4","o","SECRET","","h","also fine"\n'
    )
    items = list(read_rows(io.StringIO(text, newline="")))
    assert [type(i).__name__ for i in items] == ["CsvRow", "CsvRowError", "CsvRowError", "CsvRow"]
    assert str(items[1]) == "row 2 (line 2): expected 8 columns, found 7"
    assert str(items[2]).startswith("row 3 (line 3): bad quoting")
    assert items[3].body == "also fine"


def test_an_unterminated_last_row_is_an_error_not_a_hang():
    text = '"1","1/2/2003 4:05","03X1","o","SECRET","","h","never closed\nmore\n'
    [item] = read_rows(io.StringIO(text, newline=""))
    assert isinstance(item, CsvRowError)
    assert "row 1 (line 1)" in str(item)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("12/28/1966 18:48", "1966-12-28T18:48"),
        ("2/25/1972 9:30", "1972-02-25T09:30"),
        ("1/1/2010 0:00", "2010-01-01T00:00"),
    ],
)
def test_created_becomes_iso(value, iso):
    assert iso_created(value) == iso


@pytest.mark.parametrize("value", ["13/1/2001 1:00", "1/1/2001 25:00", "2001-01-01 01:00", ""])
def test_a_bad_created_value_is_refused(value):
    with pytest.raises(ValueError, match="created"):
        iso_created(value)


def test_a_row_becomes_a_raw_cable():
    [row] = read_rows(io.StringIO(REAL_PREFIXES.splitlines(keepends=True)[1], newline=""))
    assert isinstance(row, CsvRow)
    raw = to_raw(row, Source("cables.csv", record=2))
    assert raw == RawCable(
        source=Source("cables.csv", record=2),
        body="UNCLAS TEHRAN 1164",
        header="R 250930Z FEB 72",
        reference_id="72TEHRAN1164",
        created="1972-02-25T09:30",
        classification="UNCLASSIFIED",
        origin="Embassy Tehran",
        references=["72MOSCOW1603", "72TEHRAN1091", "72TEHRAN263"],
    )


def test_read_csv_names_the_file_and_row_of_each_error():
    text = (
        REAL_PREFIXES + '"3","99/99/1972 9:30","72X3","o","c","","h","b"\n'
        '"4","1/2/1972 9:30","bad"\n'
    )
    items = list(read_csv(io.StringIO(text, newline=""), "dump.csv"))
    # A created value that is not a date goes on as written, for the shared check to drop
    # with a warning (the cable is kept: tests/test_hostile_input.py).
    raws = [i for i in items if isinstance(i, RawCable)]
    assert [i.source.record for i in raws] == [1, 2, 3]
    assert raws[2].created == "99/99/1972 9:30"
    errors = [i for i in items if isinstance(i, ParseError)]
    assert [e.where for e in errors] == ["dump.csv row 4 (line 4)"]
    assert errors[0].reason == "expected 8 columns, found 3"


def test_rows_stream_from_an_endless_source():
    """Rows come out as they are read: an endless dump still yields its first rows."""
    lines = itertools.cycle(
        ['"1","1/2/2003 4:05","03X1","o","SECRET","","h","line one\n', 'line two"\n']
    )

    class Endless:
        def read(self, size: int = -1) -> str:
            return next(lines)

    rows = list(itertools.islice(read_rows(Endless()), 1000))  # type: ignore[arg-type]
    assert len(rows) == 1000
    assert all(isinstance(r, CsvRow) and r.body == "line one\nline two" for r in rows)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_rows_and_line_numbers_with_any_line_end(end: str) -> None:
    rows = [_row(1, "a\nb"), _row(2, "c"), _row(3, "d\n\ne")]  # every \n becomes `end`
    buffer = io.StringIO(newline="")
    write_rows(buffer, rows)
    text = buffer.getvalue().replace("\n", end)
    second = text.index('"2","')  # row 2 loses a column: an error naming its line
    text = text[:second] + text[second:].replace('"Embassy Tehran",', "", 1)
    items = list(read_rows(io.StringIO(text, newline="")))
    assert [type(i).__name__ for i in items] == ["CsvRow", "CsvRowError", "CsvRow"]
    assert str(items[1]).startswith("row 2 (line 4)")
    assert items[2].body == f"d{end}{end}e"
