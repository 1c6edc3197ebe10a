"""The `cables.csv` dump: 8 quoted columns, backslash escapes, raw newlines inside fields.

Streamed row by row, never loaded whole (the real file is 1.7 GB); fields can exceed 128 KB, and
a row over `MAX_RECORD` is skipped with its reason without ever being held whole.
A corrupted row must not take the rest of the file with it, so the stream is cut into candidate
rows at lines that open a row (`"<id>","M/D/YYYY H:MM","`) and each candidate is read on its own:
an unbalanced quote then costs one row, not every row after it.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple, dataclass
from functools import partial
from typing import TextIO

from cables.formats import MAX_RECORD, TOO_LARGE_RECORD, ParseError, RawCable
from cables.model import Source

COLUMNS = (
    "id",
    "created",
    "reference_id",
    "origin",
    "classification",
    "references",
    "header",
    "body",
)

csv.field_size_limit(sys.maxsize)

# The first line of every real row: numeric id, then the unpadded `M/D/YYYY H:MM` created value.
ROW_START = re.compile(r'"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d","')
_PIECE = 1 << 16  # characters read at a time (a cut .gz loses at most the piece it ends in)
# A row start after a line end, for cutting a stream into candidates: literal first characters
# let the regex engine skip ahead fast (a look-behind costs 40 times more); CR alone is rare.
_AFTER_LF = re.compile("\n" + ROW_START.pattern)
_AFTER_CR = re.compile("\r" + ROW_START.pattern)
_OVERLAP = 64  # longer than any row start: a piece may end inside one
_DAMAGED = 'damaged row start (not "<id>","M/D/YYYY H:MM","); the row is skipped'
_ID_CELL = re.compile(r'\s*"?\s*\d+\s*"?\s*,')
_CREATED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d\d)")


@dataclass(slots=True)
class CsvRow:
    """One row as its 8 column values, untouched (created is `M/D/YYYY H:MM`)."""

    id: str
    created: str
    reference_id: str
    origin: str
    classification: str
    references: str  # pipe-separated
    header: str
    body: str


class CsvRowError(ValueError):
    """A row that cannot be read as the 8 columns; carries the 1-based row and line numbers."""

    def __init__(self, row: int, message: str, line: int | None = None) -> None:
        where = f"row {row}" if line is None else f"row {row} (line {line})"
        super().__init__(f"{where}: {message}")
        self.row = row
        self.line = line
        self.reason = message


class _Dump(csv.Dialect):
    """The cables.csv dialect: every field quoted, quotes escaped with a backslash."""

    delimiter = ","
    quotechar = '"'
    quoting = csv.QUOTE_ALL
    escapechar = "\\"
    doublequote = False
    strict = True
    skipinitialspace = False
    lineterminator = "\n"


Rows = list[tuple[int, list[str]]]

# A candidate that is one whole row and nothing else: 8 quoted fields (any character raw but a
# quote, a backslash or NUL; a backslash escapes any but NUL), a line end after the last. The csv
# module reads such a text as exactly that one row, so its split can wait (`PendingRow`).
_FIELD = r'"[^"\\\x00]*+(?:\\[^\x00][^"\\\x00]*+)*+"'
_ONE_ROW_RE = re.compile(rf"{_FIELD}(?:,{_FIELD}){{{len(COLUMNS) - 1}}}\r?\n")


def _is_one_row(text: str) -> bool:
    """Whether `_ONE_ROW_RE` matches the whole of `text`; found by string searches where it
    holds no backslash (most rows), four times faster than the pattern: every quote then opens
    or closes a field."""
    if "\\" in text or "\x00" in text:
        return _ONE_ROW_RE.fullmatch(text) is not None
    if text[:1] != '"' or text.count('"') != 2 * len(COLUMNS):
        return False
    at = 0  # the quote opening a field
    for _ in range(len(COLUMNS) - 1):
        at = text.find('"', at + 1)  # the quote closing it
        if text[at + 1 : at + 3] != ',"':
            return False
        at += 2
    return text[text.find('"', at + 1) + 1 :] in ("\n", "\r\n")


@dataclass(slots=True, frozen=True)
class PendingRow:
    """A candidate known to be one whole row, its columns not split yet: an import's parsing
    processes read every row to number them, and each splits only the rows it parses."""

    text: str

    def row(self) -> CsvRow:
        rows, _ = _split(self.text)
        return CsvRow(*rows[0][1])


def _split(text: str) -> tuple[Rows, csv.Error | None]:
    """Rows of `text` with the 0-based line offset each starts at, up to the first error."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_Dump)
    rows = []
    offset = 0
    try:
        for fields in reader:
            rows.append((offset, fields))
            offset = reader.line_num
    except csv.Error as exc:
        return rows, exc
    return rows, None


