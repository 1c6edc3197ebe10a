"""Make untrusted cable text safe to keep and to show, and tell well-formed values from others.

Control characters (ESC, OSC, C1 controls, DEL ...) never survive into the model: a cable could
otherwise drive the user's terminal. Newlines and tabs are kept; CR/CRLF become newlines.
Reference ids, paragraph anchors and dates end up inside permalinks, commands and file paths, so
each has one strict shape here (an id that is a path or two links is no id at all).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ASCII = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])  # `_CONTROL` in ASCII
# What JSON leaves raw with ensure_ascii=False but a terminal would act on: DEL, C1, bidi marks.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Published ids: two-digit year, then station and number, e.g. 09PARIS381, 06ASTANA,
# 06SECION01OF02HARARE628, 90STATE255195TOSEC140301 (the longest real one has 35 characters).
REFERENCE_ID_MAX = 64
_REFERENCE_ID = re.compile(rf"[0-9]{{2}}[A-Za-z0-9]{{0,{REFERENCE_ID_MAX - 2}}}")
ANCHOR_MAX = 32
_ANCHOR = re.compile(rf"par[A-Za-z0-9]{{1,{ANCHOR_MAX - 3}}}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2})?")


def clean(text: str) -> str:
    """Normalise newlines and drop every control character except newline and tab."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # nearly every cable: deleting bytes is five times faster than the regex
        raw = text.encode("ascii")
        kept = raw.translate(None, _CONTROL_ASCII)
        return text if len(kept) == len(raw) else kept.decode("ascii")
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """`clean`, and also fold newlines and tabs to spaces: for one-line fields such as subjects."""
    return " ".join(clean(text).split())


def shown(value: str, limit: int = 40) -> str:
    """A bad value quoted for a message: control characters dropped, cut to `limit`."""
    text = clean_line(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def is_reference_id(text: str | None) -> bool:
    """ASCII letters and digits only, starting with two digits (the year)."""
    return bool(text) and _REFERENCE_ID.fullmatch(text) is not None  # type: ignore[arg-type]


def is_anchor(text: str | None) -> bool:
    """`par` and ASCII letters and digits (`par3`, `parB`): the published paragraph anchors."""
    return bool(text) and _ANCHOR.fullmatch(text) is not None  # type: ignore[arg-type]


def iso_date(value: str | None) -> str | None:
    """`value` where it is a real date as the model keeps it (`YYYY-MM-DD[THH:MM]`), else None."""
    if not value or _DATE.fullmatch(value) is None:
        return None
    try:
        datetime.fromisoformat(value)  # the shape is checked above; this checks the calendar
    except ValueError:
        return None
    return value


def json_line(value: Any) -> str:
    """One line of JSON, readable UTF-8, with every character a terminal acts on escaped.

    `ensure_ascii=False` keeps accents readable but writes C1 controls (U+009B is a CSI on
    many terminals) and DEL raw: those are escaped (`\\u009b`) as ESC already is.
    """
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
