"""The `cables.csv` dump: 8 quoted columns, backslash escapes, raw newlines inside fields.

Streamed row by row, never loaded whole (the real file is 1.7 GB); fields can exceed 128 KB.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from typing import TextIO

COLUMNS = ("id", "created", "reference_id", "origin", "classification", "references", "header",
           "body")

csv.field_size_limit(sys.maxsize)


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
    """A row that cannot be read as the 8 columns; carries the 1-based row number."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"row {row}: {message}")
        self.row = row


def _dialect() -> dict[str, object]:
    return {"quoting": csv.QUOTE_ALL, "escapechar": "\\", "doublequote": False, "strict": False}


def read_rows(stream: TextIO) -> Iterator[CsvRow | CsvRowError]:
    """Yield each row, or a CsvRowError for a row with the wrong shape (the stream goes on)."""
    reader = csv.reader(stream, **_dialect())  # type: ignore[arg-type]
    number = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield CsvRowError(number, str(exc))
            continue
        number += 1
        if len(fields) != len(COLUMNS):
            yield CsvRowError(number, f"expected {len(COLUMNS)} columns, found {len(fields)}")
            continue
        yield CsvRow(*fields)


def write_rows(stream: TextIO, rows: Iterable[CsvRow]) -> None:
    """Write rows exactly as the dump does, so `read_rows` gives back the same 8 values."""
    writer = csv.writer(stream, lineterminator="\n", **_dialect())  # type: ignore[arg-type]
    for row in rows:
        writer.writerow(astuple(row))
