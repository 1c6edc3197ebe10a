"""The `cables.csv` dump: 8 quoted columns, backslash escapes, raw newlines inside fields.

Streamed row by row, never loaded whole (the real file is 1.7 GB); fields can exceed 128 KB.
A corrupted row must not take the rest of the file with it, so the stream is cut into candidate
rows at lines that open a row (`"<id>","M/D/YYYY H:MM","`) and each candidate is read on its own:
an unbalanced quote then costs one row, not every row after it.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from typing import TextIO

from cables.formats import ParseError, RawCable
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


def _split(text: str) -> list[tuple[int, list[str]]]:
    """Rows of `text` with the 0-based line offset each starts at; raises csv.Error."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_Dump)
    rows = []
    offset = 0
    for fields in reader:
        rows.append((offset, fields))
        offset = reader.line_num
    return rows


def _parse_candidate(text: str) -> list[tuple[int, list[str]]]:
    """The rows in one candidate; raises csv.Error where it does not end as whole rows.

    Some dumps write a body ending in a backslash unescaped (`...\\"` closes the row): where the
    candidate only fails that way, the final backslash is read as a literal one.
    """
    try:
        return _split(text)
    except csv.Error:
        stripped = text.rstrip("\r\n")
        if not stripped.endswith('\\"') or stripped.endswith('\\\\"'):
            raise
        return _split(stripped[:-2] + '\\\\"' + text[len(stripped) :])


def read_rows(stream: TextIO) -> Iterator[CsvRow | CsvRowError]:
    """Yield each row, or a CsvRowError for a row with the wrong shape (the stream goes on).

    Open files with `newline=""` so that carriage returns inside fields survive.
    """
    number = 0
    pending: list[str] = []
    start = 1

    def flush() -> Iterator[CsvRow | CsvRowError]:
        nonlocal number
        text = "".join(pending)
        if not text.strip():
            return
        try:
            rows = _parse_candidate(text)
            if ROW_START.match(text) and (len(rows) != 1 or not text.rstrip().endswith('"')):
                raise csv.Error("bad quoting: the row does not end where the next one begins")
        except csv.Error as exc:
            number += 1
            yield CsvRowError(number, str(exc), start)
            return
        for offset, fields in rows:
            number += 1
            if len(fields) == len(COLUMNS):
                yield CsvRow(*fields)
            else:
                message = f"expected {len(COLUMNS)} columns, found {len(fields)}"
                yield CsvRowError(number, message, start + offset)

    for line_no, line in enumerate(stream, 1):
        if pending and ROW_START.match(line):
            yield from flush()
            pending.clear()
            start = line_no
        pending.append(line)
    yield from flush()


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
    """One row as a RawCable: the columns are the metadata, the body column the telegram text."""
    references = [ref.strip() for ref in row.references.split("|") if ref.strip()]
    return RawCable(
        source=source,
        body=row.body,
        header=row.header or None,
        reference_id=row.reference_id.strip() or None,
        created=iso_created(row.created),
        classification=row.classification.strip() or None,
        origin=row.origin.strip() or None,
        references=references,
    )


def read_csv(stream: TextIO, path: str) -> Iterator[RawCable | ParseError]:
    """Every row of a dump as a RawCable, or a ParseError naming the file and row."""
    for number, item in enumerate(read_rows(stream), 1):
        if isinstance(item, CsvRowError):
            yield ParseError(f"{path} row {item.row} (line {item.line})", item.reason)
            continue
        try:
            yield to_raw(item, Source(path, record=number))
        except ValueError as exc:
            yield ParseError(f"{path} row {number}", str(exc))
