"""Page-break lines of telegram text: ONE pattern, shared by the body reader and the text formats.

New style: `MEXICO 00001055 002 OF 004`, `UNVIE VIEN 00000285  001.2 OF 036`, in lower case
`Vienna 00001058 002 of 003`, on a line of its own or where a page lost its line ends around it
(`... to a TRIPOLI 00000220 002 OF 003 visit by ...`). Old style: `PAGE 02  CAPE T  00097  01 OF 03
182017Z` at a line start (text may follow it).
"""

from __future__ import annotations

import re

PAGE_BREAK_RE = re.compile(
    r"^[ \t]*(?P<old>PAGE)[ \t]+\d{2,3}[ \t]+[A-Z][A-Z .'-]*?[ \t]+\d{3,8}[ \t]+\d{2}[ \t]+OF"
    r"[ \t]+\d{2}[ \t]+\d{6}Z(?:[ \t]|$)"
    # The station: up to three words in capitals, or one capitalised word with a zero-padded
    # number (lower-case pages), so that the words of the sentence around stay text.
    r"|(?:^|(?<=\s))(?:[A-Z][A-Z.'-]*(?:[ \t]+[A-Z][A-Z.'-]*){0,2}[ \t]+\d{5,8}"
    r"|[A-Z][a-z][A-Za-z.'-]*[ \t]+0\d{7})"
    r"[ \t]+\d{3}(?:\.\d+)?[ \t]+(?:OF|of)[ \t]+\d{3}(?=\s|$)",
    re.M,
)


def is_page_break_line(line: str) -> bool:
    """Whether `line` is a new-style page-break line and nothing else."""
    m = PAGE_BREAK_RE.search(line)
    return bool(
        m and not m["old"] and not line[: m.start()].strip() and not line[m.end() :].strip()
    )
