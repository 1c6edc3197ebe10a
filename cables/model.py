"""The cable model: what every parser produces and everything downstream reads.

Plain dataclasses with no behaviour beyond derived values, so that a cable read back from the
library compares equal to the cable the parser produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """Classification level of a paragraph or a cable, lowest to highest (then unmarked)."""

    U = "U"
    SBU = "SBU"
    C = "C"
    S = "S"
    TS = "TS"
    UNMARKED = "unmarked"

    @property
    def rank(self) -> int:
        """Order for "highest level" comparisons; unmarked sorts lowest."""
        return _RANK[self]

    @property
    def label(self) -> str:
        """The banner word for the level, for legends and plain-text output."""
        return _LABEL[self]


_RANK = {Level.UNMARKED: 0, Level.U: 1, Level.SBU: 2, Level.C: 3, Level.S: 4, Level.TS: 5}
_LABEL = {
    Level.UNMARKED: "UNMARKED",
    Level.U: "UNCLASSIFIED",
    Level.SBU: "SBU/CUI",
    Level.C: "CONFIDENTIAL",
    Level.S: "SECRET",
    Level.TS: "TOP SECRET",
}


@dataclass(frozen=True, slots=True)
class Marking:
    """A parsed portion marking: the level plus its caveats (NF, REL TO NATO, FGI, FOUO ...)."""

    level: Level
    caveats: tuple[str, ...] = ()


@dataclass(slots=True)
class Paragraph:
    """One paragraph of a cable body.

    `number` is the number the cable means (None where it numbers none); `anchor` is the
    published anchor id (`par3`), or `par<number>` where the format publishes none.
    """

    number: int | None
    anchor: str | None
    marking: str | None
    parsed: Marking | None
    text: str
    section: str | None = None

    @property
    def level(self) -> Level:
        return self.parsed.level if self.parsed else Level.UNMARKED


@dataclass(slots=True)
class Source:
    """Where a cable was read from: the file, and the row or record number where a file has many."""

    path: str
    record: int | None = None
    recovered_from: str | None = None  # reference id of the page this cable was found glued onto

    def describe(self) -> str:
        """One human line, e.g. `cables.csv row 17` or `07BERN881.html (recovered)`."""
        text = self.path if self.record is None else f"{self.path} record {self.record}"
        if self.recovered_from:
            text += f" (recovered from the page of {self.recovered_from})"
        return text


@dataclass(slots=True)
class Cable:
    """A diplomatic cable as published, with its body read into paragraphs.

    Dates are the published UTC values as `YYYY-MM-DDTHH:MM` strings (None where the format
    carries none): strings sort correctly, store in SQLite as they are, and print as the JSON needs.
    """

    reference_id: str
    created: str | None = None
    released: str | None = None
    created_dtg: str | None = None  # the date-time group, e.g. "O 141611Z APR 09"
    # When it was sent (UTC): the DTG's date-time where there is one, else `created` (many
    # pages' Created cells carry wrong minutes; `created` keeps what the page states).
    sent: str | None = None
    classification: str | None = None  # header value, e.g. "SECRET//NOFORN"
    level: Level = Level.UNMARKED
    origin: str | None = None
    subject: str | None = None
    tags: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # canonical ids the REF block cites
    ref_text: str | None = None  # the REF block as written
    header: str | None = None  # routing header (first <pre>, or the header column)
    caveats: list[str] = field(default_factory=list)  # NOFORN, SIPDIS, EXDIS ...
    classified_by: str | None = None
    sections: list[str] = field(default_factory=list)  # section headings in order
    articles: list[str] = field(default_factory=list)  # press articles listed on the page
    paragraphs: list[Paragraph] = field(default_factory=list)
    body: str = ""  # the telegram text exactly as published (sanitised), for the "original" view
    source: Source | None = None
    synthetic: bool = False
    partial: str | None = None  # why the text is incomplete (a truncated page); None: whole

    def __post_init__(self) -> None:
        if self.sent is None:
            self.sent = self.created  # no DTG: the page's own date is the best there is

    def paragraph(self, number: int) -> Paragraph | None:
        """The first paragraph the cable numbers `number`."""
        return next((p for p in self.paragraphs if p.number == number), None)
