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
from rapidfuzz.distance import OSA

from cables import search
from cables.index import CableIndex
from cables.library import Library
from cables.query import parse
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
    subjects = [fold(s).split() for s in index.subjects]
    heads = [fold(f"{o}").split() for o in index.origins]
    everything = []
    keys, ids = [], []
    for i in range(len(index)):
        rid = fold(index.reference_ids[i]).strip()
        ids.append((rid, rid.lstrip(string.digits)))
        keys.append(fold(f"{rid} {index.subjects[i]} {index.origins[i]} {index.tags[i]}"))
        everything.append(keys[i].split())
    vocabulary = {w for i in range(len(index)) for w in everything[i][1:]}
    literal = [w for w in words if any(w in k or w in ids[i][1] for i, k in enumerate(keys))]
    exact_any = {w for w in words if any(w in pair for pair in ids)}
    near: dict[str, dict[int, float]] = {}
    for w in words:
        if len(w) >= 6 and not w.isalpha() and not w.isdigit() and w not in exact_any:
            near[w] = {}
            for i, (rid, bare) in enumerate(ids):
                target = rid if w[0].isdigit() else bare
                if OSA.distance(w, target) == 1:
                    near[w][i] = search._edit_cost(w, target)
    fuzzy = {w: engine.corrections(w) for w in words if w not in literal and w not in near}

    def has(tokens: list[str], c) -> bool:
        return any(t.startswith(c.text) for t in tokens) if c.prefix else c.text in tokens

    def matches(i: int) -> bool:
        return all(w in keys[i] or i in near.get(w, {}) for w in words if w not in fuzzy) and all(
            any(has(everything[i], c) for c in corr) for corr in fuzzy.values()
        )

    combos = [a + d for a in literal if a.isalpha() for d in literal if d.isdigit() and len(d) > 1]
    exact_words = [w for w in literal if not w.isalpha() and not w.isdigit()] + combos
    any_exact = any(w in pair for w in exact_words for pair in ids)
    whole_ok = all(len(w) >= 3 and (w in vocabulary or any(w in p for p in ids)) for w in literal)
    starts_ok = all(
        any(v.startswith(w) for v in vocabulary)
        or any(p.startswith(w) for pair in ids for p in pair)
        for w in literal
    )

    def placed(i: int, fields: list[list[str]], whole: bool) -> bool:
        tokens = [t for f in fields for t in f]
        return all(
            (w in tokens) if whole else any(t.startswith(w) for t in tokens) for w in literal
        ) and all(any(has(tokens, c) for c in corr) for corr in fuzzy.values())

    def rank(i: int) -> tuple[int, float, float, int]:
        cost = 0.0
        if any(w in ids[i] for w in exact_words):
            tier = 0
        elif not any_exact and any(i in n for n in near.values()):
            tier, cost = 1, min(n[i] for n in near.values() if i in n)
        elif literal and any(x.startswith(w) for w in literal for x in ids[i]):
            tier = 2
        else:
            tier = 9
            if literal or fuzzy:
                fields = [subjects[i]], [[ids[i][0]], subjects[i], heads[i]], [everything[i]]
                for base, (ok, whole) in ((3, (whole_ok, True)), (6, (starts_ok, False))):
                    if ok and tier == 9:
                        for step, f in enumerate(fields):
                            if placed(i, f, whole):
                                tier = base + step
                                break
        penalty = sum(
            next(100.0 - c.score for c in corr if has(everything[i], c))
            for corr in fuzzy.values()
            if len(corr) > 1
        )
        # in a subject holding every word: the typed order first, then the words closest
        order: tuple[bool, int] = (False, 0)
        spellings = [
            [w] if w in literal else [c.text for c in fuzzy[w]]
            for w in words
            if w in literal or fuzzy.get(w)
        ]
        if tier in (3, 6) and len(spellings) > 1:
            subject = " " + " ".join(subjects[i]) + " "
            at = [min(p for s in ss if (p := subject.find(f" {s}")) >= 0) for ss in spellings]
            order = (at != sorted(at), max(at) - min(at))
        return tier, cost, penalty, order, i

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


