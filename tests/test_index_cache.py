"""The sidebar index kept in the cache directory and mapped: a later load maps the file (a
process holds only the rows it reads) and is the same index; a stale or damaged file is
never used."""

from __future__ import annotations

import mmap
import stat
from pathlib import Path

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
