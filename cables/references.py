"""Canonical ids of the cables a REF block cites: `A. BERLIN 988` in a 2009 cable -> 09BERLIN988.

REF lines name a post in words and a number, with the year only where it differs from the cable's
(`B. 2008 BERLIN 504`, `09 STATE 1234`, `09DHAHRAN 201`, `(08) STATE 542`, `STATE 75 (08)`,
`STATE 03242 2008`). Posts are looked up in the station list, so `MTCR POC 201/2006` or
`MAY 16 2006` do not come out as cables; a post spelt with a letter dropped or added, a prefix
(`IRPO DUBAI`) or a country suffix (`MADRID SP`) is read as the station of the published ids.

A year not written is the citing cable's, except where that would make the cited cable one of
the citing cable's own post and year with a higher serial: serials restart each year, so a cable
cannot cite one its post had not yet sent; it is the previous year's (10ISLAMABAD175 citing
`ISLAMABAD 2591` cites 09ISLAMABAD2591).
"""

from __future__ import annotations

import re

from cables.stations import ALIASES, STATIONS

_CITE_RE = re.compile(
    r"(?<![\w/])(?:\((?P<pyr>\d{2})\)\s*|(?P<yr>\d{4}|\d{2})\s*)?"
    r"(?P<words>[A-Z]+(?:\s+[A-Z]+){0,4}?)\s+(?P<num>\d{1,7})\b"
    # A year after the number: `STATE 75 (08)`, or `STATE 03242 2008` where no entry follows.
    r"(?:\s*\((?P<syr>\d{2})\)|\s+(?P<tyr>(?:19|20)\d{2})(?=\s*(?:$|[,;.)]|\s[A-Z][.)\s])))?"
)
_GLUED_RE = re.compile(r"\b(?P<yr>\d{2})?(?P<station>[A-Z]{3,})(?P<num>\d{1,7})\b")
_ID_RE = re.compile(r"(?P<yy>\d{2})(?P<station>[A-Z]+)(?P<num>\d+)")
_PREFIXES = ("IRPO",)  # office prefixes before the post's name (`IRPO DUBAI`)
# One letter less than a station's name -> the station (a letter added is the reverse look-up).
_SHORTER = {s[:i] + s[i + 1 :]: s for s in STATIONS if len(s) >= 7 for i in range(len(s))}
_FUZZY_MIN = 7  # shorter names are too close to ordinary words for a spelling guess


def _known(name: str) -> str | None:
    """The station `name` spells: as listed, by alias, or with one letter dropped or added."""
    name = ALIASES.get(name, name)
    if name in STATIONS:
        return name
    if len(name) < _FUZZY_MIN - 1:
        return None
    if name in _SHORTER:
        return _SHORTER[name]
    if len(name) >= _FUZZY_MIN + 1:
        found = {name[:i] + name[i + 1 :] for i in range(len(name))} & STATIONS
        if len(found) == 1:
            return found.pop()
    return None


def _station(words: list[str]) -> tuple[str, int] | None:
    """The station the last words name, and how many words it took (longest name first)."""
    if len(words) > 1 and len(words[-1]) == 2 and words[-1] not in ALIASES:
        found = _station(words[:-1])  # a country suffix: `MADRID SP 1234`
        if found:
            return found[0], found[1] + 1
    for k in range(min(len(words), 4), 0, -1):
        squeezed = "".join(words[-k:])
        for prefix in _PREFIXES:
            if squeezed.startswith(prefix) and len(squeezed) > len(prefix):
                squeezed = "RPO" + squeezed[len(prefix) :]
        name = _known(squeezed)
        if name is not None:
            return name, k
    return None


def canonical_references(ref_text: str, year: int | None, citing: str | None = None) -> list[str]:
    """The canonical ids cited in `ref_text`, in order, once each; `year` is the citing cable's
    and `citing` its reference id."""
    text = ref_text.upper().replace("\u00b6", " ")
    own = _ID_RE.fullmatch(citing.upper()) if citing else None
    found: list[tuple[int, str]] = []

    def cite(start: int, yy: int | None, station: str, num: int) -> None:
        if yy is None:
            if year is None:
                return
            yy = year % 100
            if own and station == own["station"] and yy == int(own["yy"]) and num > int(own["num"]):
                yy = (yy - 1) % 100  # not yet sent that year: the previous year's serial
        if station == "RPODUBAI" and yy < 8:
            station = "IRANRPODUBAI"  # the Iran office in Dubai's ids until 2008
        found.append((start, f"{yy:02d}{station}{num}"))

    for m in _GLUED_RE.finditer(text):
        if m.group("station") in STATIONS:
            yy = int(m.group("yr")) if m.group("yr") else None
            cite(m.start(), yy, m.group("station"), int(m.group("num")))
    for m in _CITE_RE.finditer(text):
        station = _station(m.group("words").split())
        if station is None:
            continue
        name, used = station
        whole = used == len(m.group("words").split())
        written = m.group("pyr") or (m.group("yr") if whole else None)
        written = written or m.group("syr") or m.group("tyr")
        cite(m.start(), int(written) % 100 if written else None, name, int(m.group("num")))
    return list(dict.fromkeys(ref for _, ref in sorted(found)))