def _damaged_start(text: str, rows: Rows) -> int | None:
    """The 0-based line where a row with a damaged start begins, right after a whole first row.

    A damaged start (a bad created cell, a lost quote, a stray space) does not open a candidate
    of its own, so its lines join the row before it; the csv reader then ends the first row at
    a line ending in a quote and reads on from a line that begins with an id cell.
    """
    if not rows or len(rows[0][1]) != len(COLUMNS):
        return None
    lines = io.StringIO(text, newline="").readlines()
    for i in range(1, len(lines)):
        if lines[i - 1].rstrip("\r\n").endswith('"') and _ID_CELL.match(lines[i]):
            first, _ = _split("".join(lines[:i]))
            if len(first) == 1 and first[0][1] == rows[0][1]:
                return i
    return None


def _parse_candidate(text: str) -> tuple[Rows, csv.Error | None]:
    """The rows in one candidate, and the error where it does not end as whole rows.

    Some dumps write a body ending in a backslash unescaped (`...\\"` closes the row): where the
    candidate only fails that way, the final backslash is read as a literal one. A candidate that
    stops right after `\\"` with no line end is a dump cut off after an escaped quote: no row.
    """
    rows, error = _split(text)
    if error is None:
        if text.endswith('\\"') and not text.endswith('\\\\"'):
            return rows, csv.Error("the file ends inside a field (cut off after an escaped quote)")
        return rows, None
    stripped = text.rstrip("\r\n")
    if stripped == text or not stripped.endswith('\\"') or stripped.endswith('\\\\"'):
        return rows, error
    fixed, again = _split(stripped[:-2] + '\\\\"' + text[len(stripped) :])
    return (fixed, None) if again is None else (rows, error)


def read_rows(stream: TextIO) -> Iterator[CsvRow | CsvRowError]:
    """Yield each row, or a CsvRowError for a row with the wrong shape (the stream goes on).

    Open files with `newline=""` so that carriage returns inside fields survive.
    """
    for item in _read_rows(stream, lazy=False):
        yield item.row() if isinstance(item, PendingRow) else item


def _read_rows(stream: TextIO, lazy: bool) -> Iterator[CsvRow | CsvRowError | PendingRow]:
    """`read_rows`, where `lazy` leaves each whole row that needs no check as a `PendingRow`."""
    number = 0
    start = 1  # the line the current candidate starts on

    def flush(text: str) -> Iterator[CsvRow | CsvRowError | PendingRow]:
        nonlocal number
        if not text.strip():
            return
        if lazy and _is_one_row(text):
            number += 1
            yield PendingRow(text)
            return
        rows, error = _parse_candidate(text)
        if ROW_START.match(text):
            whole = error is None and len(rows) == 1 and text.rstrip().endswith('"')
            damaged = None if whole else _damaged_start(text, rows)
            if damaged is not None:  # keep the whole row; name the damaged one from its line
                number += 1
                yield CsvRow(*rows[0][1])
                number += 1
                yield CsvRowError(number, _DAMAGED, start + damaged)
                return
            if not whole:
                number += 1
                reason = error or "bad quoting: the row does not end where the next one begins"
                yield CsvRowError(number, str(reason), start)
                return
        elif error is not None:
            number += 1
            yield CsvRowError(number, str(error), start)
            return
        for offset, fields in rows:
            number += 1
            if len(fields) == len(COLUMNS):
                yield CsvRow(*fields)
            else:
                message = f"expected {len(COLUMNS)} columns, found {len(fields)}"
                yield CsvRowError(number, message, start + offset)

    def too_large() -> CsvRowError:
        nonlocal number
        number += 1
        return CsvRowError(number, TOO_LARGE_RECORD, start)

    # Read in pieces and cut candidates where a line opens a row: the scan runs in C (no Python
    # work per line), and memory stays bounded however long a line or a row is.
    buffer = ""  # from the current candidate's first character
    scan = 1  # where the search for the next row start resumes
    oversize = False  # the current candidate passed MAX_RECORD: its text is being dropped
    dropped = 0  # the line ends in the text dropped
    failure: Exception | None = None
    while True:
        try:
            piece = stream.read(_PIECE)
        except (OSError, EOFError, zlib.error) as exc:  # a cut or damaged .gz: rows read stand
            piece, failure = "", exc
        buffer += piece
        cut = 0
        for at in _row_starts(buffer, scan):
            text = buffer[cut:at]
            if oversize or len(text) > MAX_RECORD:
                yield too_large()
            else:
                yield from flush(text)
            start += dropped + _line_ends(text)
            oversize, dropped, cut = False, 0, at
        buffer = buffer[cut:]
        if not piece:
            break
        if len(buffer) > MAX_RECORD + _PIECE:  # keep only a tail that may hold a row start
            oversize = True
            dropped += _line_ends(buffer[:-_OVERLAP])
            buffer = buffer[-_OVERLAP:]
        scan = max(1, len(buffer) - _OVERLAP)
    if failure is not None:  # the last candidate may be cut short: never a complete row
        raise failure
    if oversize or len(buffer) > MAX_RECORD:
        yield too_large()
    else:
        yield from flush(buffer)


