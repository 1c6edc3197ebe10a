"""The parse entry point: files and folders in, `Cable`s (or clear errors) out.

The format is sniffed from the content, never trusted from the file name; `.gz` is read through.
Text of another cable glued after the end of a page is split off before the body reader runs:
with its own reference id it comes out as a cable of its own (`Source.recovered_from`), without
one it is dropped with a `ParseWarning`.
"""

from __future__ import annotations

import codecs
import errno
import io
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import BinaryIO

from cables.body import build_cable
from cables.formats import (
    MAX_FILE,
    MAX_RECORD,
    TOO_LARGE_FILE,
    TOO_LARGE_RECORD,
    ParseError,
    RawCable,
    csvdump,
    text,
)
from cables.model import Cable, Source
from cables.validate import check_cable, check_raw

_GZIP_MAGIC = b"\x1f\x8b"
_HTML_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|pre)\b", re.IGNORECASE)
_PILCROW = "\u00b6"
# UTF-32 first: its little-endian mark starts with UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ParseWarning(ParseError):
    """Something was left out but the file's cables still came out (e.g. a glued fragment)."""


# One unit of parsing work: an error found while reading, or the parse of one record or page
# (called to get its cables and errors). Units are small and come in input order, so parsing
# processes can share them out (`parse_share`) and their results be put back in order.
Unit = ParseError | Callable[[], Iterable[Cable | ParseError]]


def parse_paths(paths: Iterable[str | Path]) -> Iterator[Cable | ParseError]:
    """`parse_path` over each path in turn."""
    for unit in parse_units(paths):
        yield from (unit,) if isinstance(unit, ParseError) else unit()


def parse_units(paths: Iterable[str | Path]) -> Iterator[Unit]:
    """The units of work of `parse_paths`, in order (reading the input, parsing nothing)."""
    for path in paths:
        yield from _path_units(path)


def parse_path(path: str | Path) -> Iterator[Cable | ParseError]:
    """Every cable in a file or (recursively, sorted) a folder; a ParseError per unreadable input.

    Hidden files and folders (`.git`, `.DS_Store`) are skipped in folder walks.
    """
    for unit in _path_units(path):
        yield from (unit,) if isinstance(unit, ParseError) else unit()


def _path_units(path: str | Path) -> Iterator[Unit]:
    path = Path(path)
    if path.is_dir():
        for file in walk(path):
            yield from (file,) if isinstance(file, ParseError) else _parse_file(file)
    elif path.is_file():
        yield from _parse_file(path)
    elif path.exists():
        yield ParseError(str(path), "not a regular file or folder")
    else:
        yield ParseError(str(path), "no such file or folder")


def walk(folder: Path) -> Iterator[Path | ParseError]:
    """Every file under `folder` in sorted order, hidden ones left out, and a ParseError naming
    each entry that is skipped: an unreadable folder, a symlink loop or a link back into the
    walk, a dangling link, a FIFO, socket or device (opening a FIFO would block forever).

    Iterative, so a tree 1,200 levels deep is no recursion; linked folders are followed once.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[Iterator[Path]] = [iter([folder])]  # per level, the entries still to read
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            info = entry.stat()
        except OSError as exc:
            yield ParseError(str(entry), _stat_failure(entry, exc))
            continue
        if stat.S_ISREG(info.st_mode):
            yield entry
        elif not stat.S_ISDIR(info.st_mode):
            yield ParseError(str(entry), f"not a regular file ({_kind(info.st_mode)})")
        elif (info.st_dev, info.st_ino) in seen:
            yield ParseError(str(entry), "symlink loop: a link back to a folder already read")
        else:
            seen.add((info.st_dev, info.st_ino))
            try:
                children = sorted(
                    (e for e in entry.iterdir() if not e.name.startswith(".")),
                    key=lambda p: p.name,
                )
            except OSError as exc:
                yield ParseError(str(entry), f"cannot read the folder: {exc.strerror or exc}")
                continue
            stack.append(iter(children))


def _stat_failure(entry: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT and entry.is_symlink():
        return "dangling symbolic link (its target does not exist)"
    return f"cannot read: {exc.strerror or exc}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


_reading: list[tuple[str, BinaryIO]] = []  # the file being parsed, as stored (.gz compressed)


def input_position() -> tuple[str, int] | None:
    """The file being parsed and how many bytes of it have been read, as stored (compressed for
    .gz): import progress that needs no trust in a gzip size trailer (a truncated file's is
    noise)."""
    try:
        return (_reading[-1][0], _reading[-1][1].tell()) if _reading else None
    except (OSError, ValueError):
        return None


def _parse_file(path: Path) -> Iterator[Unit]:
    name = str(path)
    depth = len(_reading)
    try:
        try:
            stream, raw, cut = _open(path)
        except (OSError, EOFError, zlib.error) as exc:
            yield ParseError(name, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
            return
        _reading.append((name, raw))  # for input_position()
        try:
            with stream:
                yield from _parse_stream(stream, name, cut)
        except (OSError, EOFError, zlib.error) as exc:
            yield ParseError(name, f"cannot read: {exc}")
    finally:
        del _reading[depth:]


def _open(path: Path) -> tuple[io.BufferedReader, BinaryIO, _Salvage | None]:
    """The file's content stream, the file itself, and for gzip what says where it was cut off.

    The content is read through gzip where it is one, and as UTF-8 where it opens with a UTF-16
    or UTF-32 byte order mark (so every reader after this sees UTF-8).
    """
    raw = path.open("rb")
    stream = raw
    cut = None
    if raw.peek(2)[:2] == _GZIP_MAGIC:
        cut = _Salvage(raw)
        stream = io.BufferedReader(cut)
    head = stream.peek(4)[:4]
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return io.BufferedReader(_Utf8Reader(stream, encoding)), raw, cut
    return stream, raw, cut


class _Salvage(io.RawIOBase):
    """Gunzip that ends, rather than fails, where the file is cut off or damaged, so that the
    cables.csv rows before that point are read; `error` then says what went wrong. (GzipFile
    raises instead, losing whatever it had decompressed in that call: up to a megabyte of rows.)
    Output comes a megabyte at most at a time, so a gzip bomb costs bounded memory."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._z = zlib.decompressobj(31)
        self._out = memoryview(b"")
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._out and self.error is None:
            try:
                self._out = memoryview(self._more())
            except (EOFError, zlib.error) as exc:
                self.error = exc
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _more(self) -> bytes:
        """The next piece of the decompressed content; b"" at its end."""
        while True:
            if self._z.eof:  # a member ended: another may follow (or zero padding)
                rest = self._z.unused_data or self._raw.read(65536)
                if not rest.strip(b"\0"):
                    return b""
                self._z = zlib.decompressobj(31)
            else:
                rest = self._z.unconsumed_tail or self._raw.read(65536)
                if not rest:
                    raise EOFError("the gzip data is cut off (no end-of-stream marker)")
            out = self._z.decompress(rest, 1 << 20)
            if out:
                return out

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Utf8Reader(io.RawIOBase):
    """A UTF-16 or UTF-32 stream read as UTF-8, a piece at a time (never whole)."""

    def __init__(self, stream: io.BufferedReader, encoding: str) -> None:
        super().__init__()
        self._text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._text.read(65536)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8", "surrogatepass")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._text.close()
        super().close()


