"""Permalinks: building them from templates, and reading any published form back.

Templates take `{ref}`, `{year}`, `{month}` (zero-padded) and `{anchor}`, bare (no format spec
or conversion: `{ref:>9999999999}` would build a gigabyte); the defaults are the wikileaks.org
cable paths. Synthetic cables are refused a link: they carry a real cable's id but not its text,
so a link would point a reader at the wrong words. Whatever the library holds, a link is built
only from a well-formed id, anchor and date, so it can be pasted into a shell as one word.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from cables.sanitize import clean_line, is_anchor, is_reference_id, iso_date

DEFAULT_CABLE_TEMPLATE = "https://wikileaks.org/cable/{year}/{month}/{ref}.html"
DEFAULT_PARAGRAPH_TEMPLATE = "https://wikileaks.org/cable/{year}/{month}/{ref}.html#{anchor}"
PLACEHOLDERS = frozenset({"ref", "year", "month", "anchor"})


class PermalinkRefused(ValueError):
    """A permalink cannot be given for this cable; the message says why, for the user."""


def template_problem(template: str, allowed: frozenset[str]) -> str | None:
    """What is wrong with a link template (as "expected ..."), or None where it is usable."""
    if any(c.isspace() or not c.isprintable() for c in template):
        return "a URL template without spaces or control characters"
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"balanced {{ }} ({exc})"
    shown = ", ".join("{" + p + "}" for p in sorted(allowed))
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed:
            return f"only the placeholders {shown} (not {{{name}}})"
        if spec or conversion:
            return f"bare placeholders {shown}, with no format spec or conversion"
    return None


@dataclass(frozen=True, slots=True)
class Permalinks:
    """Builds cable and paragraph links from the configured templates (ValueError for a template
    `template_problem` refuses: the config reports those before any is built).

    It takes the few values a link needs (no `Cable`), so a search hit, a bookmark or a parsed
    cable all get their link the same way, and checks each of them whatever stored it.
    """

    cable_template: str = DEFAULT_CABLE_TEMPLATE
    paragraph_template: str = DEFAULT_PARAGRAPH_TEMPLATE

    def __post_init__(self) -> None:
        for template, allowed in (
            (self.cable_template, PLACEHOLDERS - {"anchor"}),
            (self.paragraph_template, PLACEHOLDERS),
        ):
            if problem := template_problem(template, allowed):
                raise ValueError(f"permalink template {template!r}: expected {problem}")

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
        if not is_reference_id(reference_id):
            raise PermalinkRefused(
                f"{clean_line(reference_id)!r} is not a reference id, so no permalink"
            )
        if anchor is not None and not is_anchor(anchor):
            raise PermalinkRefused(
                f"{reference_id}: the paragraph's anchor is not `par` and letters and digits,"
                " so no permalink"
            )
        if synthetic:
            raise PermalinkRefused(
                f"{reference_id} is a synthetic cable: its id is real but its text is not,"
                " so no permalink is given"
            )
        date = iso_date(created)  # also a library written before dates were checked
        if date is None:
            raise PermalinkRefused(f"{reference_id}: no creation date, so no permalink path")
        template = self.cable_template if anchor is None else self.paragraph_template
        return template.format(
            ref=reference_id, year=date[:4], month=date[5:7], anchor=anchor or ""
        )

    def paragraph_link(
        self, reference_id: str, created: str | None, anchor: str | None, *, synthetic: bool = False
    ) -> str:
        """A paragraph's link; refused where it has no anchor (the cable numbers it not)."""
        if not anchor:
            raise PermalinkRefused(
                f"{clean_line(reference_id)}: this paragraph has no number, so no published anchor"
            )
        return self.link(reference_id, created, anchor, synthetic=synthetic)


# Reference ids as in `cables.sanitize.is_reference_id` (two digits, then letters and digits:
# 06ASTANA and 7575LIBREVILLE1895 are published ids), then PlusD's `_a` and `.html`.
_REF_RE = re.compile(r"(?P<ref>[0-9]{2}[A-Za-z0-9]*)(?:_[a-z])?(?:\.html?)?")
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
    if not m or not is_reference_id(m.group("ref")):
        raise ValueError(f"not a reference id or cable permalink: {clean_line(text)!r}")
    return m.group("ref").upper(), anchor