def _row_starts(buffer: str, scan: int) -> list[int]:
    """Where rows start in `buffer` at `scan` or later: each right after a line end."""
    starts = [m.start() + 1 for m in _AFTER_LF.finditer(buffer, scan - 1)]
    if "\r" in buffer:
        starts = sorted(starts + [m.start() + 1 for m in _AFTER_CR.finditer(buffer, scan - 1)])
    return starts


def _line_ends(text: str) -> int:
    """Lines ended in `text` (LF, CRLF or a lone CR, as a stream opened with newline="")."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def write_rows(stream: TextIO, rows: Iterable[CsvRow]) -> None:
    """Write rows exactly as the dump does, so `read_rows` gives back the same 8 values."""
    writer = csv.writer(stream, dialect=_Dump)
    for row in rows:
        writer.writerow(astuple(row))


def iso_created(value: str) -> str:
    """`12/28/1966 18:48` -> `1966-12-28T18:48`; ValueError names a value that is not a date."""
    m = _CREATED.fullmatch(value.strip())
    if not m:
        raise ValueError(f"created {value[:40]!r} is not M/D/YYYY H:MM")
    month, day, year, hour, minute = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59):
        raise ValueError(f"created {value[:40]!r} is not a valid date and time")
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"


def to_raw(row: CsvRow, source: Source) -> RawCable:
    """One row as a RawCable: the columns are the metadata, the body column the telegram text.

    A created value that is not a date is passed on as written: the shared check after the
    body reader drops it with a warning and keeps the cable.
    """
    references = [ref.strip() for ref in row.references.split("|") if ref.strip()]
    try:
        created = iso_created(row.created)
    except ValueError:
        created = row.created
    return RawCable(
        source=source,
        body=row.body,
        header=row.header or None,
        reference_id=row.reference_id.strip() or None,
        created=created,
        classification=row.classification.strip() or None,
        origin=row.origin.strip() or None,
        references=references,
    )


def read_csv(stream: TextIO, path: str) -> Iterator[RawCable | ParseError]:
    """Every row of a dump as a RawCable, or a ParseError naming the file and row."""
    for item in read_csv_later(stream, path):
        if isinstance(item, ParseError):
            yield item
            continue
        try:
            yield item()
        except ParseError as exc:
            yield exc


def read_csv_later(stream: TextIO, path: str) -> Iterator[ParseError | Callable[[], RawCable]]:
    """`read_csv`, each row's RawCable made when called (ParseError raised where it cannot be):
    the rows are read and numbered here, and split into columns only for the caller that wants
    them (each of an import's parsing processes parses every n-th row)."""
    for number, item in enumerate(_read_rows(stream, lazy=True), 1):
        if isinstance(item, CsvRowError):
            yield ParseError(f"{path} row {item.row} (line {item.line})", item.reason)
        else:
            yield partial(_to_raw_later, item, path, number)


def _to_raw_later(item: CsvRow | PendingRow, path: str, number: int) -> RawCable:
    try:
        return to_raw(item.row() if isinstance(item, PendingRow) else item, Source(path, number))
    except ValueError as exc:
        raise ParseError(f"{path} row {number}", str(exc)) from None