@pytest.fixture(params=["sets", "masks and bits", "every pair"])
def indexed(request, monkeypatch):
    """Every term and rank tier through the word index and the bits of characters and pairs
    (the fixtures are far below the sizes where they are used), its rows joined as sets or
    marked in masks, common words kept as bits; or every character and pair kept as bits, and
    every word's rows made bits before they join them."""
    monkeypatch.setattr(search, "INDEXED", 0)
    monkeypatch.setattr(search, "SCAN_FROM", 0)
    monkeypatch.setattr(search, "TIER_FEW", 10**9)
    if request.param == "masks and bits":
        monkeypatch.setattr(search, "FEW", 0)
        monkeypatch.setattr(search, "MANY", 8)  # words in over 1/8 of the rows: bits
    if request.param == "every pair":
        monkeypatch.setattr(search, "DENSE", 10**9)
        monkeypatch.setattr(search, "MARK_MOST", 0)


def _scanned(monkeypatch, engine: SidebarSearch, query: str, limit: int):
    """The engine's answer when it reads every key (no word index, for terms or tiers)."""
    with monkeypatch.context() as scanning:
        scanning.setattr(search, "INDEXED", 10**9)
        scanning.setattr(search, "TIER_FEW", -1)
        return engine.search(query, limit=limit)


@pytest.mark.parametrize(
    "query",
    [
        *QUERIES,
        *("e*", "-embassy berlin", "berlin -pgov", "q", "x", "pr*", "sec sta"),
        *(
            "berln1167",
            "mexco1055",
            "09mexcio1055",
            "09berlin162",
            "baghdad29 e",
        ),  # ids one edit away
    ],
)
def test_the_word_index_answers_as_reading_every_key(index, indexed, monkeypatch, query: str):
    engine = SidebarSearch(index, cache_size=0)
    assert engine._words.bits or search.MANY > 8  # (the bits are used when asked for)
    for limit in (10, len(index)):
        found = engine.search(query, limit=limit)
        expected = _scanned(monkeypatch, engine, query, limit)
        assert (found.total, list(found.rows), tuple(found.candidates)) == (
            expected.total,
            list(expected.rows),
            tuple(expected.candidates),
        )
    if query in QUERIES:
        assert (found.total, list(found.rows)) == _model(index, engine, query, limit=len(index))


@pytest.mark.parametrize("query", QUERIES)
def test_the_word_index_narrows_key_by_key_to_the_fresh_answer(index, indexed, query):
    typing, fresh = SidebarSearch(index, cache_size=0), SidebarSearch(index, cache_size=0)
    previous = None
    for prefix in _typed(query):
        previous = typing.search(parse(prefix), previous=previous, limit=8)
        expected = fresh.search(parse(prefix), limit=8)
        assert (previous.total, list(previous.rows), tuple(previous.candidates)) == (
            expected.total,
            list(expected.rows),
            tuple(expected.candidates),
        )


def test_the_word_index_finds_a_text_in_any_field_and_odd_ids():
    rows = CableIndex(
        reference_ids=["09ABC12", "09ÉTÉ7", "09X Y3", "08ABC5"],
        created=["2009-01-02", "2009-01-01", "2008-12-31", "2008-01-01"],
        levels=["S", "C", "U", "S"],
        origins=["Embassy Berlin", "Embassy Paris", "Embassy Rome", "Embassy Bern"],
        subjects=["The elephant talks", "Été en France", "Nothing", "elder statesman"],
        tags=["PREL PGOV", "ECON", "PREL", "PGOV"],
        synthetic=[False] * 4,
    )
    engine = SidebarSearch(rows)
    words, ids = engine._words, engine._id_lookups[0]  # (the folded ids with their year)
    everything = tuple(range(4))
    assert words.rows([("el", search.ANYWHERE)], everything, ids) == [0, 2, 3]  # (PREL too)
    assert words.rows([("bc", search.ANYWHERE)], everything, ids) == [0, 3]
    assert words.rows([("té", search.ANYWHERE)], everything, ids) == [1]
    assert words.rows([("y3", search.ANYWHERE)], everything, ids) == [2]
    assert words.rows([("y3", search.WHOLE)], everything, ids) == [2]
    assert words.rows([("09a", search.START)], everything, ids) == [0]
    assert words.rows([("pgov", search.WHOLE)], (1, 2, 3), ids) == [3]
    assert words.rows([("ber", search.START), ("ro", search.START)], everything, ids) == [0, 2, 3]


@given(st.sets(st.integers(0, 99)))
def test_missing_rows_are_found_by_bisection(rows):
    assert search._missing(sorted(rows), 100) == [i for i in range(100) if i not in rows]


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


