"""Random and mutated input to every reader and to parse_path: no crash, only clear ParseErrors."""

from __future__ import annotations

import gzip
import io
import itertools
from dataclasses import astuple

from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.formats import ParseError, RawCable
from cables.formats.csvdump import (
    _ONE_ROW_RE,
    CsvRow,
    CsvRowError,
    PendingRow,
    _is_one_row,
    _read_rows,
    read_csv,
    read_rows,
    write_rows,
)
from cables.formats.text import find_records, read_records, read_rendered, read_telegram
from cables.model import Cable, Source
from cables.parsing import parse_path, split_glued

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_counter = itertools.count()

# Text biased towards what the readers look for, so random input reaches deep into them.
PIECES = st.sampled_from(
    [
        "\n",
        " ",
        "\t",
        "\\\n",
        "\u00b6",
        "1.",
        "12.",
        "**11.**",
        "(S//NF)",
        "(C)",
        "(U)",
        "UNCLAS TEHRAN 1164",
        "S E C R E T",
        "CONFIDENTIAL SECTION 01 OF 02 PARIS 000997",
        "O 141611Z APR 09",
        "R 250930Z FEB 72 ZDK",
        "VZCZCXRO4815",
        "FM AMEMBASSY PARIS",
        "TAGS: PINT IR",
        "SUBJECT: X",
        "REF: A. STATE 1",
        "MEXICO 00001055 002 OF 004",
        "---",
        "2007-09-11 09:44:00",
        "07BERN881",
        "Embassy Bern",
        "SECRET//NOFORN",
        "08STATE15228",
        "121752\t2007-09-11 12:50:00\t07TBILISI2290\tEmbassy Tbilisi\tUNCLASSIFIED\t\tVZ\\\n",
        "Reference ID\tCreated\tReleased\tClassification\tOrigin\n",
        '<a href="#">09MEXICO1055</a>\t2009-04-14 16:11\t2011-08-30 01:44\t<a href="#">C</a>\tE\n',
        "Appears in these articles:\n",
        "<http://x.example/a>",
        "\x1b[31m",
        "\r\n",
        "\x00",
        "<html>",
        "<pre>",
        "</pre>",
        "<table class='cable'>",
        "<a id='par1' href='#par1'>",
        "&#x000A;",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=40).map("".join)


def _check(items: list[Cable | ParseError]) -> None:
    for item in items:
        assert isinstance(item, Cable | ParseError), item
        if isinstance(item, ParseError):
            assert item.where and item.reason, item
            assert "internal error" not in item.reason, item
        else:
            assert "\x1b" not in item.body and "\x00" not in item.body


@SETTINGS
@given(TEXT)
def test_text_readers_take_any_text(text):
    source = Source("fuzz.txt")
    for reader in (read_rendered, read_telegram):
        try:
            raw = reader(text, source)
        except ParseError as exc:
            assert exc.reason
            continue
        assert isinstance(raw, RawCable)
        split_glued(raw)
    for record in find_records(text):
        assert 0 <= record.start <= record.end <= len(text)
    for item in read_records(text, "fuzz.txt"):
        assert isinstance(item, RawCable | ParseError)


@SETTINGS
@given(
    st.lists(st.one_of(TEXT, st.binary(max_size=30).map(lambda b: b.decode("latin-1"))), max_size=6)
)
def test_csv_reader_takes_any_text(parts):
    text = "".join(parts)
    for item in read_rows(io.StringIO(text, newline="")):
        assert isinstance(item, CsvRow) or str(item).startswith("row ")
    for item in read_csv(io.StringIO('"1","1/1/2000 1:00","' + text, newline=""), "f.csv"):
        assert isinstance(item, RawCable) or item.where.startswith("f.csv row ")


FIELD = st.one_of(TEXT, st.text(alphabet='"\\\n\r,x ', max_size=20))


@SETTINGS
@given(st.lists(st.tuples(*[FIELD] * 8), min_size=1, max_size=4))
def test_any_8_values_round_trip_through_the_dump_format(values):
    rows = [CsvRow(*v) for v in values]
    buffer = io.StringIO(newline="")
    write_rows(buffer, rows)
    buffer.seek(0)
    assert list(read_rows(buffer)) == rows


def _rows_read(text: str, lazy: bool) -> list[tuple[object, ...]]:
    """Every row (its values) and every error (row, line, reason) read from `text`."""
    out: list[tuple[object, ...]] = []
    for item in _read_rows(io.StringIO(text, newline=""), lazy):
        if isinstance(item, CsvRowError):
            out.append((item.row, item.line, item.reason))
        else:
            out.append(astuple(item.row() if isinstance(item, PendingRow) else item))
    return out


@SETTINGS
@given(
    st.lists(st.tuples(*[FIELD] * 8), min_size=1, max_size=4),
    st.lists(st.one_of(TEXT, st.sampled_from(['"', "\\", ",", "\r", "\x00"])), max_size=4),
    st.integers(min_value=0, max_value=400),
)
def test_rows_left_unsplit_are_the_rows_the_csv_module_reads(values, junk, at):
    # An import splits a row into columns only in the process that parses it: every row it
    # leaves pending must come out as the eager reading gives it, damaged dumps included.
    buffer = io.StringIO(newline="")
    write_rows(buffer, [CsvRow("1", "1/1/2000 1:00", *v[2:]) for v in values])
    text = buffer.getvalue()
    text = text[:at] + "".join(junk) + text[at:]
    assert _rows_read(text, lazy=True) == _rows_read(text, lazy=False)
    for row in [*text.splitlines(keepends=True), text]:  # the fast test is the pattern's
        assert _is_one_row(row) == (_ONE_ROW_RE.fullmatch(row) is not None)


@SETTINGS
@given(st.binary(max_size=400) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_path_takes_any_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / f"f{next(_counter)}"
    path.write_bytes(data)
    _check(list(parse_path(path)))
    path.write_bytes(gzip.compress(data))
    _check(list(parse_path(path)))


REAL = [
    "09MEXICO1055.rendered.txt",
    "09PARIS997.tika.txt",
    "07BERN881.html",
    "73TEHRAN8233.html",
    "06NEWDELHI5239.tika.txt",
]


@SETTINGS
@given(
    st.sampled_from(REAL),
    st.lists(
        st.tuples(
            st.sampled_from(["cut", "drop", "dup", "insert"]),
            st.floats(0, 1),
            st.floats(0, 1),
            TEXT,
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_real_files_give_cables_or_clear_errors(tmp_path_factory, name, mutations):
    data = (FIXTURES / name).read_bytes()
    for kind, a, b, text in mutations:
        i, j = sorted((int(a * len(data)), int(b * len(data))))
        if kind == "cut":
            data = data[:j]
        elif kind == "drop":
            data = data[:i] + data[j:]
        elif kind == "dup":
            data = data[:j] + data[i:j] + data[j:]
        else:
            data = data[:i] + text.encode("utf-8", "surrogatepass") + data[i:]
    path = tmp_path_factory.mktemp("mut") / name
    path.write_bytes(data)
    _check(list(parse_path(path)))
