"""The parse entry point: files and folders in, `Cable`s (or clear errors) out.

The format is sniffed from the content, never trusted from the file name; `.gz` is read through.
Text of another cable glued after the end of a page is split off before the body reader runs:
with its own reference id it comes out as a cable of its own (`Source.recovered_from`), without
one it is dropped with a `ParseWarning`.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from cables.body import build_cable
from cables.formats import ParseError, RawCable, csvdump, text
from cables.model import Cable, Source

_GZIP_MAGIC = b"\x1f\x8b"
_HTML_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|pre)\b", re.IGNORECASE)
_PILCROW = "\u00b6"


class ParseWarning(ParseError):
    """Something was left out but the file's cables still came out (e.g. a glued fragment)."""


def parse_paths(paths: Iterable[str | Path]) -> Iterator[Cable | ParseError]:
    """`parse_path` over each path in turn."""
    for path in paths:
        yield from parse_path(path)


def parse_path(path: str | Path) -> Iterator[Cable | ParseError]:
    """Every cable in a file or (recursively, sorted) a folder; a ParseError per unreadable input.

    Hidden files and folders (`.git`, `.DS_Store`) are skipped in folder walks.
    """
    path = Path(path)
    if path.is_dir():
        for file in _walk(path):
            yield from _parse_file(file)
    elif path.is_file():
        yield from _parse_file(path)
    elif path.exists():
        yield ParseError(str(path), "not a regular file or folder")
    else:
        yield ParseError(str(path), "no such file or folder")


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not entry.is_symlink():  # a linked folder could loop back on itself
                yield from _walk(entry)
        elif entry.is_file():
            yield entry


def _parse_file(path: Path) -> Iterator[Cable | ParseError]:
    name = str(path)
    try:
        stream = _open(path)
    except OSError as exc:
        yield ParseError(name, f"cannot read: {exc.strerror or exc}")
        return
    try:
        with stream:
            yield from _parse_stream(stream, name)
    except (OSError, EOFError, zlib.error) as exc:
        yield ParseError(name, f"cannot read: {exc}")


def _open(path: Path) -> io.BufferedReader:
    raw = path.open("rb")
    if raw.peek(2)[:2] != _GZIP_MAGIC:
        return raw
    return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"))


def _parse_stream(stream: io.BufferedReader, name: str) -> Iterator[Cable | ParseError]:
    head = stream.peek(65536)[:65536]
    if csvdump.ROW_START.match(head.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")):
        yield from _parse_csv(stream, name)
        return
    if b"\x00" in head:  # decided before reading the whole of what may be a large binary
        yield ParseError(name, "not a cable file (binary data)")
        return
    data = stream.read()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" and _HTML_RE.search(data[:65536]):
        yield from _finish_one(lambda: _read_html(data, Source(name)))
        return
    content = text.decode(data)
    source = Source(name)
    if text.is_rendered(content):
        yield from _finish_one(lambda: text.read_rendered(content, source))
    elif text.is_records(content):
        for item in text.read_records(content, name):
            yield from (item,) if isinstance(item, ParseError) else _finish(item)
    elif text.is_telegram(content):
        yield from _finish_one(lambda: text.read_telegram(content, source))
    else:
        yield ParseError(
            name, "not a cable file (no cable page, telegram, record or cables.csv row found)"
        )


def _read_html(data: bytes, source: Source) -> RawCable:
    from cables.formats.html import read_html  # lxml loads only when a page is read

    return read_html(data, source)


def _parse_csv(stream: BinaryIO, name: str) -> Iterator[Cable | ParseError]:
    wrapper = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    for item in csvdump.read_csv(wrapper, name):
        yield from (item,) if isinstance(item, ParseError) else _finish(item)


def _finish_one(read: Callable[[], RawCable]) -> Iterator[Cable | ParseError]:
    try:
        raw = read()
    except ParseError as exc:
        yield exc
        return
    yield from _finish(raw)


def _finish(raw: RawCable) -> Iterator[Cable | ParseError]:
    """Split off glued records, then run the body reader on each cable."""
    own, recovered, warnings = split_glued(raw)
    for part in (own, *recovered):
        try:
            cable = build_cable(part)
        except ParseError as exc:
            yield exc
            continue
        except Exception as exc:  # a body-reader bug must cost one cable, not the whole run
            yield ParseError(
                part.source.describe(),
                f"internal error in the body reader: {type(exc).__name__}: {exc}",
            )
            continue
        if part.references:
            cable.references = list(part.references)
        yield cable
    yield from warnings


def split_glued(raw: RawCable) -> tuple[RawCable, list[RawCable], list[ParseWarning]]:
    """The page's own cable, the cables recovered from records glued after it, and warnings.

    A body that opens with a record is that record (same cable: its columns fill what the page
    lacks); records after the page's text, or after that first record, are other cables.
    """
    records = text.find_records(raw.body)
    if not records:
        return raw, [], []
    own_text = raw.body[: records[0].start]
    if own_text.strip():
        own = replace(raw, body=own_text.rstrip("\n"), anchors=_anchors(raw, 0, own_text))
        rest = records
    else:
        first, rest = records[0], records[1:]
        own = replace(
            raw,
            body=first.body,
            header=raw.header or first.header,
            reference_id=raw.reference_id or first.reference_id,
            created=raw.created or first.created,
            classification=raw.classification or first.classification,
            origin=raw.origin or first.origin,
            references=raw.references or first.references or None,
            anchors=_record_anchors(raw, first),
        )
    recovered: list[RawCable] = []
    warnings: list[ParseWarning] = []
    for record in rest:
        if record.reference_id is None:
            warnings.append(
                ParseWarning(
                    f"{raw.source.describe()} body line {record.line}",
                    "dropped text of another cable glued after the end"
                    " (no reference id of its own)",
                )
            )
        elif record.reference_id == own.reference_id:
            warnings.append(
                ParseWarning(
                    f"{raw.source.describe()} body line {record.line}",
                    f"dropped a second copy of {own.reference_id} glued after its end",
                )
            )
        else:
            recovered.append(
                record.to_raw(
                    Source(raw.source.path, raw.source.record, recovered_from=own.reference_id),
                    anchors=_record_anchors(raw, record),
                )
            )
    return own, recovered, warnings


def _anchors(raw: RawCable, start: int, part: str) -> list[str] | None:
    """The published anchor ids of the pilcrows in `part`, which starts at `start` in the body."""
    if raw.anchors is None:
        return None
    before = raw.body.count(_PILCROW, 0, start)
    return raw.anchors[before : before + part.count(_PILCROW)]


def _record_anchors(raw: RawCable, record: text.Record) -> list[str] | None:
    """The anchor ids of the pilcrows in a record's body (its header column may carry some)."""
    if raw.anchors is None:
        return None
    first = raw.body.count(_PILCROW, 0, record.start) + (record.header or "").count(_PILCROW)
    return raw.anchors[first : first + record.body.count(_PILCROW)]