def test_an_id_typed_key_by_key_keeps_the_ids_one_edit_away(index):
    """'09mexico10' is no id here: it also finds the ids one edit from it (09MEXICO20), which
    the answer to '09mexico1' before it did not hold, so that answer cannot be narrowed."""
    ids = ["09MEXICO100", "09MEXICO20", "09MEXICO1", "09MEXICO3"]
    n = len(ids)
    small = CableIndex(ids, [""] * n, ["U"] * n, [""] * n, ["x"] * n, [""] * n, [False] * n)
    typing, fresh = SidebarSearch(small, cache_size=0), SidebarSearch(small, cache_size=0)
    for submitted in (False, True):
        previous = None
        for prefix in _typed("09mexico100"):
            query = parse(prefix, submitted=submitted)
            previous = typing.search(query, previous=previous)
            expected = fresh.search(query)
            assert (previous.total, list(previous.rows)) == (expected.total, list(expected.rows))


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

    # (a phrase: read key by key, where a word's rows may come from bits without a pass)
    assert big.search('"e s"', cancelled=cancel_at_the_second_check) is None
    assert calls == 2
    assert big.search('"e s"') is not None  # a cancelled search leaves nothing half-cached
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

    worker = threading.Thread(
        target=lambda: answers.append(big.search('"i s"', cancelled=cancelled))
    )
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


# -- the query language in the sidebar engine --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("berln1167", "09BERLIN1167"),  # a letter missing
        ("mexco1055", "09MEXICO1055"),
        ("kabl3161", "09KABUL3161"),
        ("09mexcio1055", "09MEXICO1055"),  # two letters swapped
        ("09mexicco1055", "09MEXICO1055"),  # one doubled
        ("09mexixo1055", "09MEXICO1055"),  # one wrong
        ("berlin1176", "09BERLIN1167"),  # swapped in the serial
        ("90berlin1167", "09BERLIN1167"),  # swapped in the year
        ("berlin 1167", "09BERLIN1167"),
        ("1167 berlin", "09BERLIN1167"),
        ("secstate13750", "10STATE13750"),  # as REF lines name the Department's cables
        ("10secstate13750", "10STATE13750"),
    ],
)
def test_ids_typed_with_one_slip_find_the_cable_first(index, engine, query, expected):
    assert _ids(index, engine.search(query).rows)[0] == expected
    # as typed in the sidebar, the last word unfinished, too
    assert _ids(index, engine.search(parse(query)).rows)[0] == expected


def test_a_swap_or_a_drop_ranks_before_a_wrong_character():
    ids = ["09PARIS1254", "09PARIS1235", "09PARIS253", "09PARIS1253X"]
    n = len(ids)
    index = CableIndex(ids, [""] * n, ["U"] * n, [""] * n, ["x"] * n, [""] * n, [False] * n)
    engine = SidebarSearch(index)
    # 1235 is 1253 swapped, 253 has a digit dropped, 1253X one added: all before 1254 (one wrong
    # digit), however new 1254 is; the exact id, where there is one, is all there is.
    assert _ids(index, engine.search("09paris1253").rows) == [
        "09PARIS1235",
        "09PARIS253",
        "09PARIS1253X",
        "09PARIS1254",
    ]
    assert _ids(index, engine.search("09paris1235").rows) == ["09PARIS1235"]
    assert search._edit_cost("berlni", "berlin") == 1.0
    assert search._edit_cost("berlix", "berlin") == 1.5
    assert search._edit_cost("berlinn", "berlin") == 1.0


def test_unfinished_words_are_not_corrected_until_a_space(index, engine):
    typing = engine.search(parse("presidnt"))
    assert typing.total == 0 and typing.missing == ("presidnt",) and not typing.corrections
    done = engine.search(parse("presidnt "))
    assert done.total > 0 and "presidnt" in done.corrections
    assert engine.search("presidnt").total == done.total  # a string is a submitted query


def test_the_list_never_widens_while_a_word_is_typed(index):
    typing = SidebarSearch(index, cache_size=0)
    previous = None
    totals = []
    for prefix in _typed("scenesetterx"):
        previous = typing.search(parse(prefix), previous=previous)
        totals.append(previous.total)
    assert totals == sorted(totals, reverse=True), totals


def test_subject_words_rank_before_the_same_words_in_tags_or_origin(index, engine):
    # "mexico": the Mexico City cables' subjects/origin name it; a whole word in the subject
    # ranks above one only in the origin.
    rows = engine.search("mexico scenesetter").rows
    assert _ids(index, rows)[0] == "09MEXICO1055"
    for query in ("mexico", "kabul", "embassy", "iran"):
        rows = list(engine.search(query).rows)
        tiers = [_tier(index, i, query) for i in rows]
        assert tiers == sorted(tiers), query


