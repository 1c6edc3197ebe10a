"""Canonical ids of the cables a REF block cites: `A. BERLIN 988` in a 2009 cable -> 09BERLIN988.

REF lines name a post in words and a number, with the year only where it differs from the cable's
(`B. 2008 BERLIN 504`, `09 STATE 1234`, `09DHAHRAN 201`). Posts are looked up in the station list,
so `MTCR POC 201/2006` or `MAY 16 2006` do not come out as cables.
"""

from __future__ import annotations

import re

from cables.stations import ALIASES, STATIONS

_CITE_RE = re.compile(
    r"(?<![\w/])(?:(?P<yr>\d{4}|\d{2})\s*)?(?P<words>[A-Z]+(?:\s+[A-Z]+){0,4}?)\s+(?P<num>\d{1,7})\b"
)
_GLUED_RE = re.compile(r"\b(?P<yr>\d{2})?(?P<station>[A-Z]{3,})(?P<num>\d{1,7})\b")


def _station(words: list[str]) -> tuple[str, int] | None:
    """The station the last words name, and how many words it took (longest name first)."""
    for k in range(min(len(words), 4), 0, -1):
        squeezed = "".join(words[-k:])
        name = ALIASES.get(squeezed, squeezed)
        if name in STATIONS:
            return name, k
    return None


def canonical_references(ref_text: str, year: int | None) -> list[str]:
    """The canonical ids cited in `ref_text`, in order, once each; `year` is the citing cable's."""
    text = ref_text.upper().replace("\u00b6", " ")
    found: list[tuple[int, str]] = []
    for m in _GLUED_RE.finditer(text):
        yr = m.group("yr") or (f"{year % 100:02d}" if year is not None else None)
        if m.group("station") in STATIONS and yr:
            found.append((m.start(), f"{yr}{m.group('station')}{int(m.group('num'))}"))
    for m in _CITE_RE.finditer(text):
        station = _station(m.group("words").split())
        if station is None:
            continue
        name, used = station
        yr = m.group("yr") if used == len(m.group("words").split()) else None
        if yr is not None:
            yy = int(yr) % 100
        elif year is not None:
            yy = year % 100
        else:
            continue
        found.append((m.start(), f"{yy:02d}{name}{int(m.group('num'))}"))
    return list(dict.fromkeys(ref for _, ref in sorted(found)))
