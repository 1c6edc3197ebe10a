"""The cable footer: reference id, dates, origin, classification and the current paragraph.

Always every field: at 80 columns the labels and the classification abbreviate (`C//NF`), and
if even that does not fit the footer takes two lines rather than dropping one.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from cables.model import Cable, Paragraph
from cables.sanitize import clean_line

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


def paragraph_position(cable: Cable, index: int) -> str:
    """`¶ 3/13`: the current paragraph's number (else its position) and the count."""
    total = len(cable.paragraphs)
    if not total:
        return "¶ -/0"
    paragraph = cable.paragraphs[index]
    number = paragraph.number if paragraph.number is not None else f"#{index + 1}"
    return f"¶ {number}/{total}"


def marking_label(paragraph: Paragraph) -> str:
    """The marking as the reader sees it, `(S//NF)`, or `(unmarked)`."""
    if not paragraph.marking:
        return "(unmarked)"
    return f"({clean_line(paragraph.marking).strip('() ')})"


def footer_text(cable: Cable | None, index: int, width: int) -> Text:
    """The footer's text for `width` columns: full, abbreviated, or abbreviated on two lines."""
    if cable is None:
        return Text("no cable open", style="dim")
    created = (cable.created or "?")[:10]
    released = (cable.released or "?")[:10]
    origin = clean_line(cable.origin or "origin ?")
    classification = clean_line(cable.classification or "classification ?")
    position = paragraph_position(cable, index)
    if cable.paragraphs:
        position += " " + marking_label(cable.paragraphs[index])
    synthetic = ["SYNTHETIC"] if cable.synthetic else []
    full = [
        cable.reference_id,
        f"created {created}",
        f"released {released}",
        origin,
        classification,
        position,
        *synthetic,
    ]
    if cell_len(_SEP.join(full)) <= width:
        return _join(full)
    short = [
        cable.reference_id,
        f"c {created}",
        f"r {released}",
        abbreviate_origin(origin),
        abbreviate_classification(classification),
        position,
        *synthetic,
    ]
    if cell_len(_SEP.join(short)) <= width:
        return _join(short)
    first = _join(short[:3])
    first.append("\n")
    first.append_text(_join(short[3:]))
    return first


def _join(fields: list[str]) -> Text:
    text = Text()
    for i, value in enumerate(fields):
        if i:
            text.append(_SEP, style="dim")
        text.append(value, style="bold" if i == 0 else "")
    return text


class CableFooter(Widget):
    """Shows `footer_text` for the open cable, re-laid out when the width changes.

    Moving between paragraphs repaints only this widget; the layout is redone only when the
    footer changes between one and two lines.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cable: Cable | None = None
        self._index = 0
        self._lines = 1

    def show(self, cable: Cable | None, index: int) -> None:
        self._cable, self._index = cable, index
        self._refit()

    def on_resize(self) -> None:
        self._refit()

    def _refit(self) -> None:
        width = self.content_region.width or self.app.size.width
        lines = len(footer_text(self._cable, self._index, width).plain.split("\n"))
        if lines != self._lines:
            self.styles.height = lines  # one or two lines: a layout pass only when it changes
            self._lines = lines
        self.refresh()

    def _text(self) -> Text:
        return footer_text(
            self._cable, self._index, self.content_region.width or self.app.size.width
        )

    def render(self) -> Text:
        return self._text()

    @property
    def plain(self) -> str:
        """The text as shown, for tests."""
        return self._text().plain
