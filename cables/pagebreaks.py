"""Page-break lines of telegram text: ONE pattern, shared by the body reader and the text formats.

New style: `MEXICO 00001055 002 OF 004`, `UNVIE VIEN 00000285  001.2 OF 036`, in lower case
`Vienna 00001058 002 of 003`, on a line of its own or where a page lost its line ends around it
(`... to a TRIPOLI 00000220 002 OF 003 visit by ...`). Old style: `PAGE 02  CAPE T  00097  01 OF 03
182017Z` at a line start (text may follow it).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cables.stations import STATIONS

PAGE_BREAK_RE = re.compile(
    r"^[ \t]*(?P<old>PAGE)[ \t]+\d{2,3}[ \t]+[A-Z][A-Z .'-]*?[ \t]+\d{3,8}[ \t]+\d{2}[ \t]+OF"
    r"[ \t]+\d{2}[ \t]+\d{6}Z(?:[ \t]|$)"
    # The station: up to three words in capitals, or one capitalised word with a zero-padded
    # number (lower-case pages).
    r"|(?:^|(?<=\s))(?:(?P<station>[A-Z][A-Z.'-]*(?:[ \t]+[A-Z][A-Z.'-]*){0,2})[ \t]+\d{5,8}"
    r"|[A-Z][a-z][A-Za-z.'-]*[ \t]+0\d{7})"
    r"[ \t]+\d{3}(?:\.\d+)?[ \t]+(?:OF|of)[ \t]+\d{3}(?=\s|$)",
    re.M,
)
# Every break names its page `NNN OF NNN`: a cheap test before the whole pattern.
_MAYBE_RE = re.compile(r"\d[ \t]+(?:OF|of)[ \t]+\d")
_STATION_PREFIXES = frozenset(s[:i] for s in STATIONS for i in range(1, len(s) + 1))


class Break(NamedTuple):
    """A page break found in a line: the text before and after it, and whether it is an
    old-style page header (whose rest of the line is text)."""

    before: str
    after: str
    old: bool


def find_break(text: str) -> Break | None:
    """The first page break in `text`.

    In capitals the station may be several words (`SAO PAULO`, `UNVIE VIEN`); where text stands
    around the break, only the capital words that spell the start of a post's name go with it,
    so that `... ONTO PARIS 00001234 002 OF 003 ...` keeps `ONTO`.
    """
    if " OF" not in text and " of" not in text and "\tOF" not in text and "\tof" not in text:
        return None  # a cheap test first: every break names its page `NNN OF NNN`
    m = PAGE_BREAK_RE.search(text) if _MAYBE_RE.search(text) else None
    if m is None:
        return None
    start = m.start()
    station = m["station"]
    if station and (text[:start].strip() or text[m.end() :].strip()):
        words = list(re.finditer(r"\S+", station))
        k = next(
            (k for k in range(len(words), 1, -1) if _spells_a_post(words[-k:])),
            1,
        )
        start = m.start("station") + words[-k].start()
    return Break(text[:start], text[m.end() :], bool(m["old"]))


def _spells_a_post(words: list[re.Match[str]]) -> bool:
    return "".join(w.group() for w in words) in _STATION_PREFIXES


def is_page_break_line(line: str) -> bool:
    """Whether `line` is a new-style page-break line and nothing else."""
    found = find_break(line)
    return bool(found and not found.old and not found.before.strip() and not found.after.strip())