def _tier(index, i, word) -> int:
    """0 id, 1 subject, 2 origin, 3 tags or a part of a word (the model's order, one word)."""
    rid = fold(index.reference_ids[i]).strip()
    if rid.lstrip(string.digits).startswith(word) or rid.startswith(word):
        return 0
    if word in fold(index.subjects[i]).split():
        return 1
    if word in fold(index.origins[i]).split():
        return 2
    return 3


def test_exclusions_phrases_prefixes_or(index, engine):
    both = set(engine.search("kabul").candidates)
    without = set(engine.search("kabul -pgov").candidates)
    assert without and without < both
    assert all("PGOV" not in index.tags[i].upper().split() for i in without)
    phrase = engine.search('"scenesetter for"')
    assert all(" scenesetter for" in fold(_row(index, i)) for i in phrase.candidates)
    assert "09MEXICO1055" in _ids(index, phrase.candidates)
    prefix = engine.search("scene*")
    assert set(prefix.candidates) == {
        i for i in range(len(index)) if " scene" in f" {fold(_row(index, i))}"
    }
    either = set(engine.search("kabul OR berlin").candidates)
    assert either == both | set(engine.search("berlin").candidates)


def _row(index, i) -> str:
    return " ".join([index.reference_ids[i], index.subjects[i], index.origins[i], index.tags[i]])


def test_filters_alone_and_with_words(index, engine):
    secret = engine.search("level:S")
    assert secret.total == sum(1 for lv in index.levels if lv == "S") > 0
    high = set(engine.search("level:>=C").candidates)
    assert high == {i for i, lv in enumerate(index.levels) if lv in ("C", "S", "TS")}
    y2009 = set(engine.search("year:2009").candidates)
    assert y2009 == {i for i, c in enumerate(index.created) if c.startswith("2009")}
    spring = set(engine.search("date:2009-04..2009-06").candidates)
    assert spring == {i for i, c in enumerate(index.created) if "2009-04" <= c[:7] <= "2009-06"}
    assert "09MEXICO1055" in _ids(index, spring)
    berlin = set(engine.search("origin:berlin").candidates)
    assert berlin == {i for i, o in enumerate(index.origins) if "berlin" in o.lower()}
    assert berlin <= set(engine.search("origin:berln").candidates)  # fuzzy on the origin
    assert set(engine.search('origin:"embassy berl"').candidates) == berlin
    prel = set(engine.search("tag:prel").candidates)
    assert prel == {i for i, t in enumerate(index.tags) if "PREL" in t.upper().split()}
    combined = set(engine.search("tag:PREL level:C year:2009 berlin").candidates)
    assert combined == prel & y2009 & set(engine.search("level:C berlin").candidates)
    # levels and year ranges (read from the bits of each level and year) as row by row
    spread = engine.search("level:C,S year:2005..2008 year:2006..2010").candidates
    assert list(spread) == [
        i
        for i, (lv, c) in enumerate(zip(index.levels, index.created, strict=True))
        if lv in ("C", "S") and "2006" <= c[:4] <= "2008"
    ]
    assert spread and engine.search("level:TS year:1970").total == 0


def test_a_bare_year_matches_the_cables_of_that_year(index, engine):
    y = set(engine.search("2009").candidates)
    assert {i for i, c in enumerate(index.created) if c.startswith("2009")} <= y
    assert engine.search("1972").total >= sum(1 for c in index.created if c.startswith("1972"))


def test_linked_ids_restrict_the_rows(index, engine):
    result = engine.search("cites:09BERLIN988", linked=["09BERLIN1167", "09berlin1162"])
    assert sorted(_ids(index, result.rows)) == ["09BERLIN1162", "09BERLIN1167"]
    assert engine.search("berlin", linked=[]).total == 0


def test_sort_new_and_old(index, engine):
    new = list(engine.search("kabul sort:new").rows)
    assert new == sorted(new)
    assert list(engine.search("kabul sort:old").rows) == new[::-1]


def test_invalid_filters_are_errors_and_nothing_is_searched(engine):
    result = engine.search("iran level:Q")
    assert result.total == 0 and result.errors and "level:Q" in result.errors[0]


