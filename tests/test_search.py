"""The sidebar search engine on an index of the real fixture cables (page-table facts + subjects).

Results are checked against a brute-force model of the documented semantics: every query word must
match (as a substring, or through its corrections when the corpus lacks it), ranked by tier, then
by correction closeness, then newest first.
"""

from __future__ import annotations

import gzip
import itertools
import random
import string
import threading
import time

import pytest
from conftest import SHARED, needs_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.index import CableIndex
from cables.search import CHUNK, SidebarSearch, fold, query_words

pytestmark = needs_shared

_LEVELS = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S", "TOP SECRET": "TS"}


def _fixture_index(facts: dict) -> CableIndex:
    """One row per distinct reference id of the fixtures, newest first, from facts.json."""
    rows: dict[str, tuple[str, str, str, str, str]] = {}
    for _name, entry in sorted(facts.items()):
        observed = entry["observed"]
        ref = entry.get("reference_id_from_filename") or observed.get("reference_id")
        if not ref or ref in rows:
            continue
        classification = (observed.get("classification") or "").split("//")[0]
        rows[ref] = (
            (observed.get("created") or "")[:10],
            _LEVELS.get(classification, "unmarked"),
            observed.get("origin") or "",
            observed.get("subject_raw") or "",
            " ".join((observed.get("tags_line_raw") or "").replace(",", " ").split()),
        )
    order = sorted(rows, key=lambda r: (rows[r][0], r), reverse=True)
    index = CableIndex()
    for ref in order:
        created, level, origin, subject, tags = rows[ref]
        index.reference_ids.append(ref)
        index.created.append(created)
        index.levels.append(level)
        index.origins.append(origin)
        index.subjects.append(subject)
        index.tags.append(tags)
        index.synthetic.append(False)
    return index


@pytest.fixture(scope="module")
def index(facts: dict) -> CableIndex:
    return _fixture_index(facts)


@pytest.fixture
def engine(index: CableIndex) -> SidebarSearch:
    return SidebarSearch(index)


def _model(index: CableIndex, engine: SidebarSearch, query: str, limit: int = 500):
    """(total, ranked rows) by brute force over every row, straight from the definitions."""
    words = query_words(query)
    keys, ids = [], []
    for i in range(len(index)):
        rid = fold(index.reference_ids[i])
        ids.append((rid, rid.lstrip(string.digits)))
        row = f"{rid} {ids[i][1]} {index.subjects[i]} {index.origins[i]} {index.tags[i]}"
        keys.append(fold(row))
    literal = [w for w in words if any(w in k for k in keys)]
    fuzzy = {w: engine.corrections(w) for w in words if w not in literal}

    def has(tokens: list[str], c) -> bool:
        return any(t.startswith(c.text) for t in tokens) if c.prefix else c.text in tokens

    def matches(i: int) -> bool:
        tokens = keys[i].split()
        return all(w in keys[i] for w in literal) and all(
            any(has(tokens, c) for c in corr) for corr in fuzzy.values()
        )

    def rank(i: int) -> tuple[int, float, int]:
        tokens = keys[i].split()
        if any(w in ids[i] and not w.isalpha() and not w.isdigit() for w in literal):
            tier = 0
        elif any(x.startswith(w) for w in literal for x in ids[i]):
            tier = 1
        elif all(w in tokens for w in literal):
            tier = 2
        elif all(any(t.startswith(w) for t in tokens) for w in literal):
            tier = 3
        else:
            tier = 4
        penalty = sum(
            next(100.0 - c.score for c in corr if has(tokens, c))
            for corr in fuzzy.values()
            if len(corr) > 1
        )
        return tier, penalty, i

    found = [i for i in range(len(index)) if matches(i)]
    return len(found), sorted(found, key=rank)[:limit]


QUERIES = [
    "scensetter obama", "berlin1167", "BERLIN1167", "mexico1055", "09mexico1055", "pgov", "PGOV gm",
    "berlin", "09berlin", "tehran", "terorist", "terrorist tehran", "embassy", "e", "a", "ze", "09",
    "kabul pgov", "secretary state", "privasy", "data privasy", "scene", "scenesetter", "u.s.",
    "nothingatall", "obama mexico pgov prel", "iran", "ir", "madrid sp", "7575", "libreville1895",
]


