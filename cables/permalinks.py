"""Permalinks: building them from templates, and reading any published form back.

Templates take `{ref}`, `{year}`, `{month}` (zero-padded) and `{anchor}`; the defaults are the
wikileaks.org cable paths. Synthetic cables are refused a link: they carry a real cable's id but
not its text, so a link would point a reader at the wrong words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_CABLE_TEMPLATE = "https://wikileaks.org/cable/{year}/{month}/{ref}.html"
DEFAULT_PARAGRAPH_TEMPLATE = "https://wikileaks.org/cable/{year}/{month}/{ref}.html#{anchor}"
PLACEHOLDERS = frozenset({"ref", "year", "month", "anchor"})


class PermalinkRefused(ValueError):
    """A permalink cannot be given for this cable; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Permalinks:
    """Builds cable and paragraph links from the configured templates.

    It takes the few values a link needs (no `Cable`), so a search hit, a bookmark or a parsed
    cable all get their link the same way.
    """

    cable_template: str = DEFAULT_CABLE_TEMPLATE
    paragraph_template: str = DEFAULT_PARAGRAPH_TEMPLATE

    def link(
        self,
        reference_id: str,
        created: str | None,
        anchor: str | None = None,
        *,
        synthetic: bool = False,
    ) -> str:
        """The cable's link, or its paragraph's with `anchor`; PermalinkRefused saying why not.

        `created` is the cable's `YYYY-MM-DD...` date, whose year and month the paths use.
        """
        if synthetic:
            raise PermalinkRefused(
                f"{reference_id} is a synthetic cable: its id is real but its text is not,"
                " so no permalink is given"
            )
        if not created or len(created) < 7:
            raise PermalinkRefused(f"{reference_id}: no creation date, so no permalink path")
        template = self.cable_template if anchor is None else self.paragraph_template
        return template.format(
            ref=reference_id, year=created[:4], month=created[5:7], anchor=anchor or ""
        )

    def paragraph_link(
        self, reference_id: str, created: str | None, anchor: str | None, *, synthetic: bool = False
    ) -> str:
        """A paragraph's link; refused where it has no anchor (the cable numbers it not)."""
        if anchor is None:
            raise PermalinkRefused(
                f"{reference_id}: this paragraph has no number, so no published anchor"
            )
        return self.link(reference_id, created, anchor, synthetic=synthetic)


# Reference ids: two-digit year, station, number (a few published ids are malformed, e.g.
# 7575LIBREVILLE1895, so the station part is permissive).
_REF_RE = re.compile(r"(?P<ref>\d{2,4}[A-Z][A-Z0-9]*?\d+)(?:_[a-z])?(?:\.html?)?", re.IGNORECASE)
# `#par3`, or `#3` as people write it (read as `#par3`)
_ANCHOR_RE = re.compile(r"#(?:par)?(?P<anchor>[A-Za-z0-9]+)\s*$")


def parse_ref(text: str) -> tuple[str, str | None]:
    """Read a reference id and optional anchor from what a user typed or pasted.

    Accepts `09mexico1055`, `09MEXICO1055#par3` (or `#3`), the wikileaks cable and PlusD URLs
    and mirror URLs with the same paths. Raises ValueError with a readable message otherwise.
    """
    raw = text.strip()
    anchor = None
    m = _ANCHOR_RE.search(raw)
    if m:
        anchor = "par" + m.group("anchor")
        raw = raw[: m.start()]
    last = raw.rstrip("/").rsplit("/", 1)[-1]
    m = _REF_RE.fullmatch(last)
    if not m:
        raise ValueError(f"not a reference id or cable permalink: {text.strip()!r}")
    return m.group("ref").upper(), anchor
