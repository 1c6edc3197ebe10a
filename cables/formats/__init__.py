"""Format readers: each finds a cable's metadata and its raw telegram text, nothing more.

A reader yields `RawCable`s; the shared body reader (`cables.body.build_cable`) turns each into a
`Cable` (header fields, sections, paragraphs), so a paragraph quirk fixed there is fixed for every
format. `cables.parsing` sniffs the format, splits off glued records and runs the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cables.model import Source


@dataclass(slots=True)
class RawCable:
    """What a format reader finds: the page's metadata and the raw telegram text, unparsed.

    `anchors` are the published ids of the pilcrow anchors (`par1`, `parB` ...), in the order of
    the `¶` characters in `body`; None where the format publishes no anchor ids (text formats).
    Metadata is None where the format has none: the body reader then derives what it can (the
    reference id from the banner's station and number and the DTG's year, created from the DTG).
    """

    source: Source
    body: str
    header: str | None = None
    reference_id: str | None = None
    created: str | None = None  # "YYYY-MM-DDTHH:MM" as published
    released: str | None = None
    classification: str | None = None
    origin: str | None = None
    tags: list[str] | None = None  # as linked by the page, where it links them
    articles: list[str] = field(default_factory=list)
    anchors: list[str] | None = None
    synthetic: bool = False


class ParseError(Exception):
    """An input that is not a readable cable: `where` names the file (and record), `reason` why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