@pytest.mark.parametrize("query", QUERIES)
def test_matches_the_brute_force_model(index: CableIndex, engine: SidebarSearch, query: str):
    result = engine.search(query, limit=10)
    assert result is not None
    total, rows = _model(index, engine, query, limit=10)
    assert result.total == total
    assert list(result.rows) == rows


def _ids(index: CableIndex, rows) -> list[str]:
    return [index.reference_ids[i] for i in rows]


def test_misspelt_scenesetter_finds_the_mexico_scenesetter(index, engine):
    result = engine.search("scensetter obama")
    assert "09MEXICO1055" in _ids(index, result.rows[:3])
    assert "scenesetter" in [c.text for c in result.corrections["scensetter"]]
    assert "obama" not in result.corrections


def test_id_without_year_puts_that_cable_first(index, engine):
    for query in ("berlin1167", "BERLIN1167", "09berlin1167", "Berlin 1167"):
        result = engine.search(query)
        assert _ids(index, result.rows)[0] == "09BERLIN1167", query
    assert _ids(index, engine.search("mexico1055").rows)[0] == "09MEXICO1055"


def test_reference_id_prefix_ranks_above_fuzzy_and_other_matches(index, engine):
    # "berlin": the Berlin cables by id first, then rows naming Berlin elsewhere (09BERLIN1626's
    # subject names it too, but so does its id).
    result = engine.search("berlin")
    ids = _ids(index, result.rows)
    by_id = [r for r in ids if r.lstrip(string.digits).lower().startswith("berlin")]
    assert ids[: len(by_id)] == by_id and by_id
    # An id-prefix word with a misspelt one: the id match still decides the tier.
    result = engine.search("09berlin privasy")
    assert _ids(index, result.rows) == ["09BERLIN1167"]
    assert [c.text for c in result.corrections["privasy"]] == ["privacy"]


def test_words_are_anded_and_case_folded(index, engine):
    both = engine.search("pgov gm")
    assert set(both.candidates) == set(engine.search("pgov").candidates) & set(
        engine.search("gm").candidates
    )
    assert both.total == len(both.candidates) > 0
    assert list(engine.search("PgOv GM").rows) == list(both.rows)


def test_tags_match_exactly(index, engine, facts):
    tagged = {
        e.get("reference_id_from_filename")
        for e in facts.values()
        if "PGOV" in (e["observed"].get("tags_line_raw") or "").upper().replace(",", " ").split()
    }
    tagged &= set(index.reference_ids)
    result = engine.search("PGOV")
    assert set(_ids(index, result.candidates)) == tagged
    assert result.total == len(tagged)


def test_empty_query_is_everything_newest_first(index, engine):
    result = engine.search("  ")
    assert result.total == len(index)
    assert list(result.rows) == list(range(len(index)))
    created = [index.created[i] for i in result.rows if index.created[i]]
    assert created == sorted(created, reverse=True)


def test_limit_caps_rows_but_not_the_count(index, engine):
    full = engine.search("e", limit=1000)
    capped = engine.search("e", limit=5)
    assert capped.total == full.total > 5
    assert list(capped.rows) == list(full.rows)[:5]
    assert engine.search("e", limit=0).rows == []


def _typed(query: str):
    return [query[:n] for n in range(1, len(query) + 1)]


@pytest.mark.parametrize("query", QUERIES)
def test_narrowing_key_by_key_equals_a_fresh_search(index, query):
    typing, fresh_engine = SidebarSearch(index, cache_size=0), SidebarSearch(index, cache_size=0)
    previous = None
    for prefix in _typed(query):
        previous = typing.search(prefix, previous=previous, limit=10)
        fresh = fresh_engine.search(prefix, limit=10)
        assert (previous.total, list(previous.rows)) == (fresh.total, list(fresh.rows)), prefix