def test_a_word_that_matches_nothing_is_named(engine):
    result = engine.search("calderon merida")
    assert result.total == 0 and set(result.missing) <= {"calderon", "merida"} and result.missing


def test_filters_then_typing_narrows_to_the_fresh_answer(index):
    typing = SidebarSearch(index, cache_size=0)
    fresh = SidebarSearch(index, cache_size=0)
    previous = None
    for prefix in _typed("level:C tag:prel berlin priv"):
        previous = typing.search(parse(prefix), previous=previous, limit=10)
        expected = fresh.search(parse(prefix), limit=10)
        assert (previous.total, list(previous.rows)) == (expected.total, list(expected.rows))


def test_broad_queries_rank_the_newest_window_and_count_everything(index, engine, monkeypatch):
    monkeypatch.setattr(search, "RANK_WINDOW", 10)
    result = engine.search("e")
    assert result.total == _model(index, engine, "e")[0] > 10
    # every row ranked comes from the newest 10 matches (ids and exact tiers aside); a list
    # paged past them goes on with the other matches, newest first, each once
    assert set(result.rows[:10]) == set(result.candidates[:10])
    assert list(result.rows[10:]) == list(result.candidates[10:])
    assert list(engine.search("e", limit=12).rows) == list(result.rows[:12])


def test_a_coded_column_keeps_every_value_however_many_there_are():
    few = search._Coded(["S", "C", "S", "U"])
    assert list(few) == ["S", "C", "S", "U"] and few[2] == "S" and few[1:3] == ["C", "S"]
    many = search._Coded([f"2009-{i}" for i in range(70_000)])  # more than two bytes can number
    assert len(many) == 70_000 and many[69_999] == "2009-69999" and set(many) == set(many[:])


def test_character_and_pair_bits_are_the_rows_whose_key_holds_them(index, monkeypatch):
    """Every character and pair (none of them rare enough to leave out) as bits: exactly the
    rows whose key holds it, words and ids alike; the rarer ones left out by default."""
    monkeypatch.setattr(search, "DENSE", 10**9)
    engine = SidebarSearch(index, cache_size=0)
    keys = engine._keys
    grams = {k[j : j + g] for k in keys for g in (1, 2) for j in range(len(k) - g + 1)}
    grams = {g for g in grams if " " not in g}
    assert set(engine._grams.bits) == grams
    for gram, bits in engine._grams.bits.items():
        rows = [i for i, key in enumerate(keys) if gram in key]
        assert list(search._RowBits(bits, len(keys), engine._all)) == rows, gram
    monkeypatch.undo()
    kept = SidebarSearch(index, cache_size=0)._grams.bits
    assert kept and all(b.bit_count() * search.DENSE >= len(keys) for b in kept.values())
    assert len(kept) < len(grams)


@given(st.sets(st.integers(0, 999)), st.integers(0, 1200))
@settings(max_examples=60, deadline=None)
def test_rows_held_as_bits_read_as_the_sorted_rows(chosen: set[int], count: int):
    rows = sorted(chosen)
    held = search._RowBits(search._bits(rows, 1000), 1000, tuple(range(1000)))
    assert len(held) == len(rows) and bool(held) == bool(rows)
    assert list(held[:count]) == rows[:count]  # the newest first, from the top bits alone
    if count < len(rows):
        assert held[count] == rows[count]
    assert all((i in held) == (i in chosen) for i in (*range(0, 1000, 7), -1, 1000))
    assert list(held) == rows and list(held[::-1]) == rows[::-1]
    assert held[count:] == tuple(rows[count:])


@given(st.data())
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_picture_of_rows_held_as_bits_is_that_of_the_rows(engine, data):
    size = len(engine)
    rows = sorted(data.draw(st.sets(st.integers(0, size - 1))))
    held = search._RowBits(search._bits(rows, size), size, engine._all)
    assert engine.summary(held) == engine.summary(tuple(rows))


@pytest.mark.parametrize("sparse", [1, 10**9])  # searched for, or every row read
def test_rows_read_from_bits_searched_for_or_all_at_once(monkeypatch, sparse: int):
    monkeypatch.setattr(search, "SPARSE", sparse)
    rng = random.Random(5)
    for size in (1, 7, 8, 9, 1000, 4099):
        for share in (0.0, 0.01, 0.5, 1.0):
            rows = sorted(i for i in range(size) if rng.random() < share)
            bits = search._bits(rows, size)
            assert search._bit_rows(bits, size, range(size)) == rows
