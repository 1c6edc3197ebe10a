"""The sidebar index kept in the cache directory and mapped: a later load maps the file (a
process holds only the rows it reads) and is the same index; a stale or damaged file is
never used; a mapping of a replaced file lets it go on a thread of its own."""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import stat
import time
from pathlib import Path

import pytest

from cables import index_cache
from cables.index import CableIndex
from cables.library import Library


def _columns(index: CableIndex) -> list[list[object]]:
    return [list(getattr(index, name)) for name in CableIndex.__slots__]


def test_a_later_load_maps_the_kept_index(fixtures_library: Path):
    assert not index_cache.cache_file(fixtures_library).exists()
    with Library.open(fixtures_library) as library:
        first = library.load_index()  # read from the library, kept, and mapped at once
        again = library.load_index()
    for index in (first, again):
        assert isinstance(index.subjects._block, mmap.mmap)  # type: ignore[attr-defined]
    assert _columns(again) == _columns(first) and len(first) > 10
    assert again.reference_ids.index(first.reference_ids[7]) == 7
    mode = index_cache.cache_file(fixtures_library).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_a_stale_or_damaged_kept_index_is_not_used(fixtures_library: Path):
    with Library.open(fixtures_library) as library:
        generation = library.generation()
        expected = _columns(library.load_index())
        assert index_cache.load(fixtures_library, generation) is not None
        assert index_cache.load(fixtures_library, generation + 1) is None  # an import since
        file = index_cache.cache_file(fixtures_library)
        file.write_bytes(file.read_bytes()[:-100])
        assert index_cache.load(fixtures_library, generation) is None
        assert _columns(library.load_index()) == expected  # from the library, kept again
    assert index_cache.load(fixtures_library, generation) is not None


def _open_files(path: Path) -> list[str]:
    """What this process holds open of `path`, as the kernel names it ("… (deleted)")."""
    names = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the listing's own descriptor, gone)
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
    return [name for name in names if name.startswith(str(path))]


def test_a_replaced_index_is_let_go_on_the_closer_thread(
    fixtures_library: Path, monkeypatch: pytest.MonkeyPatch
):
    """Dropping the last mapping of a replaced file frees its blocks in that call (5-10 ms on
    a disk mounted with `discard`): the UI thread drops old indexes, so a second descriptor
    keeps the file until the closer thread closes it."""
    file = index_cache.cache_file(fixtures_library)
    deleted = f"{file} (deleted)"
    held = index_cache._Closer()
    held.thread = object()  # type: ignore[assignment]  # as if started: nothing closes
    monkeypatch.setattr(index_cache, "_closer", held)

    def close_retired() -> None:
        while not held.retired.empty():
            os.close(held.retired.get_nowait())

    with Library.open(fixtures_library) as library:
        generation, index = library.current_index()  # mapped
        index_cache.keep(fixtures_library, generation, index)  # a newer file renamed over it
        gc.collect()
        close_retired()  # (the mappings made and dropped on the way)
        assert _open_files(file) == [deleted] * 2  # the mapping's own, and the closer's
        del index
        gc.collect()
        assert _open_files(file) == [deleted]  # dropping it freed nothing in this thread
        close_retired()
        assert _open_files(file) == []
        monkeypatch.undo()  # the real closer, on its thread
        generation, index = library.current_index()
        index_cache.keep(fixtures_library, generation, index)
        del index
        gc.collect()
        deadline = time.monotonic() + 10
        while _open_files(file) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _open_files(file) == []
