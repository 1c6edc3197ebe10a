"""The sidebar search engine on the index of a library of the real fixture cables.

Results are checked against a brute-force model of the documented semantics: every query word must
match (as a substring, or through its corrections when the corpus lacks it), ranked by tier, then
by correction closeness, then newest first.
"""

from __future__ import annotations

import gzip
import random
import string
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import IDS_SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables import search
from cables.index import CableIndex
from cables.library import Library
from cables.search import SidebarSearch, fold, query_words


@pytest.fixture(scope="module")
def index(fixtures_library: Path) -> CableIndex:
    """The sidebar index of tests/fixtures/cables, parsed and imported by the real importer."""
    with Library.open(fixtures_library) as library:
        return library.load_index()


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
        elif all(w in tokens and len(w) >= 3 for w in literal):
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
    "scensetter obama",
    "berlin1167",
    "BERLIN1167",
    "mexico1055",
    "09mexico1055",
    "pgov",
    "PGOV gm",
    "berlin",
    "09berlin",
    "tehran",
    "terorist",
    "terrorist tehran",
    "embassy",
    "e",
    "a",
    "ze",
    "09",
    "kabul pgov",
    "secretary state",
    "privasy",
    "data privasy",
    "scene",
    "scenesetter",
    "u.s.",
    "nothingatall",
    "obama mexico pgov prel",
    "iran",
    "ir",
    "madrid sp",
    "7575",
    "libreville1895",
    # two misspelt words each read two ways: closeness is then a sum
    "reation berin",
    "reation brail",
    "natonal laders",
    "arican reportng",
]


@pytest.mark.parametrize("query", QUERIES)
def test_matches_the_brute_force_model(index: CableIndex, engine: SidebarSearch, query: str):
    result = engine.search(query, limit=10)
    assert result is not None
    total, rows = _model(index, engine, query, limit=10)
    assert result.total == total
    assert list(result.rows) == rows


@pytest.mark.parametrize("query", QUERIES)
def test_scanning_for_id_prefixes_ranks_as_looking_them_up(index, monkeypatch, query: str):
    # Id-prefix tiers of up to ID_DIRECT rows are looked up by bisection, larger ones scanned for:
    # force the scan on this small index and expect the same answers.
    monkeypatch.setattr(search, "ID_DIRECT", 0)
    engine = SidebarSearch(index)
    result = engine.search(query, limit=10)
    assert (result.total, list(result.rows)) == _model(index, engine, query, limit=10)


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
    result = engine.search("PGOV")
    found = set(_ids(index, result.candidates))
    # Exactly the cables whose TAGS hold PGOV (no subject or origin contains the letters) ...
    assert found == {
        ref
        for ref, tags in zip(index.reference_ids, index.tags, strict=True)
        if "PGOV" in tags.upper().split()
    }
    assert result.total == len(found)
    # ... and among them every fixture page whose TAGS line shows PGOV.
    on_pages = {
        e["reference_id_from_filename"]
        for e in facts.values()
        if "PGOV" in (e["observed"].get("tags_line_raw") or "").upper().replace(",", " ").split()
    }
    assert on_pages & set(index.reference_ids) <= found
    assert len(found) > 20


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
    [
        "scen",
        "scensetter",
        "obama",
        "berlin",
        "1167",
        "09",
        "pgov",
        "teror",
        "tehran",
        "gm",
        "x",
        "privasy",
        "ab",
        "embasy",
        "mexico1055",
        "con",
        "iran",
        "ze",
    ]
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


# A larger index (60,000 ids shaped like the real ones, synthetic subjects), for cancellation.
@pytest.fixture(scope="module")
def big() -> SidebarSearch:
    rng = random.Random(7)
    vocab = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5000)]
    with gzip.open(IDS_SAMPLE, "rt") as handle:
        real = [line.split(",")[0] for line in handle]
    ids = [f"{ref}{k:02d}" for k in range(20) for ref in real]  # 3,000 real ids x 20
    n = len(ids)
    index = CableIndex(
        ids,
        [""] * n,
        ["U"] * n,
        ["Embassy Somewhere"] * n,
        [" ".join(rng.choices(vocab, k=8)) for _ in ids],
        ["PGOV PREL"] * n,
        [False] * n,
    )
    return SidebarSearch(index)


