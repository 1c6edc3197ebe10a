"""Search as you type over every cable of the index, fast enough to run on each keystroke.

The sidebar calls `SidebarSearch.search` in a thread worker on every key. A rapidfuzz scan of 251k
rows costs 0.3-2 s and holds the GIL, so the engine narrows with plain substring tests on one
prepared lowercase key per cable (reference id, subject, origin, tags) and narrows further from
the previous keystroke's matches when the new query implies the old one. Sorted ids (with and
without their year) answer id look-ups by bisection.
Rapidfuzz only corrects query words that occur nowhere in the corpus, against the vocabulary of
distinct words (not against the rows), and its scores rank the rows such a correction finds.
Every loop runs in chunks of a few thousand rows and checks `cancelled()` between them, so a stale
search stops at once and no single stretch of work holds the GIL for long.
"""

from __future__ import annotations

import gc
import math
import re
import string
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import NamedTuple

from rapidfuzz import fuzz, process

from cables.index import CableIndex

CHUNK = 4096  # rows per uninterrupted stretch of work (about 1 ms here)
VOCAB_CHUNK = 8192  # vocabulary words per rapidfuzz call
MAX_CORRECTIONS = 5
SPREAD = 10.0  # corrections scoring this far below the best are dropped
MIN_FUZZY_LENGTH = 4  # shorter words have too many neighbours to correct usefully
MIN_WHOLE_WORD = 3  # shorter words rank by word starts only
ID_DIRECT = 4096  # id-prefix tiers up to this many rows are looked up, not scanned for
RESULT_CACHE = 32  # recent results, so backspacing is instant

# Query and keys are folded alike: lowercase, every punctuation mark a space.
_UNICODE_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b6\u00a7\u00a0\u00b4"
# Control characters separate words too; NUL only in `fold`, as the bytes path splits rows on it.
_ASCII_SEPARATORS = string.punctuation + "".join(map(chr, range(1, 32))) + "\x7f"
_FOLD = str.maketrans(dict.fromkeys("\x00" + _ASCII_SEPARATORS + _UNICODE_PUNCTUATION, " "))
_FOLD_BYTES = bytes.maketrans(_ASCII_SEPARATORS.encode(), b" " * len(_ASCII_SEPARATORS))
_DIGITS = "0123456789"
_LAST = "\U0010ffff"  # sorts after every character: word + _LAST bounds the words it starts

Cancelled = Callable[[], bool]
RowTest = Callable[[Sequence[int]], list[int]]  # the rows of a chunk that pass a test


def fold(text: str) -> str:
    """The case- and punctuation-blind form that keys and queries are compared in."""
    return text.lower().translate(_FOLD)


def query_words(query: str) -> tuple[str, ...]:
    """The distinct words of a query, in order; every one must match (AND)."""
    return tuple(dict.fromkeys(fold(query).split()))


def _never() -> bool:
    return False


class Correction(NamedTuple):
    """A corpus word (or with `prefix` the start of longer ones) read for a misspelt word."""

    text: str
    score: float  # rapidfuzz ratio against what was typed, 0-100
    prefix: bool

    @property
    def needle(self) -> str:
        """What a folded key contains when it has this word: ` text ` or ` text` for a prefix."""
        return f" {self.text}" if self.prefix else f" {self.text} "


@dataclass(frozen=True, slots=True)
class Term:
    """One query word: matched literally, or (when the corpus has no such text) by corrections."""

    word: str
    corrections: tuple[Correction, ...] | None = None  # best first

    @property
    def literal(self) -> bool:
        return self.corrections is None


@dataclass(slots=True)
class Matches:
    """The answer to one query: how many rows match, and the best of them in rank order.

    `candidates` holds every matching row in index order (newest first), so the next keystroke
    can narrow from it; `corrections` says which vocabulary words stood in for misspelt ones.
    """

    query: str
    total: int  # every match counted
    rows: Sequence[int]  # best first, at most `limit`; range(len(index)) for the empty query
    terms: tuple[Term, ...] = ()
    candidates: Sequence[int] = ()
    engine: object | None = field(default=None, repr=False)

    @property
    def corrections(self) -> dict[str, tuple[Correction, ...]]:
        """Misspelt word -> the corpus words (or word starts) it was read as, best first."""
        return {t.word: t.corrections for t in self.terms if t.corrections}


