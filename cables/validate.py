"""The last check between every format and everything downstream: values that end up in links,
paths and on the terminal have their one strict shape, or they are not kept.

A reference id that is not one (`09PARIS9905 https://evil.example/…`, `../../etc/passwd`) skips
its record with the reason. A date that is not a date, or a paragraph anchor that is not `par` and
letters and digits, is dropped with a warning naming the file and the field, and the cable is kept
(a paragraph whose published anchor is dropped falls back to `par<number>`).
"""

from __future__ import annotations

from cables.formats import RawCable
from cables.model import Cable
from cables.sanitize import is_anchor, is_reference_id, iso_date, shown


def check_raw(raw: RawCable) -> list[str]:
    """Drop a page's malformed anchors in place (the body reader then numbers those paragraphs
    `par<number>`); the warning reason, if any."""
    warnings: list[str] = []
    if raw.anchors:
        bad = [a for a in raw.anchors if a and not is_anchor(a)]
        if bad:
            raw.anchors = [a if not a or is_anchor(a) else "" for a in raw.anchors]
            warnings.append(
                f"{len(bad)} paragraph anchor{'s' if len(bad) > 1 else ''} ({shown(bad[0])}"
                f"{', …' if len(bad) > 1 else ''}) not `par` and letters and digits: left out"
            )
    return warnings


def check_cable(cable: Cable) -> tuple[str | None, list[str]]:
    """The reason to skip `cable` (None to keep it), and warnings for what was dropped from it.

    Runs on what the body reader made, so derived values (an id from the banner, a date from
    the DTG, `par<letter>` anchors) pass the same test as published ones. A published date that
    is not one is stored as missing (not replaced by the DTG's: the warning says what was lost).
    """
    if not is_reference_id(cable.reference_id):
        return (
            f"reference id {shown(cable.reference_id)} is not one"
            " (ASCII letters and digits, starting with the two digits of the year)",
            [],
        )
    warnings: list[str] = []
    cable.created = _date(cable.created, "Created", warnings)
    cable.released = _date(cable.released, "Released", warnings)
    if iso_date(cable.sent) is None:  # taken from a Created that is no date (warned above)
        cable.sent = None
    for paragraph in cable.paragraphs:
        if paragraph.anchor is not None and not is_anchor(paragraph.anchor):
            warnings.append(f"paragraph anchor {shown(paragraph.anchor)} left out")
            fallback = f"par{paragraph.number}" if paragraph.number is not None else None
            paragraph.anchor = fallback
    bad = [ref for ref in cable.references if not is_reference_id(ref)]
    if bad:
        cable.references = [ref for ref in cable.references if is_reference_id(ref)]
        warnings.append(
            f"{len(bad)} cited reference{'s' if len(bad) > 1 else ''} ({shown(bad[0])}"
            f"{', …' if len(bad) > 1 else ''}) not a reference id: left out"
        )
    if cable.source and not is_reference_id(cable.source.recovered_from):
        cable.source.recovered_from = None
    return None, warnings


def _date(value: str | None, field: str, warnings: list[str]) -> str | None:
    if not value:
        return None
    if iso_date(value) is not None:
        return value
    warnings.append(f"{field} {shown(value)} is not a date: stored as missing")
    return None
