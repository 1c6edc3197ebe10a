"""Make untrusted cable text safe to keep and to show.

Control characters (ESC, OSC, C1 controls, DEL ...) never survive into the model: a cable could
otherwise drive the user's terminal. Newlines and tabs are kept; CR/CRLF become newlines.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Normalise newlines and drop every control character except newline and tab."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """`clean`, and also fold newlines and tabs to spaces: for one-line fields such as subjects."""
    return " ".join(clean(text).split())
