"""The prepared search engine kept in the cache directory: it round-trips to an engine that
answers exactly as a freshly built one, and anything stale or damaged is refused."""

from __future__ import annotations

import stat
from pathlib import Path

from cables import engine_cache
from cables.index import CableIndex
from cables.library import Library
from cables.search import SidebarSearch

QUERIES = ["berlin 1167", "mexico", "09mexcio1055", "goverment", "pr", "PREL PGOV", "zzzz"]


def test_a_cached_engine_answers_as_a_built_one(fixtures_library: Path):
    with Library.open(fixtures_library) as library:
        generation = library.generation()
        built = SidebarSearch(library.load_index())
    assert engine_cache.load(fixtures_library, generation, SidebarSearch) is None  # none yet
    built.search("berlin")
    assert engine_cache.save(fixtures_library, generation, built)
    cached = engine_cache.load(fixtures_library, generation, SidebarSearch)
    assert cached is not None and cached is not built
    assert built._results and not cached._results  # recent answers are not kept
    for query in QUERIES:
        ours, theirs = cached.search(query), built.search(query)
        assert (ours.total, list(ours.rows)) == (theirs.total, list(theirs.rows)), query
        assert ours.corrections == theirs.corrections
    assert cached._keys == built._keys and cached._all == built._all  # (kept as one string)
    assert cached._grams.bits == built._grams.bits  # the characters' and pairs' rows
    mode = engine_cache.cache_file(fixtures_library).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600  # a pickle: the user's own, nobody else's


def test_an_empty_engine_is_cached_too(fixtures_library: Path):
    with Library.open(fixtures_library) as library:
        generation = library.generation()
    assert engine_cache.save(fixtures_library, generation, SidebarSearch(CableIndex()))
    cached = engine_cache.load(fixtures_library, generation, SidebarSearch)
    assert cached is not None and len(cached) == 0 and cached._keys == ()
    assert cached.search("berlin").total == 0


def test_a_stale_or_damaged_cache_is_refused(fixtures_library: Path, tmp_path: Path):
    with Library.open(fixtures_library) as library:
        generation = library.generation()
        engine = SidebarSearch(library.load_index())
    assert engine_cache.save(fixtures_library, generation, engine)
    assert engine_cache.load(fixtures_library, generation + 1, SidebarSearch) is None
    # the same generation of another library file is another library
    other = tmp_path / "copy.sqlite3"
    other.write_bytes(fixtures_library.read_bytes())
    assert engine_cache.load(other, generation, SidebarSearch) is None
    file = engine_cache.cache_file(fixtures_library)
    file.write_bytes(file.read_bytes()[:-100])
    assert engine_cache.load(fixtures_library, generation, SidebarSearch) is None


def test_a_completed_engine_is_cached_with_what_it_builds_on_need(fixtures_library: Path):
    """`complete()` builds the picture's codes, the filter bits and the ids by serial before
    caching (as the import and the search process do), so the first filter, picture or near id
    after a start needs no build: the cache file holds them, and the cached engine answers as
    the built one."""
    with Library.open(fixtures_library) as library:
        generation = library.generation()
        plain = SidebarSearch(library.load_index())
        pictured = SidebarSearch(library.load_index())
        completed = SidebarSearch(library.load_index())
    pictured.summary(())  # the picture's codes only
    completed.complete()
    sizes = []
    for engine in (plain, pictured, completed):
        assert engine_cache.save(fixtures_library, generation, engine)
        sizes.append(engine_cache.cache_file(fixtures_library).stat().st_size)
    assert sizes[0] < sizes[1] < sizes[2]  # the codes, then the filter bits too
    cached = engine_cache.load(fixtures_library, generation, SidebarSearch)
    assert cached is not None
    assert cached._reversed is not None  # the ids by serial came with it
    slip = cached.fuzzy_ids("09mexico105")  # 09MEXICO1055 with a dropped digit
    assert slip and slip == plain.fuzzy_ids("09mexico105")
    for query in ("level:S year:2009", "level:>=C mexico", "year:2010"):
        ours, theirs = cached.search(query), plain.search(query)
        assert (ours.total, list(ours.rows)) == (theirs.total, list(theirs.rows)), query
        assert ours.total
    assert cached.summary(range(len(cached))) == plain.summary(range(len(plain)))