def _parse_stream(stream: io.BufferedReader, name: str, cut: _Salvage | None) -> Iterator[Unit]:
    head = stream.peek(65536)[:65536]
    if cut is not None and cut.error is not None:
        yield ParseError(name, f"cannot read: {cut.error}")
        return
    if csvdump.ROW_START.match(head.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")):
        yield from _parse_csv(stream, name)  # the rows before a cut are kept, then it is named
        if cut is not None and cut.error is not None:
            yield ParseError(name, f"cannot read: {cut.error}")
        return
    if b"\x00" in head:  # decided before reading the whole of what may be a large binary
        yield ParseError(name, "not a cable file (binary data)")
        return
    data = stream.read(MAX_FILE + 1)  # bounded: a gzip bomb is refused, not read whole
    if cut is not None and cut.error is not None:  # one record: refused whole, as it was cut
        yield ParseError(name, f"cannot read: {cut.error}")
        return
    if len(data) > MAX_FILE:
        yield ParseError(name, TOO_LARGE_FILE)
        return
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" and _HTML_RE.search(data[:65536]):
        if len(data) > MAX_RECORD:  # a page is one record; lxml's tree takes many times its size
            yield ParseError(name, TOO_LARGE_RECORD)
        else:
            yield partial(_finish_one, partial(_read_html, data, Source(name)))
        return
    content = text.decode(data)
    source = Source(name)
    if len(content) > MAX_RECORD and not text.is_records(content):
        yield ParseError(name, TOO_LARGE_RECORD)
    elif text.is_rendered(content):
        yield partial(_finish_one, partial(text.read_rendered, content, source))
    elif text.is_records(content):
        for item in text.read_records(content, name):
            yield item if isinstance(item, ParseError) else partial(_finish, item)
    elif text.is_telegram(content):
        yield partial(_finish_one, partial(text.read_telegram, content, source))
    else:
        yield ParseError(
            name, "not a cable file (no cable page, telegram, record or cables.csv row found)"
        )


def _read_html(data: bytes, source: Source) -> RawCable:
    from cables.formats.html import read_html  # lxml loads only when a page is read

    return read_html(data, source)


def _parse_csv(stream: BinaryIO, name: str) -> Iterator[Unit]:
    wrapper = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    for item in csvdump.read_csv_later(wrapper, name):  # a row is split when its unit runs
        yield item if isinstance(item, ParseError) else partial(_finish_one, item)


def _finish_one(read: Callable[[], RawCable]) -> Iterator[Cable | ParseError]:
    try:
        raw = read()
    except ParseError as exc:
        yield exc
        return
    yield from _finish(raw)


def _finish(raw: RawCable) -> Iterator[Cable | ParseError]:
    """Split off glued records, then run the body reader on each cable; every value that reaches
    links, paths or the terminal is checked last (`cables.validate`)."""
    where = raw.source.describe()
    yield from (ParseWarning(where, reason) for reason in check_raw(raw))
    if len(raw.body) + len(raw.header or "") > MAX_RECORD:
        yield ParseError(where, TOO_LARGE_RECORD)
        return
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
        skip, problems = check_cable(cable)
        if skip:
            yield ParseError(part.source.describe(), skip)
            continue
        if part.partial:
            cable.partial = part.partial
            problems = [*problems, f"{part.partial}; kept as a partial record"]
        yield cable
        yield from (ParseWarning(part.source.describe(), reason) for reason in problems)
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