def test_cancelled_search_returns_none_at_the_check_that_sees_it(big):
    """Cancelled mid-scan (its second check), it stops there: no further check, no answer."""
    calls = 0

    def cancel_at_the_second_check() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 2

    assert big.search("e", cancelled=cancel_at_the_second_check) is None
    assert calls == 2
    assert big.search("e") is not None  # a cancelled search leaves nothing half-cached
    assert big.search("qqqqzzzx", cancelled=lambda: True) is None  # cancelled while correcting


def test_cancellation_from_another_thread_stops_a_running_search(big):
    started, stop = threading.Event(), threading.Event()
    answers: list[object] = []
    checks = 0

    def cancelled() -> bool:
        nonlocal checks
        checks += 1
        started.set()
        stop.wait(timeout=5)  # hold the search mid-way until the UI thread cancels it
        return stop.is_set()

    worker = threading.Thread(target=lambda: answers.append(big.search("i", cancelled=cancelled)))
    worker.start()
    assert started.wait(timeout=5)  # the worker is inside the search, past its first check
    stop.set()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert answers == [None]
    assert checks == 1  # returned at the very check that saw the flag


def test_narrowing_scans_only_the_previous_matches(big):
    """Given half of the earlier answer, the narrowed search finds matches in that half only:
    it filtered the previous matches, not the whole index."""
    first = big.search("qu", limit=10)
    assert first is not None and first.total > 1
    kept = first.candidates[: len(first.candidates) // 2]
    second = big.search("que", previous=replace(first, candidates=kept, total=len(kept)), limit=10)
    assert second is not None and second.total > 0
    assert set(second.candidates) <= set(kept)
    whole = big.search("que", limit=11)  # another limit: not cached, so from the whole index
    assert whole is not None and set(whole.candidates) > set(second.candidates)


def test_an_empty_index_answers_every_query_with_nothing():
    engine = SidebarSearch(CableIndex())
    assert engine.search("").total == 0
    assert engine.search("berlin").total == 0
    assert engine.search("scensetter").rows == []


def test_odd_text_in_the_index_is_folded_like_queries():
    # A NUL (which the row folding splits on), a tab, non-ASCII letters and punctuation.
    index = CableIndex(
        ["09SAOPAULO1", "09RECIFE2"],
        ["2009-01-02", "2009-01-01"],
        ["U", "U"],
        ["Consulate São Paulo", "Consulate Recife"],
        ["A\x00B SÃO PAULO’S VIEW", "U.S.-BRAZIL\tTALKS"],
        ["PGOV", "PREL"],
        [False, False],
    )
    engine = SidebarSearch(index)
    assert list(engine.search("são paulo's").rows) == [0]
    assert list(engine.search("U.S. brazil").rows) == [1]
    assert list(engine.search("brazil talks").rows) == [1]
    assert list(engine.search("b").rows) == [0, 1]  # "b" a whole word of row 0: NUL separates
    assert list(engine.search("recife2").rows) == [1]


def test_threads_searching_at_once_get_the_answers_of_one_at_a_time(index):
    queries = ["berlin", "scensetter obama", "pgov gm", "e", "privasy", "09b", "teror"]
    alone = SidebarSearch(index)
    expected = {q: (alone.search(q).total, list(alone.search(q).rows)) for q in queries}
    shared = SidebarSearch(index, cache_size=2)  # a small cache, evicting while others read it
    answers: dict[str, set] = {q: set() for q in queries}

    def run(offset: int) -> None:
        for q in queries[offset:] + queries[:offset]:
            for _ in range(3):
                m = shared.search(q)
                answers[q].add((m.total, tuple(m.rows)))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == {q: {(total, tuple(rows))} for q, (total, rows) in expected.items()}
