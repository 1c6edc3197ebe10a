"""Greedy word wrapping into line offsets, so only the lines on screen become styled text.

Wrapping a 60 KB cable with `rich.text.Text.wrap` took about 200 ms here, and the view wraps on
every open and resize; ASCII text (nearly every cable) is broken by one regular expression.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from rich.cells import cell_len

_WORD = re.compile(r"\S+\s*")


@lru_cache(maxsize=16)
def _line_pattern(width: int) -> re.Pattern[str]:
    # Up to `width` characters ending before whitespace (or the end), else a cut long word.
    return re.compile(rf".{{1,{width}}}(?:\s+|$)|.{{{width}}}")


def break_offsets(plain: str, width: int) -> list[int]:
    """Offsets where lines start, after the first: at newlines and where words overflow."""
    width = max(1, width)
    breaks: list[int] = []
    start = 0
    wide = not plain.isascii()
    for hard in plain.split("\n"):
        starts = (
            _wide_starts(hard, width)
            if wide
            else [m.start() for m in _line_pattern(width).finditer(hard)]
        )
        breaks.extend(start + offset for offset in starts[1:])
        start += len(hard) + 1
        if start <= len(plain):
            breaks.append(start)
    return breaks


def _wide_starts(line: str, width: int) -> list[int]:
    """Line starts by cell width, for text with wide or combining characters."""
    starts, column = [0], len(line) - len(line.lstrip())
    for match in _WORD.finditer(line):
        word, position = match.group(), match.start()
        visible = cell_len(word.rstrip())
        if column and column + visible > width:
            starts.append(position)
            column = 0
        while visible > width:  # a word longer than the line: cut it where the cells run out
            cut = 1
            while cut < len(word) and cell_len(word[: cut + 1]) <= width:
                cut += 1
            position += cut
            starts.append(position)
            word = word[cut:]
            visible = cell_len(word.rstrip())
        column += cell_len(word)
    return starts


def line_spans(plain: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of each wrapped line of `plain`."""
    edges = [0, *break_offsets(plain, width), len(plain)]
    return list(pairwise(edges))
