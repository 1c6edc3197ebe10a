"""Date-time groups (`O 141611Z APR 09`): found in a header, read as the UTC time a cable was sent.

A module of its own because both the body reader (which finds the DTG) and the library (whose
schema migration recomputes `sent` from the stored DTGs) read them.
"""

from __future__ import annotations

import re

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
DTG_RE = re.compile(
    r"^\s*(?P<prec>(?:[OPRZ]\s+){1,2})?(?P<day>\d{2})(?P<hh>\d{2})(?P<mm>\d{2})Z\s+"
    r"(?P<mon>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s+(?P<yy>\d{2}(?:\d{2})?)"
    # Service suffixes may follow the group: `ZDK`, `ZFF4`, `ZDK MANY SVCS`, `ZDK CTG #00732`.
    r"(?:\s+[A-Z][A-Z0-9#/ -]{0,40})?\s*$",
    re.IGNORECASE,
)


def find_dtg(text: str | None) -> str | None:
    """The first date-time group in `text`, alone (`O 260858Z JUL 06`, less its `ZDK ...`)."""
    if not text:
        return None
    for line in text.split("\n"):
        if m := DTG_RE.match(line):
            return " ".join(line[: m.end("yy")].split())
    return None


def dtg_year(dtg: str | None) -> int | None:
    """The four-digit year of a DTG (`09` is 2009, `75` is 1975)."""
    if not dtg:
        return None
    m = DTG_RE.match(dtg)
    if not m:
        return None
    yy = int(m.group("yy"))
    if yy >= 100:
        return yy
    return 1900 + yy if yy >= 60 else 2000 + yy


def dtg_datetime(dtg: str | None) -> str | None:
    """`O 141611Z APR 09` -> `2009-04-14T16:11` (a DTG is UTC, like the published values)."""
    if not dtg:
        return None
    m = DTG_RE.match(dtg)
    year = dtg_year(dtg)
    if not m or year is None:
        return None
    month = _MONTHS[m.group("mon").upper()]
    return f"{year:04d}-{month:02d}-{m.group('day')}T{m.group('hh')}:{m.group('mm')}"