class SidebarSearch:
    """Prepared keys and vocabulary for one CableIndex; safe to call from several threads."""

    def __init__(self, index: CableIndex, *, cache_size: int = RESULT_CACHE) -> None:
        """Fold every row into a key and collect the vocabulary (2 s of CPU for 251k rows here).

        `cache_size` recent results are kept so that backspacing is instant (0: none).
        """
        self._cache_size = cache_size
        self._size = n = len(index)
        # Large columns are tuples and arrays, never lists: CPython stops tracking a tuple of
        # strings or ints after one collection, while every full collection walks every list
        # (200 ms for a few 251k-item lists here, holding the GIL). Row numbers are made once,
        # so that answers share them rather than allocate up to 251k ints per keystroke.
        self._all = tuple(range(n))
        ids = [i.strip() for i in _fold_rows(index.reference_ids)]
        bare = [i.lstrip(_DIGITS) for i in ids]
        rests = _fold_rows(
            [
                f"{subject} {origin} {tags} "
                for subject, origin, tags in zip(
                    index.subjects, index.origins, index.tags, strict=True
                )
            ]
        )
        # The key starts with the id, so that an anchored match tests id prefixes.
        self._keys = tuple(f" {i} {r}" for i, r in zip(ids, rests, strict=True))
        # Ids with and without their year, sorted, for exact and prefix look-ups by bisection.
        self._id_lookups = (_SortedIds(ids), _SortedIds(bare))
        # (map and chain keep the 2.5M-word loop in C: a third faster than a Python loop)
        self._sorted_words = tuple(sorted(set(chain.from_iterable(map(str.split, set(rests))))))
        # Correction candidates, by first letter (a misspelling rarely starts wrong).
        by_initial: dict[str, list[str]] = {}
        for w in self._sorted_words:
            if w.isalpha() and len(w) >= 3:
                by_initial.setdefault(w[0], []).append(w)
        self._vocabulary = {c: tuple(words) for c, words in by_initial.items()}
        # Literal test: a word (no spaces) occurs in some key iff it occurs in this string.
        self._text = " ".join((*self._sorted_words, *ids, *bare))
        self._lock = threading.Lock()
        self._corrections: dict[str, tuple[Correction, ...]] = {}
        self._results: OrderedDict[tuple[tuple[str, ...], int], Matches] = OrderedDict()
        # Untrack the new tuples now (a young-generation pass) rather than mid-keystroke.
        gc.collect(1)

    def __len__(self) -> int:
        return self._size

    def search(
        self,
        query: str,
        *,
        limit: int = 500,
        previous: Matches | None = None,
        cancelled: Cancelled | None = None,
    ) -> Matches | None:
        """Rows matching every word of `query`, best first; None if `cancelled()` turned true.

        `previous` may be any earlier answer of this engine: it is used only where it holds every
        new match (the new query extends it), and ignored otherwise.
        """
        cancelled = cancelled or _never
        words = query_words(query)
        if not words:
            return Matches(query, self._size, range(self._size), (), self._all, self)
        with self._lock:
            cached = self._results.get((words, limit))
            if cached is not None:
                self._results.move_to_end((words, limit))
                return replace(cached, query=query)
        terms: list[Term] = []
        for word in words:
            term = self._term(word, cancelled)
            if term is None:
                return None
            terms.append(term)
        base, todo = self._narrowing(terms, previous)
        candidates = self._filter(base, todo, cancelled)
        if candidates is None:
            return None
        rows = self._rank(candidates, terms, limit, cancelled)
        if rows is None:
            return None
        matches = Matches(query, len(candidates), rows, tuple(terms), candidates, self)
        with self._lock:
            self._results[(words, limit)] = matches
            while len(self._results) > self._cache_size:
                self._results.popitem(last=False)
        return matches

    def corrections(
        self, word: str, cancelled: Cancelled = _never
    ) -> tuple[Correction, ...] | None:
        """Vocabulary words close to `word` (rapidfuzz ratio), best first; None if cancelled.

        Candidates are the vocabulary words with the same first letter, cut to one letter longer
        than the word, so that a word still being typed is read as the start of longer words
        ("teror" -> "terror", which starts "terrorist"). Only words of MIN_FUZZY_LENGTH letters
        or more are corrected, with a cutoff that allows about one slip in five letters.
        """
        with self._lock:
            known = self._corrections.get(word)
        if known is not None:
            return known
        found: dict[str, Correction] = {}
        if word.isalpha() and len(word) >= MIN_FUZZY_LENGTH:
            size = len(word) + 1
            cutoff = 75.0 if len(word) == MIN_FUZZY_LENGTH else 80.0
            # ratio = 200 * common / (len(a) + len(b)): shorter words than this cannot reach it.
            shortest = math.ceil(cutoff * len(word) / (200 - cutoff))
            vocabulary = self._vocabulary.get(word[0], ())
            for start in range(0, len(vocabulary), VOCAB_CHUNK):
                if cancelled():
                    return None
                chunk = [v for v in vocabulary[start : start + VOCAB_CHUNK] if len(v) >= shortest]
                starts = {v[:size] for v in chunk if len(v) > size}
                choices = list(dict.fromkeys(v[:size] for v in chunk))
                for text, score, _ in process.extract(
                    word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=MAX_CORRECTIONS
                ):
                    # A start in any chunk makes it a start: the looser reading wins.
                    prefix = text in starts or (text in found and found[text].prefix)
                    found[text] = Correction(text, score, prefix)
        ranked = sorted(found.values(), key=lambda c: (-c.score, c.text))
        best = tuple(c for c in ranked[:MAX_CORRECTIONS] if c.score >= ranked[0].score - SPREAD)
        with self._lock:
            self._corrections[word] = best
        return best

    def _term(self, word: str, cancelled: Cancelled) -> Term | None:
        if word in self._text:
            return Term(word)
        corrections = self.corrections(word, cancelled)
        return None if corrections is None else Term(word, corrections)

    def _narrowing(
        self, terms: list[Term], previous: Matches | None
    ) -> tuple[Sequence[int], list[Term]]:
        """Where to start and which terms still need testing.

        The previous matches hold every new match when each previous term is implied by some new
        term; a new term implied by a previous one already holds for all of them.
        """
        if (
            previous is not None
            and previous.engine is self
            and previous.terms
            and all(any(_implies(new, old) for new in terms) for old in previous.terms)
        ):
            todo = [t for t in terms if not any(_implies(old, t) for old in previous.terms)]
            return previous.candidates, todo
        return self._all, list(terms)

    def _filter(
        self, base: Sequence[int], terms: list[Term], cancelled: Cancelled
    ) -> Sequence[int] | None:
        """The rows of `base` that every term matches, in index order."""
        if not terms:
            return base
        if any(t.corrections == () for t in terms):
            return ()  # a word neither in the corpus nor close to any word of it
        # Most selective first: corrections and long words cut the most rows.
        tests = [self._matcher(t) for t in sorted(terms, key=lambda t: (t.literal, -len(t.word)))]
        out: list[int] = []
        for chunk in _chunks(base):
            if cancelled():
                return None
            for test in tests:
                chunk = test(chunk)
            out += chunk
        return tuple(out)

    def _matcher(self, term: Term) -> RowTest:
        if term.literal:
            keys, word = self._keys, term.word
            return lambda rows: [i for i in rows if word in keys[i]]
        return self._has_any(term.corrections or ())

    def _rank(
        self, candidates: Sequence[int], terms: list[Term], limit: int, cancelled: Cancelled
    ) -> list[int] | None:
        """The best `limit` candidates.

        Tiers, best first: a word is a reference id (with or without its year); a word starts a
        reference id; every literal word is a whole word of the row (none shorter than
        MIN_WHOLE_WORD); every literal word starts a word; the rest. Within a tier rows with
        closer corrections come first, then newest first.
        """
        spread = [t.corrections for t in terms if t.corrections and len(t.corrections) > 1]
        # One word read several ways: its corrections, by score, split each tier into levels
        # that each keep index order, so the scan can stop as soon as `limit` rows have placed.
        levels: list[RowTest] | None = [list]
        if len(spread) == 1:
            levels = [self._has_any(group) for group in _by_score(spread[0])]
        elif spread:
            levels = None  # several such words: closeness is a sum, so each tier is sorted whole
        order: list[int] = []
        taken: set[int] = set()
        for tier in self._tiers([t.word for t in terms if t.literal]):
            for level in levels or [list]:
                room = limit - len(order)
                hits: list[int] = []
                if isinstance(tier, list):  # the tier's rows themselves, few
                    hits = level([i for i in tier if i not in taken and _contains(candidates, i)])
                else:
                    for chunk in _chunks(candidates):
                        if cancelled():
                            return None
                        hits += [i for i in level(tier(chunk)) if i not in taken]
                        if levels and len(hits) >= room:
                            break  # rows of a level rank in index order: the rest cannot place
                if levels is None:
                    ordered = self._by_corrections(hits, spread, cancelled)
                    if ordered is None:
                        return None
                    hits = ordered
                hits = hits[: max(0, room)]
                order += hits
                taken.update(hits)
                if len(order) >= limit:
                    return order
        return order

    def _has_any(self, corrections: Sequence[Correction]) -> RowTest:
        """A test for rows holding any of `corrections`.

        One plain substring pass per correction: a regex alternation costs three times as much.
        """
        keys = self._keys
        needles = [c.needle for c in corrections]
        if len(needles) == 1:
            needle = needles[0]
            return lambda rows: [i for i in rows if needle in keys[i]]

        def test(rows: Sequence[int]) -> list[int]:
            hit: set[int] = set()
            for needle in needles:
                hit.update([i for i in rows if needle in keys[i]])
            return [i for i in rows if i in hit]

        return test

    def _tiers(self, literals: list[str]) -> Iterator[list[int] | RowTest]:
        """Each rank tier as its sorted rows (when few) or as a test on a chunk of rows.

        Tiers the vocabulary shows to be empty are skipped rather than scanned for.
        """
        if literals:
            keys = self._keys
            exact = sorted(
                {
                    i
                    for w in literals
                    if not w.isalpha() and not w.isdigit()
                    for i in self._id_range(w, exact=True)
                }
            )
            if exact:
                yield exact
            spans = [self._id_range(w, exact=False) for w in literals]
            if sum(len(s) for s in spans) <= ID_DIRECT:
                yield sorted({i for span in spans for i in span})
            else:
                starts = re.compile(" [0-9]*(?:" + "|".join(map(re.escape, literals)) + ")").match
                yield lambda rows: [i for i in rows if starts(keys[i])]
            # Words of one or two letters are still being typed: whole-word matches of them
            # ("go", "nu") are rarely meant, and would cost a pass over every candidate.
            if all(
                len(w) >= MIN_WHOLE_WORD and (self._is_word(w) or self._id_range(w, exact=True))
                for w in literals
            ):
                yield _all_in(keys, [f" {w} " for w in literals])
            if all(self._starts_a_word(w) for w in literals):
                yield _all_in(keys, [f" {w}" for w in literals])
        yield list

    def _id_range(self, word: str, *, exact: bool) -> Sequence[int]:
        """Rows whose reference id, with or without its year, is (or starts with) `word`."""
        with_year, without = (ids.rows(word, exact=exact) for ids in self._id_lookups)
        return with_year + without

    def _is_word(self, word: str) -> bool:
        at = bisect_left(self._sorted_words, word)
        return at < len(self._sorted_words) and self._sorted_words[at] == word

    def _starts_a_word(self, word: str) -> bool:
        at = bisect_left(self._sorted_words, word)
        return (at < len(self._sorted_words) and self._sorted_words[at].startswith(word)) or bool(
            self._id_range(word, exact=False)
        )

    def _by_corrections(
        self, rows: list[int], spread: list[tuple[Correction, ...]], cancelled: Cancelled
    ) -> list[int] | None:
        """`rows` ordered by how close the corrections they contain are to what was typed."""
        keys = self._keys
        buckets: dict[float, list[int]] = {}  # summed shortfall -> rows in index order
        for chunk in _chunks(rows):
            if cancelled():
                return None
            for i in chunk:
                key = keys[i]
                penalty = sum(
                    next((100.0 - c.score for c in options if c.needle in key), 100.0)
                    for options in spread
                )
                buckets.setdefault(penalty, []).append(i)
        return [i for penalty in sorted(buckets) for i in buckets[penalty]]


