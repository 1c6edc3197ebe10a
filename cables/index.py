"""The compact cable index: what the sidebar lists and searches, for every cable at once.

Columnar, newest first. Loaded from the library, every text column is one UTF-8 block with an
array of end offsets (`Column`), not 251k Python strings: the index takes ~40 MB instead of
~150 MB, loads in one read (`from_bytes`, no per-row work) and decodes only the rows drawn.
A whole column still iterates fast (one decode and split), which is how the engine reads it.
"""

from __future__ import annotations

import mmap
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    Block = bytes | mmap.mmap  # what a column's text is kept in
    Ends = array[int] | memoryview  # and where each value ends in it (uint32)
SEP = "\x1f"  # between the values of a column (sanitised text never holds it)
_MAGIC = b"CIX3"  # 3: rows in `sent` order (schema 3)
_ONE_LINE = str.maketrans({SEP: " ", "\n": " ", "\r": " "})


class Column(Sequence[str]):
    """Strings stored as one block: `SEP`-joined UTF-8 and the offset where each one ends."""

    __slots__ = ("_base", "_block", "_ends", "_size")

    def __init__(self, block: Block, base: int, size: int, ends: Ends) -> None:
        self._block, self._base, self._size, self._ends = block, base, size, ends

    @classmethod
    def of(cls, values: Iterable[str]) -> Column:
        """A column of `values`; `SEP` and line breaks in them become spaces (one line each)."""
        data, ends, at = [], array("I"), 0
        for value in values:
            raw = value.translate(_ONE_LINE).encode()
            at += len(raw)
            ends.append(at)
            data.append(raw)
            at += 1
        block = SEP.encode().join(data)
        return cls(block, 0, len(block), ends)

    @classmethod
    def alone(cls, values: Sequence[str]) -> Column:
        """`values` in a block of their own: a loaded index's columns share one block, so one
        column kept past the index would keep them all (sliced out: no per-row work)."""
        if isinstance(values, Column):
            block = values._block[values._base : values._base + values._size]
            ends = values._ends  # (offsets in a mapped file: copied, so it pickles)
            return cls(
                block, 0, values._size, ends if isinstance(ends, array) else array("I", ends)
            )
        return cls.of(values)

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._ends)
        end = self._ends[i]  # IndexError past the end, as a list
        start = self._ends[i - 1] + 1 if i else 0
        return self._block[self._base + start : self._base + end].decode()

    def __iter__(self) -> Iterator[str]:
        if not self._ends:
            return iter(())
        return iter(self._block[self._base : self._base + self._size].decode().split(SEP))

    def index(self, value: object, start: int = 0, stop: int = sys.maxsize) -> int:
        """Where `value` is first: found in the block at C speed (Sequence's decodes row after
        row: 1.4 s for the last of 251k ids, each time the browser looks a cable up)."""
        if start or stop < len(self) or not isinstance(value, str):
            return super().index(value, start, stop)
        needle, sep = value.encode(), SEP.encode()
        if sep in needle or value != value.translate(_ONE_LINE):
            raise ValueError(f"{value!r} is not in the column")  # no stored value holds these
        block, first, last = self._block, self._base, self._base + self._size
        at = block.find(needle, first, last)
        while at >= 0 and self._ends:
            end = at + len(needle)
            whole_start = at == first or block[at - 1 : at] == sep
            if whole_start and (end == last or block[end : end + 1] == sep):
                return bisect_left(self._ends, end - first)  # the row that ends there
            at = block.find(needle, at + 1, last)
        raise ValueError(f"{value!r} is not in the column")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Column({len(self)} values)"


class Flags(Sequence[bool]):
    """Booleans stored one byte each."""

    __slots__ = ("_bytes",)

    def __init__(self, data: bytes) -> None:
        self._bytes = data

    @overload
    def __getitem__(self, i: int) -> bool: ...
    @overload
    def __getitem__(self, i: slice) -> list[bool]: ...
    def __getitem__(self, i: int | slice) -> bool | list[bool]:
        if isinstance(i, slice):
            return [bool(b) for b in self._bytes[i]]
        return bool(self._bytes[i])

    def __len__(self) -> int:
        return len(self._bytes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == [bool(b) for b in other]

    __hash__ = None  # type: ignore[assignment]


@dataclass(slots=True)
class CableIndex:
    """Row i of every column describes one cable; rows are ordered newest (sent) first."""

    reference_ids: Sequence[str] = field(default_factory=list)
    # The date each cable was sent (`Cable.sent`), "YYYY-MM-DD", or "" where unknown.
    created: Sequence[str] = field(default_factory=list)
    levels: Sequence[str] = field(default_factory=list)  # Level values
    origins: Sequence[str] = field(default_factory=list)
    subjects: Sequence[str] = field(default_factory=list)
    tags: Sequence[str] = field(default_factory=list)  # space-joined TAGS
    synthetic: Sequence[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.reference_ids)

    def to_bytes(self) -> bytes:
        """One block: magic, row count, per column its byte size, then offsets and text."""
        columns = [
            c if isinstance(c, Column) else Column.of(c)
            for c in (getattr(self, name) for name in _text_columns())
        ]
        k = len(columns)
        header = _MAGIC + struct.pack(f"<II{k}Q", len(self), k, *(c._size for c in columns))
        parts = [header]
        for c in columns:
            ends = array("I", c._ends)
            if ends.itemsize != 4:  # pragma: no cover (every platform we run on)
                raise RuntimeError("array('I') is not 32-bit here")
            parts += [ends.tobytes(), c._block[c._base : c._base + c._size]]
        parts.append(bytes(bool(s) for s in self.synthetic))
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, block: Block, start: int = 0) -> CableIndex:
        """The index `to_bytes` wrote, from `start` in `block` to its end; the columns share
        `block` (no copy of the text: a mapped file stays on disk but for the rows read)."""
        if block[start : start + 4] != _MAGIC or len(block) < start + 12:
            raise ValueError("not a cable index block")
        n, k = struct.unpack_from("<II", block, start + 4)
        if k != len(_text_columns()):
            raise ValueError("a cable index block of another layout")
        at = start + 12 + 8 * k
        if len(block) < at + 4 * n * k + n:
            raise ValueError("truncated cable index block")
        sizes = struct.unpack_from(f"<{k}Q", block, start + 12)
        columns = []
        for size in sizes:
            ends: Ends
            if isinstance(block, mmap.mmap):  # read in place: only the pages used are loaded
                ends = memoryview(block)[at : at + 4 * n].cast("I")
            else:
                ends = array("I")
                ends.frombytes(block[at : at + 4 * n])
            at += 4 * n
            columns.append(Column(block, at, size, ends))
            at += size
        synthetic = Flags(block[at : at + n])
        if len(synthetic) != n or at + n != len(block):
            raise ValueError("truncated cable index block")
        return cls(**dict(zip(_text_columns(), columns, strict=True)), synthetic=synthetic)


def _text_columns() -> list[str]:
    """Every column but `synthetic` holds text, in field order."""
    return [f.name for f in fields(CableIndex) if f.name != "synthetic"]