def test_backspace_reuses_results_without_stale_answers(index, engine):
    previous = None
    for prefix in [*_typed("berlin1167"), "berlin116", "berlin11", "berlin1"]:
        previous = engine.search(prefix, previous=previous)
        assert previous.total == _model(index, engine, prefix)[0], prefix
        assert previous.query == prefix


def test_previous_from_another_index_is_not_used(index, engine):
    other = SidebarSearch(CableIndex(["01X1"], [""], ["U"], [""], ["nothing"], [""], [False]))
    stale = other.search("no")
    assert stale.total == 1
    result = engine.search("not", previous=stale)
    assert result.total == _model(index, engine, "not")[0]


_words = st.sampled_from(
    ["scen", "scensetter", "obama", "berlin", "1167", "09", "pgov", "teror", "tehran", "gm", "x",
     "privasy", "ab", "embasy", "mexico1055", "con", "iran", "ze"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_words, min_size=1, max_size=3))
def test_any_typed_sequence_narrows_to_the_fresh_answer(index, words):
    query = " ".join(words)
    typing = SidebarSearch(index, cache_size=0)
    previous = None
    for prefix in _typed(query):
        previous = typing.search(prefix, previous=previous, limit=8)
    assert (previous.total, list(previous.rows)) == _model(index, typing, query, limit=8)


# A larger index (the first 60,000 real ids, synthetic subjects), for cancellation timing.
@pytest.fixture(scope="module")
def big() -> SidebarSearch:
    rng = random.Random(7)
    vocab = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5000)]
    with gzip.open(SHARED / "data" / "reference-ids.csv.gz", "rt") as handle:
        ids = [line.split(",")[0] for line in itertools.islice(handle, 60_000)]
    n = len(ids)
    index = CableIndex(
        ids, [""] * n, ["U"] * n, ["Embassy Somewhere"] * n,
        [" ".join(rng.choices(vocab, k=8)) for _ in ids], ["PGOV PREL"] * n, [False] * n,
    )
    return SidebarSearch(index)


def test_cancelled_search_returns_none_promptly(big):
    calls = 0

    def cancel_after_two() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    start = time.perf_counter()
    assert big.search("e", cancelled=cancel_after_two) is None
    assert time.perf_counter() - start < 0.5
    assert calls == 3  # stopped at the third chunk boundary, not after the whole index
    assert big.search("e") is not None  # a cancelled search leaves nothing half-cached
    assert big.search("qqqqzzzx", cancelled=lambda: True) is None  # cancelled while correcting


def test_cancellation_from_another_thread_stops_a_running_search(big):
    started, stop = threading.Event(), threading.Event()
    answers: list[object] = []

    def cancelled() -> bool:
        started.set()
        stop.wait(timeout=5)  # hold the search mid-way until the UI thread cancels it
        return stop.is_set()

    worker = threading.Thread(target=lambda: answers.append(big.search("i", cancelled=cancelled)))
    worker.start()
    assert started.wait(timeout=5)  # the worker is inside the search, past its first check
    stop.set()
    stopped = time.perf_counter()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert answers == [None]
    assert time.perf_counter() - stopped < 0.25


def test_chunks_are_checked_between_every_few_thousand_rows(big):
    calls = 0

    def count() -> bool:
        nonlocal calls
        calls += 1
        return False

    result = big.search("o", cancelled=count)  # not searched before: no cached answer
    assert result is not None and result.total > 0
    assert calls >= len(big) // CHUNK


def test_narrowing_scans_only_the_previous_matches(big):
    def counter():
        calls = [0]

        def cancelled() -> bool:
            calls[0] += 1
            return False

        return calls, cancelled

    fresh_calls, fresh = counter()
    first = big.search("qu", cancelled=fresh, limit=10)
    assert first.total < CHUNK  # few enough to fit one chunk
    narrowed_calls, narrowed = counter()
    second = big.search("que", previous=first, cancelled=narrowed, limit=10)
    assert fresh_calls[0] >= len(big) // CHUNK
    assert narrowed_calls[0] <= 4  # one chunk to filter, a few to rank: never the whole index
    assert second.total == big.search("que", limit=11).total  # another limit: not cached
