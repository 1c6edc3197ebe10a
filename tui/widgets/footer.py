"""The cable footer: reference id, dates, origin, classification and the current paragraph.

Always every field: at 80 columns the labels and the classification abbreviate (`C//NF`), and
if even that does not fit the footer takes two lines rather than dropping one. Its height
depends on the width only (the lines the widest ordinary footer takes there), so opening a cable
or moving between paragraphs repaints it without laying out the screen.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from cables.model import Cable, Paragraph, Source
from cables.sanitize import clean_line
from tui.widgets.levels import CODE

_ABBREVIATIONS = (
    ("TOP SECRET", "TS"),
    ("UNCLASSIFIED", "U"),
    ("CONFIDENTIAL", "C"),
    ("SECRET", "S"),
    ("FOR OFFICIAL USE ONLY", "FOUO"),
    ("SENSITIVE BUT UNCLASSIFIED", "SBU"),
    ("NOFORN", "NF"),
)
_ORIGIN_ABBREVIATIONS = (
    ("Embassy ", "Emb. "),
    ("Consulate ", "Cons. "),
    ("Secretary of State", "SecState"),
    ("Mission ", "Msn. "),
)
_SEP = " │ "


def abbreviate_classification(value: str) -> str:
    """`SECRET//NOFORN` -> `S//NF`, the portion-marking form."""
    for word, short in _ABBREVIATIONS:
        value = re.sub(rf"\b{word}\b", short, value, flags=re.IGNORECASE)
    return value


def abbreviate_origin(value: str) -> str:
    for word, short in _ORIGIN_ABBREVIATIONS:
        value = value.replace(word, short)
    return value


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def paragraph_number(cable: Cable, index: int) -> str:
    """The paragraph's number as published (what `#parN` links to), with its position where
    the number alone does not say which one it is: `4`, `6 (7th of 8)`, `– (1st of 50)`."""
    paragraph = cable.paragraphs[index]
    total = len(cable.paragraphs)
    if paragraph.number is None:
        return f"– ({ordinal(index + 1)} of {total})"
    if sum(p.number == paragraph.number for p in cable.paragraphs) > 1:
        return f"{paragraph.number} ({ordinal(index + 1)} of {total})"
    return str(paragraph.number)


def paragraph_position(cable: Cable, index: int) -> str:
    """`¶ 4/13` (number as published / count), or with its position: `¶ 6 (7th of 8)`."""
    total = len(cable.paragraphs)
    if not total:
        return "¶ none"
    number = paragraph_number(cable, index)
    return f"¶ {number}" if "(" in number else f"¶ {number}/{total}"


def paragraph_ref(cable: Cable, index: int) -> str:
    """`09MEXICO1055 ¶4` (or `¶6, 7th of 8`): a paragraph named for notices and citations."""
    number = paragraph_number(cable, index).replace(" (", ", ").rstrip(")")
    return f"{cable.reference_id} ¶{number}"


def marking_label(paragraph: Paragraph) -> str:
    """The marking as the reader sees it: `(S//NF)`, `(S, entire text)`, or `(unmarked)`."""
    if paragraph.marking:
        return f"({clean_line(paragraph.marking).strip('() ')})"
    if paragraph.parsed is not None:  # given by a whole-text marking, not one of its own
        return f"({CODE[paragraph.level]}, entire text)"
    return "(unmarked)"


RELIABLE_RELEASE_TIMES = "2011-08-30"  # only the final regeneration's pages carry true times


def sent_time(cable: Cable) -> str | None:
    """`16:11`: when the cable was sent (`sent`, from its DTG, UTC), where it has a DTG that
    agrees with the created date (without one, `sent` is only the page's Created value)."""
    if not cable.created_dtg or not cable.sent or not cable.created:
        return None
    if cable.sent[:10] != cable.created[:10] or len(cable.sent) < 16:
        return None
    return cable.sent[11:16]


def release_time(cable: Cable) -> str | None:
    """`01:44` for the 2011-08-30 pages; the earlier pages' times are wrong (hour as minutes)."""
    released = cable.released or ""
    if released.startswith(RELIABLE_RELEASE_TIMES) and len(released) >= 16:
        return released[11:16]
    return None


def _from_dump(cable: Cable) -> bool:
    path = cable.source.path if cable.source else ""
    return path.endswith((".csv", ".csv.gz"))


def _dates(cable: Cable, *, short: bool, times: bool) -> list[str]:
    """The created and released fields, in words where a value is missing."""
    created = (cable.created or "")[:10] or "unknown"
    if times and (sent := sent_time(cable)):
        created += f" {sent}"
    if cable.released:
        released = cable.released[:10]
        if times and (at := release_time(cable)):
            released += f" {at}"
    elif cable.synthetic:
        released = "never (synthetic)"
    elif _from_dump(cable):
        released = "2011 (full release, from the dump)" if not short else "2011 (dump)"
    else:
        released = "unknown"
    if short:
        return [f"c {created}", f"r {released}"]
    return [f"created {created}", f"released {released}"]


def footer_lines(cable: Cable | None, index: int, width: int, lines: int = 1) -> list[Text]:
    """The footer for `width` columns: every field, on one line if it fits, else two, else
    three; on at least `lines` of them (the height the widget keeps at this width).

    Tried in order: full labels, then `c`/`r` and abbreviations (`Emb.`, `S//NF`); one line,
    then two (id and dates, then the rest), then three (the paragraph on a line of its own).
    Times to the minute from 70 columns.
    """
    if cable is None:
        return [Text("no cable open", style="dim")]
    origin = clean_line(cable.origin) if cable.origin else "origin unknown"
    classification = (
        clean_line(cable.classification) if cable.classification else "classification unknown"
    )
    position = paragraph_position(cable, index)
    if cable.paragraphs:
        position += " " + marking_label(cable.paragraphs[index])
    synthetic = ["SYNTHETIC"] if cable.synthetic else []
    times = width >= 70
    candidates: list[list[list[str]]] = []
    for short in (False, True):
        head = [cable.reference_id, *_dates(cable, short=short, times=times)]
        rest = [
            abbreviate_origin(origin) if short else origin,
            abbreviate_classification(classification) if short else classification,
            position,
            *synthetic,
        ]
        candidates.append([head + rest])
        candidates.append([head, rest])
        candidates.append([head, rest[:2], rest[2:]])
    candidates = sorted((c for c in candidates if len(c) >= min(lines, 3)), key=len)
    for form in candidates:  # one line before two, two before three
        if all(cell_len(_SEP.join(line)) <= width for line in form):
            return [_join(line) for line in form]
    return [_join(line) for line in candidates[-1]]  # the shortest form, wrapped by the widget


def footer_text(cable: Cable | None, index: int, width: int, lines: int = 1) -> Text:
    """`footer_lines` as one Text with a newline between lines."""
    return Text("\n").join(footer_lines(cable, index, width, lines))


def widest(synthetic: bool) -> tuple[Cable, int]:
    """The widest ordinary footer (a cable and its paragraph): among the longest ids, the
    longest origin of the 251,287 cables, the longest classification, a release from the dump
    (or never, for a synthetic cable), an unnumbered paragraph among 150. The footer keeps the
    height this one takes at its width; a cable wider still makes it grow, never cut a field."""
    paragraphs = [Paragraph(None, None, "(S//NF)", None, "")] * 150
    cable = Cable(
        "09RIODEJANEIRO357",
        created="2009-11-03T18:12",
        created_dtg="R 031812Z NOV 09",
        classification="UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        origin="Embassy Eftobandarseribegawan",
        paragraphs=paragraphs,
        source=Source("cables.csv"),
        synthetic=synthetic,
    )
    return cable, 120


def _join(fields: list[str]) -> Text:
    text = Text()
    for i, value in enumerate(fields):
        if i:
            text.append(_SEP, style="dim")
        text.append(value, style="bold" if i == 0 else "")
    return text


class CableFooter(Widget):
    """Shows `footer_text` for the open cable, at the height the widest ordinary footer takes
    at this width (`widest`, a synthetic one for a synthetic cable).

    Opening a cable or moving between paragraphs repaints only this widget: the screen is laid
    out again only when the width changes, or for a cable whose fields need more lines still.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cable: Cable | None = None
        self._index = 0
        self._lines = 1  # the height set
        self._rows = 1  # the lines the widest ordinary footer takes at this width
        self._rows_at: dict[tuple[int, bool], int] = {}
        self._drawn: tuple[Cable | None, int, int, int] | None = None  # `_state` when rendered

    def show(self, cable: Cable | None, index: int) -> None:
        self._cable, self._index = cable, index
        self._refit()

    def on_mount(self) -> None:
        self._refit()  # the height for the terminal's width before the first layout

    def on_resize(self) -> None:
        self._refit()

    def _width(self) -> int:
        width = self.content_region.width or self.app.size.width - self.styles.gutter.width
        return max(1, width)

    def _wrapped(self, text: Text, width: int) -> int:
        return len(text.wrap(self.app.console, width))

    def _refit(self) -> None:
        width = self._width()
        synthetic = self._cable is not None and self._cable.synthetic
        if (width, synthetic) not in self._rows_at:
            model, index = widest(synthetic)
            self._rows_at[width, synthetic] = self._wrapped(footer_text(model, index, width), width)
        self._rows = self._rows_at[width, synthetic]
        lines = max(self._rows, self._wrapped(self._text(), width))
        if lines != self._lines:
            self.styles.height = lines  # a layout pass only when it changes
            self._lines = lines
        if self._drawn != self._state():  # (a resize to the width it was drawn at: nothing)
            self.refresh()

    def _state(self) -> tuple[Cable | None, int, int, int]:
        """What the text drawn depends on."""
        return self._cable, self._index, self._width(), self._rows

    def _text(self) -> Text:
        return footer_text(self._cable, self._index, self._width(), self._rows)

    def render(self) -> Text:
        self._drawn = self._state()
        return self._text()

    @property
    def plain(self) -> str:
        """The text as shown, for tests."""
        return self._text().plain