def _implies(new: Term, old: Term) -> bool:
    """Whether every row that `new` matches is sure to match `old`."""
    if old.literal:
        return (
            old.word in new.word
            if new.literal
            else all(old.word in c.text for c in new.corrections or ())
        )
    if new.literal:
        return False
    return all(
        any(
            c.text.startswith(o.text) if o.prefix else (not c.prefix and c.text == o.text)
            for o in old.corrections or ()
        )
        for c in new.corrections or ()
    )


class _SortedIds:
    """Ids in sorted order with their rows: exact and prefix look-ups by bisection."""

    def __init__(self, ids: list[str]) -> None:
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self._ids = tuple(map(ids.__getitem__, order))
        self._rows = array("i", order)

    def rows(self, word: str, *, exact: bool) -> array[int]:
        lo = bisect_left(self._ids, word)
        hi = bisect_right(self._ids, word if exact else word + _LAST)
        return self._rows[lo:hi]


def _by_score(corrections: tuple[Correction, ...]) -> list[list[Correction]]:
    """Corrections grouped by equal score, best first (they arrive sorted)."""
    groups: list[list[Correction]] = []
    for c in corrections:
        if groups and groups[-1][0].score == c.score:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _contains(rows: Sequence[int], row: int) -> bool:
    """Membership in a sorted list, by bisection."""
    at = bisect_left(rows, row)
    return at < len(rows) and rows[at] == row


def _chunks(rows: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _all_in(keys: Sequence[str], needles: list[str]) -> RowTest:
    def test(rows: Sequence[int]) -> list[int]:
        out = list(rows)
        for needle in needles:
            out = [i for i in out if needle in keys[i]]
        return out

    return test


def _fold_rows(rows: list[str]) -> list[str]:
    """`fold` every row, on bytes where they are ASCII (a few times faster than str.translate)."""
    raw = b"\x00".join(r.encode() if r.isascii() else fold(r).encode() for r in rows)
    parts = raw.lower().translate(_FOLD_BYTES).split(b"\x00")
    if len(parts) != len(rows):  # a NUL inside a field: fold row by row instead
        return [fold(r) for r in rows]
    return [p.decode() for p in parts]
