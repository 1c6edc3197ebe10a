"""Search as you type over every cable of the index, fast enough to run on each keystroke.

The engine is a pure function of (index, parsed query) with a cancellation hook: no globals, no
Textual, so it runs as well in a thread, a process or a script (`cables find`). It narrows with
plain substring tests on one prepared lowercase key per cable (" id subject origin tags ", with
the offsets where the subject and origin end, so that ranking can ask where a word matched), and
narrows further from the previous keystroke's matches when the new query implies the old one.
Sorted ids (with and without their year, and reversed) answer id look-ups by bisection, exact,
by prefix and one edit away (a typo in the year, station or serial).
Rapidfuzz only corrects finished query words that occur nowhere in the corpus, against the
vocabulary of distinct words (not against the rows), and its scores rank the rows it finds.
Over many rows, a word index (`_WordIndex`: the rows of every word of the keys, and the ids in
one string) gives a term's rows and the sparse rank tiers without reading 251k keys, whose mere
reading costs ~40 ms here; the substring tests then run on the rows it leaves. Where rows are
many, they are the bits of an int (`_Grams`: the rows of each common character and pair of
characters; `_RowBits`: an answer's rows, made into numbers only where read), so a short word
is an AND in C rather than a pass over the keys.
Filters (`level:`, `origin:`, `year:`, `date:`, `tag:`, and `cites:`/`refs:` resolved by the
caller into reference ids) cut the rows first (levels and years from bits of each) and are
cached while the words change.
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
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain, compress, islice, repeat
from operator import itemgetter
from typing import NamedTuple, overload

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cables.index import CableIndex, Column
from cables.query import Clause, DateRange, Query, Sort, Word, parse

RUNS_FROM = 16  # rows per month run at least for the picture to count runs, not rows
CHUNK = 4096  # rows per uninterrupted stretch of work (about 1 ms here)
INDEXED = 16_384  # from this many rows on, a term's rows come from the word index, not a scan
SCAN_FROM = 1  # ...unless it has rows to mark one by one for more than 1/SCAN_FROM of them
VOCAB_CHUNK = 8192  # vocabulary words per rapidfuzz call
MAX_CORRECTIONS = 5
SPREAD = 10.0  # corrections scoring this far below the best are dropped
MIN_FUZZY_LENGTH = 4  # shorter words have too many neighbours to correct usefully
MIN_WHOLE_WORD = 3  # shorter words rank by word starts only
MIN_FUZZY_ID = 6  # an id-like word this long is also looked up one edit away
FUZZY_ID_BLOCK = 8192  # id rows compared one by one for a fuzzy id, at most, per block
ID_DIRECT = 4096  # id-prefix tiers up to this many rows are looked up, not scanned for
RESULT_CACHE = 32  # recent results, so backspacing is instant
FILTER_CACHE = 8  # recent filter results, so typing words after a filter does not redo it
RANK_WINDOW = 10_000  # more matches than this: the best of the newest this many are ranked
ORIGIN_SCORE = 80.0  # rapidfuzz ratio for an `origin:` word to match an origin word

# Query and keys are folded alike: lowercase, every punctuation mark a space.
_UNICODE_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b6\u00a7\u00a0\u00b4"
# Control characters separate words too; NUL only in `fold`, as the bytes path splits rows on it.
_ASCII_SEPARATORS = string.punctuation + "".join(map(chr, range(1, 32))) + "\x7f"
_FOLD = str.maketrans(dict.fromkeys("\x00" + _ASCII_SEPARATORS + _UNICODE_PUNCTUATION, " "))
_FOLD_BYTES = bytes.maketrans(_ASCII_SEPARATORS.encode(), b" " * len(_ASCII_SEPARATORS))
_DIGITS = "0123456789"
_LAST = "\U0010ffff"  # sorts after every character: word + _LAST bounds the words it starts
_ID_PARTS = re.compile(r"([0-9]*)(.*?)([0-9]*)")
_LEVELS = 8  # level codes per month code in `SidebarSearch.summary`
_STATE_ALIAS = "secstate"  # REF lines name the Department's cables SECSTATE; their ids say STATE

Cancelled = Callable[[], bool]
Signature = tuple[Query, frozenset[str] | None]  # a query's filters and exclusions, its links
RowTest = Callable[[Sequence[int]], list[int]]  # the rows of a chunk that pass a test


def fold(text: str) -> str:
    """The case- and punctuation-blind form that keys and queries are compared in."""
    return text.lower().translate(_FOLD)


def query_words(query: str) -> tuple[str, ...]:
    """The distinct words of a plain query, in order; every one must match (AND)."""
    return tuple(dict.fromkeys(fold(query).split()))


def date_column(index: CableIndex) -> Sequence[str]:
    """The dates that `date:` and `year:` filter on and the timeline counts: when sent where
    the library knows it, else when created (the one place to switch)."""
    return index.created


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
    """One clause of the query as the engine matches it.

    A plain word is matched literally (a substring of the key), or, when the corpus has no such
    text, by `corrections`; `kind` "prefix" and "phrase" match at a word start. `fuzzy_ids` are
    rows whose reference id is one edit from the word (closest first), `year` matches a bare
    year's cables, and `alternatives` are the other sides of an OR.
    """

    word: str
    corrections: tuple[Correction, ...] | None = None  # best first
    kind: str = "word"  # "word", "prefix" or "phrase"
    fuzzy_ids: tuple[int, ...] = ()
    year: int | None = None
    alternatives: tuple[Term, ...] = ()

    @property
    def literal(self) -> bool:
        """A plain word found as typed: it takes part in the rank tiers."""
        return (
            self.corrections is None
            and self.kind == "word"
            and self.year is None
            and not self.alternatives
        )


@dataclass(slots=True)
class Matches:
    """The answer to one query: how many rows match, and the best of them in rank order.

    `candidates` holds every matching row in index order (newest first), so the next keystroke
    can narrow from it; `corrections` says which vocabulary words stood in for misspelt ones;
    `missing` names the words that match nothing (why a query finds nothing); `errors` the
    filters that are not valid (then nothing is searched).
    """

    query: str
    total: int  # every match counted
    rows: Sequence[int]  # best first, at most `limit`; range(len(index)) for the empty query
    terms: tuple[Term, ...] = ()
    candidates: Sequence[int] = ()
    engine: object | None = field(default=None, repr=False)
    missing: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    signature: Signature | None = None  # filters and exclusions: narrowing needs them unchanged
    fallback: Matches | None = field(default=None, repr=False)  # see `SidebarSearch.search`

    @property
    def corrections(self) -> dict[str, tuple[Correction, ...]]:
        """Misspelt word -> the corpus words (or word starts) it was read as, best first."""
        return {t.word: t.corrections for t in self.terms if t.corrections}


class _Picture(NamedTuple):
    """What `SidebarSearch.summary` counts: per row a code (month and level), the level codes
    alone (a byte per row), the runs of rows of one month code (start, end, month code); and
    the level names by code."""

    codes: array[int]
    names: list[str]
    levels: bytes
    runs: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """How many matches per level value and per month ("YYYY-MM"; unknown dates left out)."""

    by_level: dict[str, int]
    by_month: dict[str, int]


class SidebarSearch:
    """Prepared keys and vocabulary for one CableIndex; safe to call from several threads.

    What it reads of the index: `reference_ids`, `subjects`, `origins`, `tags` (the keys),
    `levels`, the date column (`date_column`) for filters; rows are in index order, newest first.
    """

    def __init__(self, index: CableIndex, *, cache_size: int = RESULT_CACHE) -> None:
        """Fold every row into a key, index its words, collect the vocabulary (1.7 s CPU at 251k).

        `cache_size` recent results are kept so that backspacing is instant (0: none).
        """
        self._cache_size = cache_size
        self._size = n = len(index)
        # Large columns are tuples, arrays and blocks, never lists: CPython stops tracking a
        # tuple of strings or ints after one collection, while every full collection walks
        # every list (200 ms for a few 251k-item lists here, holding the GIL). Row numbers are
        # made once, so that answers share them rather than allocate up to 251k ints per
        # keystroke (a scan of a range takes 60% longer). Of the index, only the columns the
        # filters read are kept: TAGS in a block of their own (the loaded index's block holds
        # every column: 46 MB at 251k), the others as a number per row (few distinct values).
        self._all = tuple(range(n))
        self._levels, self._origins, self._dates = (
            _Coded(c) for c in (index.levels, index.origins, date_column(index))
        )
        self._tags = Column.alone(index.tags)
        ids = [i.strip() for i in _fold_rows(index.reference_ids)]
        bare = [i.lstrip(_DIGITS) for i in ids]
        subjects = _fold_rows(index.subjects)
        origins, tags = _fold_rows(index.origins), _fold_rows(index.tags)
        heads = [f"{o} {t}" for o, t in zip(origins, tags, strict=True)]
        # The key starts with the id, so that an anchored match tests id prefixes. Offsets:
        # where the subject starts (the space before it) and where it and the origin end.
        self._keys = tuple(f" {i} {s} {h} " for i, s, h in zip(ids, subjects, heads, strict=True))
        self._subject_start = array("i", [len(i) + 1 for i in ids])
        self._subject_end = array(
            "i", [len(i) + len(s) + 3 for i, s in zip(ids, subjects, strict=True)]
        )
        self._origin_end = array(
            "i",
            [
                e + 1 + (len(o) if o.isascii() else len(fold(o)))
                for e, o in zip(self._subject_end, index.origins, strict=True)
            ],
        )
        # Ids with and without their year, sorted, for exact and prefix look-ups by bisection.
        self._ids = _Ids(ids, bare)
        self._id_lookups = (_SortedIds(self._ids.full, n), _SortedIds(self._ids.bare, n))
        self._reversed: _SortedIds | None = None  # bare ids reversed: by serial, built on need
        self._words = _WordIndex(ids, subjects, origins, tags)
        self._grams = _Grams(self._words, ids)
        self._summary_codes: _Picture | None = None  # built on need
        self._whole: Summary | None = None  # the picture of every row, made on need
        self._filter_bits: tuple[dict[str, int], dict[str, int]] | None = None  # built on need
        # (the words of the subjects, origins and TAGS: the word index's first three fields)
        self._sorted_words = tuple(sorted(set(chain.from_iterable(self._words.fields[:3]))))
        # Correction candidates, by first letter (a misspelling rarely starts wrong).
        by_initial: dict[str, list[str]] = {}
        for w in self._sorted_words:
            if w.isalpha() and len(w) >= 3:
                by_initial.setdefault(w[0], []).append(w)
        self._vocabulary = {c: tuple(words) for c, words in by_initial.items()}
        # Literal test: a word (no spaces) occurs in some key iff it occurs in this string
        # (an id without its year is the end of the id: in it already).
        self._text = " ".join((*self._sorted_words, *ids))
        self._lock = threading.Lock()
        self._corrections: dict[str, tuple[Correction, ...]] = {}
        self._results: OrderedDict[tuple[Query, frozenset[str] | None, int], Matches] = (
            OrderedDict()
        )
        self._filtered: OrderedDict[object, Sequence[int]] = OrderedDict()
        # Untrack the new tuples now (a young-generation pass) rather than mid-keystroke.
        gc.collect(1)

    def __len__(self) -> int:
        return self._size

    def __getstate__(self) -> dict[str, object]:
        """What the engine cache pickles: the keys as one string (251k strings unpickle one by
        one, each remembered by the unpickler: 60 ms of the search process's start), the row
        numbers as their count, and none of the recent answers (each holds its rows)."""
        state = dict(vars(self))
        state["_keys"] = "\x00".join(self._keys)  # (folded: no key holds a NUL)
        del state["_all"]
        state["_results"], state["_filtered"] = OrderedDict(), OrderedDict()  # answers: not kept
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        keys = state.pop("_keys")
        assert isinstance(keys, str)
        vars(self).update(state)
        self._keys = tuple(keys.split("\x00")) if self._size else ()
        self._all = tuple(range(self._size))

    def search(
        self,
        query: str | Query,
        *,
        limit: int = 500,
        previous: Matches | None = None,
        cancelled: Cancelled | None = None,
        linked: Collection[str] | None = None,
    ) -> Matches | None:
        """Rows matching `query`, best first (or as `sort:` says); None if `cancelled()`.

        A string is parsed as a submitted query (every word finished). `linked`: the reference
        ids that the query's `cites:`/`refs:` filters allow, resolved by the caller (the engine
        has no library). `previous` may be any earlier answer of this engine: it is used only
        where it holds every new match (the new query extends it), and ignored otherwise.
        """
        cancelled = cancelled or _never
        parsed = parse(query, submitted=True) if isinstance(query, str) else query
        text = parsed.text
        if parsed.errors:
            return Matches(text, 0, (), engine=self, errors=parsed.errors)
        if parsed.empty:
            return Matches(text, self._size, range(self._size), (), self._all, self)
        signature = (replace(parsed, text="", sort=None, clauses=()), _frozen(linked))
        key = (replace(parsed, text=""), _frozen(linked), limit)
        with self._lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return replace(cached, query=text)
        terms: list[Term] = []
        for clause in parsed.clauses:
            term = self._clause(clause, cancelled)
            if term is None:
                return None
            terms.append(term)
        if previous is not None and not previous.candidates and previous.fallback is not None:
            previous = previous.fallback  # an answer that found nothing: narrow from its own
        within: Term | None = None  # the one term whose rows are the base, if so
        if previous is not None and previous.signature == signature:
            base, todo = self._narrowing(terms, previous)
            alone = len(previous.terms) == 1 and not parsed.excluded and _no_filters(signature)
            if base is previous.candidates and alone:
                within = previous.terms[0]
        else:
            filtered = self._filter_rows(parsed, linked, cancelled)
            if filtered is None:
                return None
            base, todo = filtered, list(terms)
        candidates = self._filter(base, todo, parsed.excluded, cancelled, within)
        if candidates is None:
            return None
        if parsed.sort is Sort.NEW or parsed.sort is Sort.OLD:
            ordered = candidates if parsed.sort is Sort.NEW else candidates[::-1]
            rows: list[int] | None = list(ordered[:limit])
        else:
            rows = self._rank(candidates, terms, limit, cancelled)
        if rows is None:
            return None
        missing = tuple(t.word for t in terms if _matches_nothing(t)) if not candidates else ()
        matches = Matches(
            text, len(candidates), rows, tuple(terms), candidates, self, missing, (), signature
        )
        if missing and previous is not None and previous.engine is self:
            # a word matching nothing yet (still being typed, or misspelt until finished):
            # the answer before it still bounds the next keystrokes' matches
            matches.fallback = previous if previous.candidates else previous.fallback
        with self._lock:
            self._results[key] = matches
            while len(self._results) > self._cache_size:
                self._results.popitem(last=False)
        return matches

    def summary(self, rows: Sequence[int], cancelled: Cancelled | None = None) -> Summary | None:
        """Counts by level and by month ("YYYY-MM") of `rows` (in index order, as candidates
        are): the picture above the list.

        One code per row (month and level together), counted in C by `Counter`. Many rows (a
        short prefix matches most cables): the index is in date order, so a month is a run of
        rows counted by two bisections of `rows`, and the levels are counted in C over one byte
        per row, several times quicker. The picture of every row (the empty query's) is made
        once and kept."""
        cancelled = cancelled or _never
        picture = self._codes()
        every = len(rows) == self._size  # (rows are distinct: all of them)
        if every and self._whole is not None:
            return self._whole
        counted: tuple[Counter[int], Counter[int]] | None
        if type(rows) is _RowBits:
            counted = self._count_bits(rows.bits, picture)
        elif every or len(picture.runs) * RUNS_FROM >= len(rows):
            counted = self._count_codes(rows, picture.codes, every, cancelled)
        else:
            counted = self._count_runs(rows, picture, cancelled)
        if counted is None:
            return None
        levels, months = counted
        by_level = {picture.names[level]: n for level, n in levels.items() if n}
        by_month = {_month_name(month - 1): n for month, n in months.items() if month and n}
        summary = Summary(by_level, by_month)
        if every:
            self._whole = summary
        return summary

    @staticmethod
    def _count_codes(
        rows: Sequence[int], codes: array[int], every: bool, cancelled: Cancelled
    ) -> tuple[Counter[int], Counter[int]] | None:
        """How many of `rows` have each level code and each month code, row by row."""
        counts: Counter[int] = Counter()
        for start in range(0, len(rows), CHUNK * 16):
            if cancelled():
                return None
            if every:
                counts.update(codes[start : start + CHUNK * 16])
            else:
                counts.update(map(codes.__getitem__, rows[start : start + CHUNK * 16]))
        levels: Counter[int] = Counter()
        months: Counter[int] = Counter()
        for code, n in counts.items():
            month, level = divmod(code, _LEVELS)
            levels[level] += n
            months[month] += n
        return levels, months

    @staticmethod
    def _count_runs(
        rows: Sequence[int], picture: _Picture, cancelled: Cancelled
    ) -> tuple[Counter[int], Counter[int]] | None:
        """The same counts: months by runs of rows, levels over a byte per row."""
        months: Counter[int] = Counter()
        at = 0
        for start, end, month in picture.runs:
            first = bisect_left(rows, start, at)
            at = bisect_left(rows, end, first)
            months[month] += at - first
        picked = bytearray()
        for start in range(0, len(rows), CHUNK * 16):
            if cancelled():
                return None
            chunk = rows[start : start + CHUNK * 16]
            some = itemgetter(*chunk)(picture.levels)
            picked += bytes((some,) if len(chunk) == 1 else some)
        levels = Counter({level: picked.count(level) for level in range(len(picture.names))})
        return levels, months

    def _count_bits(self, bits: int, picture: _Picture) -> tuple[Counter[int], Counter[int]]:
        """The same counts of rows held as bits: a month's by its run's bits, a level's by
        the bits of its rows (no row read)."""
        size = self._size
        pad = -size % 8  # (row r is then bit 7 - r % 8 of byte r // 8)
        block = (bits << pad).to_bytes((size + pad) // 8, "big")
        months: Counter[int] = Counter()
        for start, end, month in picture.runs:
            first, last = start // 8, (end + 7) // 8
            part = int.from_bytes(block[first:last], "big") >> (last * 8 - end)
            months[month] += (part & ((1 << (end - start)) - 1)).bit_count()
        code = {name: i for i, name in enumerate(picture.names[:-1])}
        other = len(picture.names) - 1
        levels: Counter[int] = Counter()
        for value, rows in self._value_bits()[0].items():
            levels[code.get(value, other)] += (bits & rows).bit_count()
        return levels, months

    def complete(self) -> None:
        """Build now what is otherwise built on first need (the picture's per-row codes and
        that of every row, the filter bits, the ids sorted by serial for near-id look-ups), so
        that an engine cached after this has them: sorting 251k ids by serial took the first
        id typed with a slip (`09mexico10`) 0.2-0.4 s."""
        self.summary(self._all)
        self._value_bits()
        self._by_serial()

    def _codes(self) -> _Picture:
        """Per row one code: (month since 1900 + 1, or 0 unknown) * _LEVELS + level code; and
        the level codes alone, one byte per row, and the runs of rows of one month code."""
        with self._lock:
            if self._summary_codes is None:
                names = sorted(set(self._levels))[: _LEVELS - 1]
                code = {name: i for i, name in enumerate(names)}
                other = len(names)  # (more distinct levels than expected: counted together)
                names.append("unmarked")
                months = map(_month_code, self._dates)
                codes = array(
                    "i",
                    [
                        (m + 1) * _LEVELS + code.get(lv, other)
                        for m, lv in zip(months, self._levels, strict=True)
                    ],
                )
                runs: list[tuple[int, int, int]] = []
                for row, value in enumerate(codes):
                    month = value // _LEVELS
                    if runs and runs[-1][2] == month:
                        runs[-1] = (runs[-1][0], row + 1, month)
                    else:
                        runs.append((row, row + 1, month))
                levels = bytes(value % _LEVELS for value in codes)
                self._summary_codes = _Picture(codes, names, levels, tuple(runs))
            return self._summary_codes

    # -- terms -----------------------------------------------------------------------------------

    def _clause(self, clause: Clause, cancelled: Cancelled) -> Term | None:
        """The term for a clause: its first word, with the others (and a bare year) as OR."""
        terms: list[Term] = []
        for word in clause.words:
            term = self._term(word, cancelled)
            if term is None:
                return None
            terms.append(term)
        first, rest = terms[0], tuple(terms[1:])
        if clause.year is not None:
            rest += (Term(str(clause.year), kind="year", year=clause.year),)
        return replace(first, alternatives=rest) if rest else first

    def _term(self, word: Word, cancelled: Cancelled) -> Term | None:
        text = word.text
        if word.phrase:
            return Term(text, kind="phrase")
        if word.prefix:
            return Term(text, kind="prefix")
        if _STATE_ALIAS in text and any(c.isdigit() for c in text):
            text = text.replace(_STATE_ALIAS, "state")
        exact = bool(self._id_range(text, exact=True))
        fuzzy = self.fuzzy_ids(text) if _id_like(text) and not exact else ()
        if text in self._text:
            return Term(text, fuzzy_ids=fuzzy)
        if fuzzy or not word.finished:
            # An id one edit away; or a word still being typed: never corrected (the list
            # would widen while typing), it matches what it literally matches: nothing yet.
            return Term(text, (), fuzzy_ids=fuzzy)
        corrections = self.corrections(text, cancelled)
        return None if corrections is None else Term(text, corrections)

    def corrections(
        self, word: str, cancelled: Cancelled = _never
    ) -> tuple[Correction, ...] | None:
        """Vocabulary words close to `word` (rapidfuzz ratio), best first; None if cancelled.

        Candidates are the vocabulary words with the same first letter, cut to one letter longer
        than the word, so that a word is also read as the start of longer words ("teror" ->
        "terror", which starts "terrorist"). Only words of MIN_FUZZY_LENGTH letters or more are
        corrected, with a cutoff that allows about one slip in five letters.
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

    def fuzzy_ids(self, word: str) -> tuple[int, ...]:
        """Rows whose id (with or without its year) is one edit from `word`, closest first.

        A swapped, dropped or doubled character is closer than a wrong one; then newest first.
        One character is wrong, so the station or the serial is as typed: the rows compared are
        the ids that end with the typed serial and those that start with the typed station.
        """
        year, middle, serial = _ID_PARTS.fullmatch(word).groups()  # type: ignore[union-attr]
        blocks: list[Sequence[int]] = []
        if len(serial) >= 2:
            blocks.append(self._by_serial().rows(serial[::-1], exact=False))
        station = re.match(r"[a-z]*", middle).group()  # type: ignore[union-attr]
        if len(station) >= 3:
            block: Sequence[int] = self._id_lookups[1].rows(station, exact=False)
            if len(block) > FUZZY_ID_BLOCK and serial:
                block = self._id_lookups[1].rows(station + serial[0], exact=False)
            blocks.append(block)
        costs: dict[int, float] = {}
        for block in blocks:
            for i in block[:FUZZY_ID_BLOCK]:
                if i in costs:
                    continue
                target = self._ids.full(i) if year else self._ids.bare(i)
                if abs(len(target) - len(word)) <= 1 and OSA.distance(word, target) == 1:
                    costs[i] = _edit_cost(word, target)
        return tuple(sorted(costs, key=lambda i: (costs[i], i)))

    def _by_serial(self) -> _SortedIds:
        with self._lock:
            if self._reversed is None:
                self._reversed = _SortedIds(self._ids.reversed_bare, self._size)
            return self._reversed

    # -- filtering ---------------------------------------------------------------------------

    def _filter_rows(
        self, query: Query, linked: Collection[str] | None, cancelled: Cancelled
    ) -> Sequence[int] | None:
        """The rows every filter allows, in index order (cached per filter set)."""
        if not query.has_filters and linked is None:
            return self._all
        key = (
            query.levels,
            query.origins,
            query.years,
            query.dates,
            query.tags,
            _frozen(linked),
        )
        with self._lock:
            known = self._filtered.get(key)
        if known is not None:
            return known
        tests = self._filter_tests(query, linked)
        out: list[int] = []
        for chunk in _chunks(self._levels_and_years(query)):
            if cancelled():
                return None
            for test in tests:
                chunk = test(chunk)
            out += chunk
        rows = tuple(out)
        with self._lock:
            self._filtered[key] = rows
            while len(self._filtered) > (FILTER_CACHE if self._cache_size else 0):
                self._filtered.popitem(last=False)
        return rows

    def _levels_and_years(self, query: Query) -> Sequence[int]:
        """The rows of the query's levels and years, from the bits of each level and year."""
        if query.levels is None and not query.years:
            return self._all
        levels, years = self._value_bits()
        bits = -1  # every row
        if query.levels is not None:
            wanted = {lv.value for lv in query.levels}
            bits &= _union_bits(b for value, b in levels.items() if value in wanted)
        for first, last in query.years:
            bits &= _union_bits(b for year, b in years.items() if str(first) <= year <= str(last))
        return list(compress(self._all, _mask(bits, self._size)))

    def _value_bits(self) -> tuple[dict[str, int], dict[str, int]]:
        """The rows of each level value, and of each year (the date's first four characters),
        as bits (built on need: a few hundred kilobytes)."""
        with self._lock:
            if self._filter_bits is None:
                self._filter_bits = (
                    _grouped_bits(self._levels, self._size),
                    _grouped_bits((d[:4] for d in self._dates), self._size),
                )
            return self._filter_bits

    def _filter_tests(self, query: Query, linked: Collection[str] | None) -> list[RowTest]:
        tests: list[RowTest] = []
        if linked is not None:
            allowed: set[int] = set()
            for ref in linked:
                allowed.update(self._id_lookups[0].rows(fold(ref).strip(), exact=True))
            tests.append(_rows_in(allowed))
        for span in query.dates:  # (levels and years: `_levels_and_years`)
            tests.append(_in_span(self._dates, span))
        for wanted_origin in query.origins:
            tests.append(_member(self._origins, origins_like(set(self._origins), wanted_origin)))
        for tag in query.tags:
            tests.append(_has_tag(self._tags, tag))
        return tests

    def _narrowing(self, terms: list[Term], previous: Matches) -> tuple[Sequence[int], list[Term]]:
        """Where to start and which terms still need testing.

        The previous matches hold every new match when each previous term is implied by some new
        term; a new term implied by a previous one already holds for all of them.
        """
        if (
            previous.engine is self
            and previous.terms
            and all(any(_implies(new, old) for new in terms) for old in previous.terms)
        ):
            todo = [t for t in terms if not any(_implies(old, t) for old in previous.terms)]
            return previous.candidates, todo
        return self._filtered_base(previous), list(terms)

    def _filtered_base(self, previous: Matches) -> Sequence[int]:
        """The filtered rows of a query with the same filters as `previous` (cached by then)."""
        with self._lock:
            for key, rows in self._filtered.items():
                if previous.signature is not None and _same_filters(key, previous.signature):
                    return rows
        return self._all if _no_filters(previous.signature) else self._refilter(previous)

    def _refilter(self, previous: Matches) -> Sequence[int]:
        assert previous.signature is not None
        sig_query, linked = previous.signature
        rows = self._filter_rows(sig_query, linked, _never)
        assert rows is not None
        return rows

    def _filter(
        self,
        base: Sequence[int],
        terms: list[Term],
        excluded: Sequence[Word],
        cancelled: Cancelled,
        within: Term | None = None,
    ) -> Sequence[int] | None:
        """The rows of `base` that every term matches and no excluded word does, in index order.

        `within`: `base` is every row that this term matches (no filter), so a term implying it
        needs no test against `base` (the word index then marks its rows over all rows)."""
        if not terms and not excluded:
            return base
        if any(_matches_nothing(t) for t in terms):
            return ()  # a word neither in the corpus nor close to any word of it
        # Cheapest and most selective first: a literal word is one pass and long words cut the
        # most rows; a corrected word is one pass per correction, so it tests fewer rows after.
        ordered = sorted(terms, key=lambda t: (not t.literal, -len(t.word)))
        bits = type(base) is _RowBits and len(base) >= min(INDEXED, FEW)
        if len(base) >= INDEXED or bits:  # too many rows to read (or bits, more than a few):
            # bits, or the word index, give the terms' rows
            cut, ordered = self._from_bits(base, ordered)
            if cut is not base:
                base, within = cut, None  # (no longer the rows of `within` alone)
        if len(base) >= INDEXED:
            base, ordered = self._cut(base, ordered, within)
        if not ordered and not excluded:
            return base
        tests = [self._matcher(t) for t in ordered]
        tests += [self._excluder(w) for w in excluded]
        out: list[int] = []
        for chunk in _chunks(base):
            if cancelled():
                return None
            for test in tests:
                chunk = test(chunk)
            out += chunk
        return tuple(out)

    def _from_bits(
        self, base: Sequence[int], terms: list[Term]
    ) -> tuple[Sequence[int], list[Term]]:
        """`base` cut by bits to the rows of every literal word (or of the ids one edit from
        it) where `base` is every row or itself bits (a previous answer's); and the terms left
        (a phrase, a prefix, a corrected word, an OR: tested as before)."""
        if isinstance(base, _RowBits):
            bits = base.bits
        elif base is self._all:
            bits = (1 << self._size) - 1
        else:
            return base, terms
        left: list[Term] = []
        for term in terms:
            if term.literal:  # (and the rows whose id is one edit from it)
                near = _bits(term.fuzzy_ids, self._size) & bits if term.fuzzy_ids else 0
                bits = self._text_bits(term.word, bits) | near
            else:
                left.append(term)
        if len(left) == len(terms):
            return base, terms
        return _RowBits(bits, self._size, self._all), left

    def _text_bits(self, text: str, within: int) -> int:
        """The rows of `within` (bits) whose key holds `text`, as bits.

        A common character or pair: its bits. Else the rows that may hold it (those holding
        each of its common pairs) are read if few, once those known to hold it are set aside:
        the rows of the common words holding it, else of every word holding it. Else those
        and the rows of every id holding it.
        """
        grams = self._grams.bits
        if len(text) <= 2 and text in grams:
            return grams[text] & within
        maybe = within
        for pair in {text[k : k + 2] for k in range(len(text) - 1)} & grams.keys():
            maybe &= grams[pair]
        sure = self._words.holding(text, common=True) & maybe
        if (maybe & ~sure).bit_count() > FEW:
            sure = self._words.holding(text, common=False) & maybe
            if (maybe & ~sure).bit_count() > FEW:
                return sure | (self._words.ids_holding(text) & maybe)
        keys = self._keys
        unsure = _bit_rows(maybe & ~sure, self._size, self._all)
        return sure | _bits([i for i in unsure if text in keys[i]], self._size)

    def _cut(
        self, base: Sequence[int], terms: list[Term], within: Term | None
    ) -> tuple[Sequence[int], list[Term]]:
        """`base` cut to the rows of the terms the word index answers (the fewest rows first)
        while it is large; and the terms left to test row by row."""
        found = [
            (self._words.cost(needles, len(base)), t, needles)
            for t in terms
            if (needles := _needles(t)) is not None
        ]
        found.sort(key=lambda item: item[0])
        done: list[Term] = []
        for cost, term, needles in found:
            # A text in most words or ids (one letter, say) is found at once in most keys:
            # reading them is quicker than marking the rows of every word holding it.
            if len(base) < INDEXED or cost * SCAN_FROM > len(base):
                break
            covered = within is not None and not done and _implies(term, within)
            rows = self._words.rows(needles, self._all if covered else base, self._id_lookups[0])
            if term.fuzzy_ids:  # and the ids one edit from the word
                rows = sorted({*rows, *(i for i in term.fuzzy_ids if _contains(base, i))})
            base = rows
            done.append(term)
        return base, [t for t in terms if all(t is not d for d in done)]

    def _matcher(self, term: Term) -> RowTest:
        """A test for the rows a term matches (any of its alternatives)."""
        tests = [self._one_matcher(t) for t in (replace(term, alternatives=()), *term.alternatives)]
        if len(tests) == 1:
            return tests[0]

        def any_of(rows: Sequence[int]) -> list[int]:
            hit: set[int] = set()
            for test in tests:
                hit.update(test(rows))
            return [i for i in rows if i in hit]

        return any_of

    def _one_matcher(self, term: Term) -> RowTest:
        keys = self._keys
        if term.year is not None:
            dates, year = self._dates, str(term.year)
            return lambda rows: [i for i in rows if dates[i][:4] == year]
        if term.kind != "word":
            needle = f" {term.word}"
            return lambda rows: [i for i in rows if needle in keys[i]]
        literal: RowTest
        if term.corrections is None:
            word = term.word
            literal = lambda rows: [i for i in rows if word in keys[i]]  # noqa: E731
        else:
            literal = self._has_any(term.corrections)
        if not term.fuzzy_ids:
            return literal
        near = frozenset(term.fuzzy_ids)
        return lambda rows: sorted({*literal(rows), *(i for i in rows if i in near)})

    def _excluder(self, word: Word) -> RowTest:
        keys, needle = self._keys, f" {word.text}"
        return lambda rows: [i for i in rows if needle not in keys[i]]

    # -- ranking -----------------------------------------------------------------------------

    def _rank(
        self, candidates: Sequence[int], terms: list[Term], limit: int, cancelled: Cancelled
    ) -> list[int] | None:
        """The best `limit` candidates.

        Tiers, best first: a word (or an origin word and a number: `berlin 1167`) is a
        reference id; an id one edit from a word (closest first) where no id is exact; a word
        starts a reference id; then by where the words match, whole words before word starts:
        all in the subject, all in the subject and origin, all anywhere (TAGS too); the rest.
        Within a tier rows with closer corrections come first; among subjects holding every
        word, those with the words in the typed order and closest together; then newest first.
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
        for tier, in_order in self._tiers(terms, candidates):
            for level in levels or [list]:
                room = limit - len(order)
                hits: list[int] = []
                if isinstance(tier, _RowBits):  # the tier's rows in the window, as bits
                    # (in index order, as placed: the first that can place are enough)
                    enough = level is list and not in_order and levels is not None
                    some = tier.newest(room + len(taken)) if enough else tier.rows()
                    hits = level([i for i in some if i not in taken])
                elif isinstance(tier, list):  # the tier's rows themselves, few, in their order
                    hits = level([i for i in tier if i not in taken and _contains(candidates, i)])
                elif isinstance(tier, set):  # rows of the word index: those in the window
                    hits = level(self._in_window(tier - taken, candidates))
                else:
                    # A cost bound: broad queries (a word of a few letters being typed) rank
                    # the newest RANK_WINDOW matches; ids and the count still cover them all.
                    for chunk in _chunks(candidates[:RANK_WINDOW]):
                        if cancelled():
                            return None
                        hits += [i for i in level(tier(chunk)) if i not in taken]
                        if levels and len(hits) >= room and not in_order:
                            break  # rows of a level rank in index order: the rest cannot place
                if in_order:
                    hits.sort(key=lambda i: self._order(i, in_order))  # stable: newest first
                if levels is None:
                    ordered = self._by_corrections(hits, spread, cancelled)  # stable too
                    if ordered is None:
                        return None
                    hits = ordered
                hits = hits[: max(0, room)]
                order += hits
                taken.update(hits)
                if len(order) >= limit:
                    return order
        if len(candidates) > RANK_WINDOW and len(order) < limit:  # paged past the ranked: the
            # rest, newest first
            rest = (i for i in candidates[RANK_WINDOW:] if i not in taken)
            order += islice(rest, limit - len(order))
        return order

    def _in_window(self, rows: set[int], candidates: Sequence[int]) -> list[int]:
        """Those of `rows` among the newest RANK_WINDOW candidates, in index order."""
        if not candidates:
            return []
        last = candidates[min(len(candidates), RANK_WINDOW) - 1]
        near = sorted(i for i in rows if i <= last)  # (candidates ascend: past it, none)
        if len(candidates) == self._size:
            return near
        return [i for i in near if _contains(candidates, i)]

    def _has_any(self, corrections: Sequence[Correction]) -> RowTest:
        """A test for rows holding any of `corrections`.

        One plain substring pass per correction: a regex alternation costs three times as much.
        """
        keys = self._keys
        needles = [c.needle for c in corrections]
        if not needles:
            return lambda rows: []
        if len(needles) == 1:
            needle = needles[0]
            return lambda rows: [i for i in rows if needle in keys[i]]
        # Corrections share their first letters: one pass for those first, then each needle
        # tests only the rows that passed.
        common = " " + _common_start([c.text for c in corrections])

        def test(rows: Sequence[int]) -> list[int]:
            rows = [i for i in rows if common in keys[i]] if len(common) > 2 else rows
            hit: set[int] = set()
            for needle in needles:
                hit.update([i for i in rows if needle in keys[i]])
            return [i for i in rows if i in hit]

        return test

    def _tiers(
        self, terms: list[Term], candidates: Sequence[int]
    ) -> Iterator[tuple[_RowBits | list[int] | set[int] | RowTest, list[list[str]]]]:
        """Each rank tier as its rows (when few: a list for every candidate, a set for those in
        the ranked window; when many, those in the window held as bits) or as a
        test on a chunk of rows, with the words whose order in the subject orders the tier
        (none: newest first).

        Tiers the vocabulary shows to be empty are skipped rather than scanned for.
        """
        literals = [t.word for t in terms if t.literal]
        window: tuple[int, int] | None = None  # the ranked rows as bits, made on need
        exact = self._exact_ids(literals)
        if exact:
            yield exact, []
        else:
            near = [t.fuzzy_ids for t in terms if t.fuzzy_ids]
            if near:
                yield list(dict.fromkeys(chain.from_iterable(near))), []
        if literals:
            spans = [self._id_range(w, exact=False) for w in literals]
            if sum(len(s) for s in spans) <= ID_DIRECT:
                yield sorted({i for span in spans for i in span}), []
            elif len(candidates) >= max(1, min(INDEXED, ID_DIRECT)) and not any(
                w[0] in _DIGITS for w in literals
            ):
                # (a word not starting with a digit starts an id where it starts its bare id:
                # the rows looked up, those ranked kept by bits)
                bits, size = window = window or self._window(candidates)
                mask = bytearray(size)
                for span in spans:
                    _mark(mask, [i for i in span if i < size])
                starting = bits & _mask_bits(mask)
                yield _RowBits(starting, size, self._all), []
            else:
                keys = self._keys
                starts = re.compile(" [0-9]*(?:" + "|".join(map(re.escape, literals)) + ")").match
                yield (lambda rows: [i for i in rows if starts(keys[i])]), []
        # Where the words are: each rankable term gives its needles (any one will do).
        corrected = [[c.needle for c in t.corrections] for t in terms if t.corrections]
        if not literals and not corrected:
            yield list, []
            return
        # Words of one or two letters are still being typed: whole-word matches of them
        # ("go", "nu") are rarely meant, and would cost a pass over every candidate.
        whole = all(
            len(w) >= MIN_WHOLE_WORD and (self._is_word(w) or self._id_range(w, exact=True))
            for w in literals
        )
        starts_ok = all(self._starts_a_word(w) for w in literals)
        for needles, ok in (
            ([[f" {w} "] for w in literals], whole),
            ([[f" {w}"] for w in literals], starts_ok),
        ):
            if not ok:
                continue
            groups = needles + corrected
            # (in the typed order: a corrected word by its corrections)
            spelled = [
                [t.word] if t.literal else [c.text for c in t.corrections or ()] for t in terms
            ]
            ordered = [s for s in spelled if s]
            ordered = ordered if len(ordered) > 1 else []
            for fields, start, end in (
                (SUBJECT, self._subject_start, self._subject_end),
                (TO_ORIGIN, None, self._origin_end),
                (EVERY_FIELD, None, None),
            ):
                rows = self._words.tier(groups, fields, self._id_lookups[0])
                tier: _RowBits | set[int] | RowTest | None = rows
                if rows is None and len(candidates) >= max(1, INDEXED):
                    window = window or self._window(candidates)
                    tier = self._tier_from_bits(groups, fields, window)
                yield (
                    (self._within(groups, start, end) if tier is None else tier),
                    (ordered if fields is SUBJECT else []),
                )
        yield list, []

    def _window(self, candidates: Sequence[int]) -> tuple[int, int]:
        """The candidates ranked (the newest RANK_WINDOW) as bits of rows 0 to span - 1, and
        span (one past the last of them)."""
        if type(candidates) is _RowBits:
            if len(candidates) > RANK_WINDOW:
                span = candidates[RANK_WINDOW - 1] + 1
            else:  # (the last row: the lowest bit)
                span = self._size - (candidates.bits & -candidates.bits).bit_length() + 1
            return candidates.bits >> (self._size - span), span
        newest = candidates[:RANK_WINDOW]
        span = newest[-1] + 1
        return _bits(newest, span), span

    def _tier_from_bits(
        self, groups: list[list[str]], fields: tuple[int, ...], window: tuple[int, int]
    ) -> _RowBits | None:
        """The ranked rows where every group has a needle in these fields, from the bits of
        the words' rows (None where they cannot tell: see `_WordIndex.tier_bits`)."""
        bits, span = window
        found = self._words.tier_bits(groups, fields, self._id_lookups[0], span)
        return None if found is None else _RowBits(found & bits, span, self._all)

    def _order(self, row: int, words: list[list[str]]) -> tuple[bool, int]:
        """How the words (each: its spellings) lie in a subject holding them all: out of the
        typed order, and how far apart (the first place each starts a word)."""
        key, start = self._keys[row], self._subject_start[row]
        at = [
            min((p for w in ws if (p := key.find(f" {w}", start)) >= 0), default=0) for ws in words
        ]
        return at != sorted(at), max(at) - min(at)

    def _within(
        self, groups: list[list[str]], start: array[int] | None, end: array[int] | None
    ) -> RowTest:
        """Rows where, for every group, one of its needles lies within [start, end) of the key."""
        keys = self._keys

        def test(rows: Sequence[int]) -> list[int]:
            out = list(rows)
            for needles in groups:
                if start is None and end is None:
                    out = [i for i in out if any(n in keys[i] for n in needles)]
                elif start is None:
                    assert end is not None
                    out = [i for i in out if any(keys[i].find(n, 0, end[i]) >= 0 for n in needles)]
                else:
                    assert end is not None
                    out = [
                        i
                        for i in out
                        if any(keys[i].find(n, start[i], end[i]) >= 0 for n in needles)
                    ]
            return out

        return test

    def _exact_ids(self, literals: list[str]) -> list[int]:
        """Rows whose id (with or without year) is a word, or an origin word with a number."""
        words = [w for w in literals if not w.isalpha() and not w.isdigit()]
        words += [
            a + d for a in literals if a.isalpha() for d in literals if d.isdigit() and len(d) > 1
        ]
        return sorted({i for w in words for i in self._id_range(w, exact=True)})

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


ANYWHERE, START, WHOLE = 0, 1, 2  # where a needle lies in a key: in a word, starting, whole
Needle = tuple[str, int]  # (folded text without spaces, ANYWHERE | START | WHOLE)
FEW = 4096  # fewer rows than this are joined as a set, more are marked in a mask
TIER_FEW = 8192  # a rank tier whose words hold up to this many rows is looked up, not scanned for
TIER_IDS = 32_768  # ids starting with a needle that a tier from bits reads, at most
SUBJECT, TO_ORIGIN, EVERY_FIELD = (0,), (0, 1, 3), (0, 1, 2, 3)  # word index fields of a range
ID_SAMPLES, ID_SAMPLE = 16, 4096  # samples of the ids' string (characters) that estimate how
# many ids hold a text
ID_COST = 3  # an id found costs about as much as this many rows of words marked
MANY = 32  # a word in more than 1/MANY of the rows keeps its rows as bits too (one OR each)
DENSE = 16  # a character or pair of characters in 1/DENSE of the rows or more: kept as bits
MARK_MOST = 1024  # rows of a word marked for each of its characters and pairs, at most
MISSING = 64  # a base missing under 1/MISSING of the rows is cut by those (each found by bisection)
_MARK = 0x10000  # row r of a plain id is marked chr(_MARK + r): 4 bytes of UTF-8, none ASCII
_TO_BITS = bytes.maketrans(b"\x00\x01", b"01")
SPARSE = 16  # rows in fewer than 1/SPARSE of the bits are searched for in their mask
_ONE = re.compile(b"\x01")
_FROM_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _needles(term: Term) -> list[Needle] | None:
    """What a term's rows hold, as the word index looks it up (any one of them will do; ids
    one edit away are added apart); None for a term it cannot answer (phrases, years, ORs)."""
    if term.alternatives or term.year is not None or term.kind == "phrase":
        return None
    if term.kind == "prefix":
        needles = [(term.word, START)]
    elif term.corrections is None:
        needles = [(term.word, ANYWHERE)]
    else:
        needles = [(c.text, START if c.prefix else WHOLE) for c in term.corrections]
    if not needles or any(not text or text != "".join(text.split()) for text, _ in needles):
        return None
    return needles


class _WordIndex:
    """The rows holding each word of the keys, and the plain ids in one string: the rows whose
    key holds a text (in a word, starting one, or as a whole word) without reading every key,
    which costs ~40 ms at 251k rows whatever does the reading.

    A text without spaces lies within one word of a key. Words are the space-separated words of
    the folded subjects, origins and TAGS (and of the few ids that are not plain: not ASCII, or
    several words), each with its rows, in index order, as an array (and as the bits of an int
    for words in many rows, so that their union is one OR). Plain ids (ASCII) are kept in one
    UTF-8 block, each followed by its row's mark (chr(_MARK + row), four bytes none of which is
    ASCII): one regex finds every id holding a text and `ord` gives its row, all in C, with no
    object per id (4.5 MB at 251k, where a string of ids moved to plane 16 took 13 MB).
    """

    def __init__(
        self, ids: Sequence[str], subjects: list[str], origins: list[str], tags: list[str]
    ) -> None:
        self.size = n = len(ids)
        plain = [i.isascii() and " " not in i for i in ids]
        others = [i if not p else "" for i, p in zip(ids, plain, strict=True)]
        self.fields = (
            _postings(subjects),
            _postings(origins, repeated=True),
            _postings(tags),
            _postings(others, repeated=True),
        )
        self.words = tuple(sorted(set(chain.from_iterable(self.fields))))
        self.bits = {
            (f, word): _bits(rows, n)
            for f, field in enumerate(self.fields)
            for word, rows in field.items()
            if len(rows) * MANY > n
        }
        marks = map(chr, compress(range(_MARK, _MARK + n), plain))
        self.id_text = "".join(map(str.__add__, compress(ids, plain), marks)).encode()

    def matching(self, text: str, where: int) -> list[str]:
        """The words holding `text` as `where` says."""
        words = self.words
        if where == ANYWHERE:
            return [w for w in words if text in w]
        lo = bisect_left(words, text)
        if where == WHOLE:
            return [text] if lo < len(words) and words[lo] == text else []
        return list(words[lo : bisect_right(words, text + _LAST, lo)])

    def holding(self, text: str, *, common: bool) -> int:
        """The rows (bits) of the words holding `text` (with `common`, of those kept as bits
        only): its rows, but those where only the id holds it."""
        found = 0
        if common:
            for (_, word), bits in self.bits.items():
                if text in word:
                    found |= bits
            return found
        mask = bytearray(self.size)
        for word in self.matching(text, ANYWHERE):
            for f, rows_of in enumerate(self.fields):
                if (f, word) in self.bits:
                    found |= self.bits[f, word]
                elif word in rows_of:
                    _mark(mask, rows_of[word])
        return found | _mask_bits(mask)

    def ids_holding(self, text: str) -> int:
        """The rows (bits) whose plain id holds `text` (they hold ASCII only)."""
        mask = bytearray(self.size)
        if text.isascii():
            marks = b"".join(_ids_holding(text).findall(self.id_text)).decode()
            _mark(mask, map(_MARK.__rsub__, map(ord, marks)))
        return _mask_bits(mask)

    def cost(self, needles: list[Needle], enough: int) -> int:
        """About how many rows `rows` would mark one by one for the needles (counted until
        past `enough`): the ids holding them (counted in samples of the ids, and weighed: each
        is found by a regex, then marked), and the rows of their words not kept as bits."""
        size = len(self.id_text)
        step = max(ID_SAMPLE, size // ID_SAMPLES)  # samples spread over every year's ids
        ids = sum(
            len(_ids_holding(text).findall(self.id_text, at, at + ID_SAMPLE))
            for text, where in needles
            if where == ANYWHERE and text.isascii()
            for at in range(0, size, step)
        )
        total = ID_COST * ids * step // ID_SAMPLE
        for text, where in needles:
            for word in self.matching(text, where):
                if total > enough:
                    return total
                for f, rows_of in enumerate(self.fields):
                    if (f, word) not in self.bits:
                        total += len(rows_of.get(word, ()))
        return total

    def tier(
        self, groups: list[list[str]], fields: tuple[int, ...], ids: _SortedIds
    ) -> set[int] | None:
        """The rows where every group has a needle (" word " whole, " word" starting one) in
        these fields (and the id, with field 3), if their words hold few rows; else None."""
        found: list[list[Sequence[int]]] = []
        for needles in groups:
            arrays: list[Sequence[int]] = []
            for needle in needles:
                if (parsed := _one_word(needle)) is None:
                    return None
                text, where = parsed
                for word in self.matching(text, where):
                    arrays += [self.fields[f][word] for f in fields if word in self.fields[f]]
                if 3 in fields:
                    arrays.append(ids.rows(text, exact=where == WHOLE))
            if sum(map(len, arrays)) > TIER_FEW:
                return None
            found.append(arrays)
        rows = set(chain.from_iterable(found[0])) if found else set()
        for arrays in found[1:]:
            rows.intersection_update(chain.from_iterable(arrays))
        return rows

    def tier_bits(
        self, groups: list[list[str]], fields: tuple[int, ...], ids: _SortedIds, span: int
    ) -> int | None:
        """What `tier` finds, among rows 0 to span - 1, as bits of those (row 0 the most
        significant): the rows of common words by their bits, the others marked; None where a
        needle is not one word or too many ids start with it (a prefix of most ids)."""
        shift = self.size - span
        found = (1 << span) - 1
        for needles in sorted(groups, key=lambda ns: -min(map(len, ns))):  # longest first
            if not found:
                return found
            got = 0
            mask = bytearray(span)
            for needle in needles:
                if (parsed := _one_word(needle)) is None:
                    return None
                text, where = parsed
                for word in self.matching(text, where):
                    for f in fields:
                        if (f, word) in self.bits:
                            got |= self.bits[f, word] >> shift
                        elif word in self.fields[f]:
                            rows = self.fields[f][word]
                            _mark(mask, rows[: bisect_left(rows, span)])
                if 3 in fields:
                    held = ids.rows(text, exact=where == WHOLE)
                    if len(held) > TIER_IDS:
                        return None
                    _mark(mask, [i for i in held if i < span])
            found &= got | _mask_bits(mask)
        return found

    def rows(self, needles: list[Needle], base: Sequence[int], ids: _SortedIds) -> list[int]:
        """The rows of `base` (ascending) holding any of the needles, ascending. `ids`: the
        folded ids with their year, sorted (for ids starting with or equal to a needle)."""
        arrays: list[Sequence[int]] = []
        bits = 0
        for text, where in needles:
            for word in self.matching(text, where):
                for f, rows_of in enumerate(self.fields):
                    if (f, word) in self.bits:
                        bits |= self.bits[f, word]
                    elif word in rows_of:
                        arrays.append(rows_of[word])
            if where != ANYWHERE:
                arrays.append(ids.rows(text, exact=where == WHOLE))
            elif text.isascii():
                marks = b"".join(_ids_holding(text).findall(self.id_text)).decode()
                arrays.append(list(map(_MARK.__rsub__, map(ord, marks))))
        if not bits and sum(map(len, arrays)) < FEW:
            hit = set(chain.from_iterable(arrays))
            if len(base) == self.size:
                return sorted(hit)
            return sorted(i for i in hit if _contains(base, i))
        mask = _mask(bits, self.size)
        for rows in arrays:
            for i in rows:
                mask[i] = 1
        if (self.size - len(base)) * MISSING > self.size:
            return list(compress(base, map(mask.__getitem__, base)))
        for i in _missing(base, self.size):  # nearly every row (the last key's matches, say)
            mask[i] = 0
        return list(compress(range(self.size), mask))


class _Grams:
    """The rows holding each character and each pair of characters found in many keys (in
    1/DENSE of the rows or more), as bits: a one- or two-character text's rows are read, not
    found, and a longer text's rows are among those holding each of its pairs (1 MB for the
    characters, 7 MB for about 225 pairs at 251k).

    Made from the word index (a pair never spans a space: a key holds it iff one of its words
    does) and from the ids' pieces (digits, letters, digits, and the pairs where they meet).
    """

    def __init__(self, words: _WordIndex, ids: Sequence[str]) -> None:
        n = words.size
        parts: list[tuple[str, Sequence[int] | int]] = [
            (word, words.bits.get((f, word)) or rows)
            for f, rows_of in enumerate(words.fields)
            for word, rows in rows_of.items()
        ]
        pieces: defaultdict[str, list[int]] = defaultdict(list)
        for i, match in enumerate(map(_ID_PARTS.fullmatch, ids)):
            year, middle, serial = match.groups()  # type: ignore[union-attr]
            for piece in (year, middle, serial, year[-1:] + middle[:1], middle[-1:] + serial[:1]):
                pieces[piece].append(i)
        parts += pieces.items()
        by_gram: defaultdict[str, list[tuple[str, Sequence[int] | int]]] = defaultdict(list)
        for text, rows in parts:
            if not isinstance(rows, int) and len(rows) > MARK_MOST:
                rows = _bits(rows, n)  # (once, rather than marked for each of its grams)
            for gram in _grams_of(text):
                by_gram[gram].append((text, rows))
        self.bits: dict[str, int] = {}
        # Pairs first: a character's rows are then those of its pairs kept, and of the texts
        # holding it in no such pair (half the rows marked otherwise).
        for gram in sorted(by_gram, key=len, reverse=True):
            held = by_gram[gram]
            if sum(r.bit_count() if isinstance(r, int) else len(r) for _, r in held) * DENSE < n:
                continue  # (an upper bound: rows holding several such words count again)
            found = 0
            if len(gram) == 1:
                pairs = [b for pair, b in self.bits.items() if gram in pair]
                found = _union_bits(pairs)
                held = [(t, r) for t, r in held if not _in_pair_kept(t, gram, self.bits)]
            mask = bytearray(n)
            for _, rows in held:
                if isinstance(rows, int):
                    found |= rows
                else:
                    _mark(mask, rows)
            found |= _mask_bits(mask)
            if found.bit_count() * DENSE >= n:
                self.bits[gram] = found


def _in_pair_kept(text: str, char: str, kept: dict[str, int]) -> bool:
    """Whether some pair of `text` holding `char` is kept (its rows then hold the text's)."""
    return any(char in text[k : k + 2] and text[k : k + 2] in kept for k in range(len(text) - 1))


def _grams_of(text: str) -> set[str]:
    """The characters and pairs of characters of a text, but those holding a space."""
    return (
        {*text, *(text[k : k + 2] for k in range(len(text) - 1))}
        - {" "}
        - {text[k : k + 2] for k in range(len(text) - 1) if " " in text[k : k + 2]}
    )


def _mark(mask: bytearray, rows: Iterable[int]) -> None:
    """Set `mask[i]` to 1 for each of the rows (in C: no Python frame per row)."""
    deque(map(mask.__setitem__, rows, repeat(1)), maxlen=0)


def _bit_rows(bits: int, size: int, numbers: Sequence[int]) -> list[int]:
    """The rows of `bits`, ascending, as the shared row numbers (`numbers[i]` is i) where
    many; where few, found in the mask by a search for its ones (in C, a pass over every
    byte of the mask costs ~2 ms at 251k)."""
    if not bits:
        return []
    mask = _mask(bits, size)
    if bits.bit_count() * SPARSE >= size:
        return list(compress(numbers, mask))
    return [one.start() for one in _ONE.finditer(mask)]


class _RowBits(Sequence[int]):
    """Rows held as the bits of an int (row 0 the most significant of `size`), ascending: an
    answer whose rows came from bits keeps them so (the next key ANDs them, the count is the
    bits'), and makes its rows only when read, the newest first.

    `numbers` are the engine's row numbers, shared rather than made anew."""

    __slots__ = ("_count", "_mask", "_numbers", "_rows", "_top", "bits", "size")

    def __init__(self, bits: int, size: int, numbers: Sequence[int]) -> None:
        self.bits, self.size, self._numbers = bits, size, numbers
        self._count = bits.bit_count()
        self._rows: tuple[int, ...] | None = None
        self._top: list[int] = []  # the newest rows made
        self._mask: bytearray | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        if isinstance(i, slice):
            start, stop, step = i.indices(self._count)
            if start == 0 and step == 1 and stop < self._count and self._rows is None:
                return self.newest(stop)
            return self.rows()[i]
        top = self._top
        if 0 <= i < len(top):
            return top[i]
        if self._rows is None and 0 <= i < RANK_WINDOW:
            return self.newest(i + 1)[i]
        return self.rows()[i]

    def __iter__(self) -> Iterator[int]:
        return iter(self.rows())

    def __contains__(self, row: object) -> bool:
        if not isinstance(row, int) or not 0 <= row < self.size:
            return False
        if self._mask is None:
            self._mask = _mask(self.bits, self.size)
        return bool(self._mask[row])

    def rows(self) -> tuple[int, ...]:
        """Every row, ascending (made once; each made list is whole when set: threads may
        read one answer together)."""
        rows = self._rows
        if rows is None:
            top = self._top
            whole = len(top) == self._count
            rows = tuple(top if whole else _bit_rows(self.bits, self.size, self._numbers))
            self._rows = rows
        return rows

    def newest(self, count: int) -> Sequence[int]:
        """The first `count` rows: from the top bits only, widened until they hold enough."""
        if count >= self._count or self._rows is not None:
            return self.rows()[:count]
        top = self._top
        if len(top) < count:
            span = max(count * 2, count * self.size // max(1, self._count) * 5 // 4)
            while True:
                span = min(span, self.size)
                bits = self.bits >> (self.size - span)
                if bits.bit_count() >= count or span == self.size:
                    break
                span *= 2
            top = self._top = _bit_rows(bits, span, self._numbers)
        return top[:count]


def _one_word(needle: str) -> Needle | None:
    """A rank tier's needle (" word " whole, " word" starting one) as the word index reads it;
    None where it is not one word."""
    text = needle.strip()
    if not needle.startswith(" ") or " " in text:
        return None
    return text, WHOLE if needle.endswith(" ") else START


def _ids_holding(text: str) -> re.Pattern[bytes]:
    """What finds, in `_WordIndex.id_text`, each id holding `text` (ASCII): its row's mark."""
    return re.compile(re.escape(text.encode()) + rb"[\x00-\x7f]*([\xf0-\xf4][\x80-\xbf]{3})")


def _postings(column: Sequence[str], *, repeated: bool = False) -> dict[str, array[int]]:
    """Each word of the column's rows -> the rows holding it, ascending (a row may repeat).

    `repeated`: the column has few distinct values (origins, not TAGS: their many common words
    would be sorted together again), so the rows are grouped by value, each split once."""
    found: defaultdict[str, list[int]] = defaultdict(list)
    if not repeated:
        for i, words in enumerate(map(str.split, column)):
            for w in words:
                found[w].append(i)
        return {w: array("I", rows) for w, rows in found.items()}
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for i, value in enumerate(column):
        groups[value].append(i)
    by_word: defaultdict[str, list[list[int]]] = defaultdict(list)
    for value, rows in groups.items():
        for w in value.split():
            by_word[w].append(rows)
    return {
        w: array("I", parts[0] if len(parts) == 1 else sorted(chain.from_iterable(parts)))
        for w, parts in by_word.items()
    }


def _missing(rows: Sequence[int], size: int) -> list[int]:
    """The numbers below `size` that ascending `rows` lacks, found by bisection: where few
    are missing, a few look-ups each rather than a pass over every row."""
    if not rows:
        return list(range(size))
    out = list(range(rows[0]))
    spans = [(0, len(rows) - 1)]
    while spans:
        lo, hi = spans.pop()
        if rows[hi] - rows[lo] == hi - lo:
            continue  # no gap in between
        if hi - lo == 1:
            out += range(rows[lo] + 1, rows[hi])
            continue
        mid = (lo + hi) // 2
        spans += [(mid, hi), (lo, mid)]  # (the lower half first: ascending)
    return out + list(range(rows[-1] + 1, size))


def _grouped_bits(values: Iterable[str], size: int) -> dict[str, int]:
    """Each value -> the rows holding it, as bits."""
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for i, value in enumerate(values):
        groups[value].append(i)
    return {value: _bits(rows, size) for value, rows in groups.items()}


def _union_bits(bits: Iterable[int]) -> int:
    out = 0
    for b in bits:
        out |= b
    return out


def _mask(bits: int, size: int) -> bytearray:
    """The rows of `bits` as one byte each (1: in), row 0 first."""
    return bytearray(format(bits, f"0{size}b").encode().translate(_FROM_BITS))


def _bits(rows: Sequence[int], size: int) -> int:
    """Rows as an int whose binary digits, most significant first, are rows 0 to size - 1."""
    mask = bytearray(size)
    _mark(mask, rows)
    return _mask_bits(mask)


def _mask_bits(mask: bytes | bytearray) -> int:
    """The rows of a mask (one byte each, 1: in) as bits, row 0 the most significant."""
    return int(mask.translate(_TO_BITS), 2)


def _common_start(words: list[str]) -> str:
    """The letters every word starts with."""
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _month_code(date: str) -> int:
    if len(date) >= 7 and date[:4].isdigit() and date[5:7].isdigit():
        return (int(date[:4]) - 1900) * 12 + int(date[5:7]) - 1
    return -1


def _month_name(code: int) -> str:
    return f"{1900 + code // 12}-{code % 12 + 1:02d}"


def _rows_in(allowed: set[int]) -> RowTest:
    return lambda rows: [i for i in rows if i in allowed]


def _member(column: Sequence[str], allowed: Collection[str]) -> RowTest:
    return lambda rows: [i for i in rows if column[i] in allowed]


def _in_span(dates: Sequence[str], span: DateRange) -> RowTest:
    return lambda rows: [i for i in rows if dates[i] in span]


def _has_tag(tags: Sequence[str], tag: str) -> RowTest:
    return lambda rows: [i for i in rows if tag in tags[i].upper().split()]


def _frozen(linked: Collection[str] | None) -> frozenset[str] | None:
    return None if linked is None else frozenset(linked)


def _same_filters(key: object, signature: Signature) -> bool:
    query, linked = signature
    return key == (query.levels, query.origins, query.years, query.dates, query.tags, linked)


def _no_filters(signature: Signature | None) -> bool:
    if signature is None:
        return True
    query, linked = signature
    return linked is None and not query.has_filters


def _matches_nothing(term: Term) -> bool:
    """A term (and each alternative) that no row can match: no text, corrections or ids."""
    return all(
        t.corrections == () and not t.fuzzy_ids and t.year is None
        for t in (term, *term.alternatives)
    )


def origins_like(origins: Iterable[str], wanted: str) -> frozenset[str]:
    """Origins that `origin:wanted` means: those with a word starting with it, or if there are
    none, those with a word one slip in five letters from it."""
    places = {o: fold(o).split() for o in set(origins)}
    starts = {o for o, words in places.items() if _starts_words(words, wanted.split())}
    if starts or len(wanted) < MIN_FUZZY_LENGTH:
        return frozenset(starts)
    return frozenset(
        o
        for o, words in places.items()
        if any(fuzz.ratio(wanted, w) >= ORIGIN_SCORE for w in words)
    )


def _starts_words(words: list[str], wanted: list[str]) -> bool:
    """Whether `wanted` (one or more words) starts at some word of `words`."""
    n = len(wanted)
    return any(
        words[k : k + n - 1] == wanted[:-1] and words[k + n - 1].startswith(wanted[-1])
        for k in range(len(words) - n + 1)
    )


def _id_like(word: str) -> bool:
    """Letters and digits, long enough to be a reference id (with or without its year)."""
    return (
        len(word) >= MIN_FUZZY_ID
        and any(c.isdigit() for c in word)
        and any(c.isalpha() for c in word)
    )


def _edit_cost(typed: str, target: str) -> float:
    """One edit's cost: a swapped, dropped or doubled character 1, a wrong one 1.5."""
    if len(typed) != len(target):
        return 1.0
    return 1.0 if sum(a != b for a, b in zip(typed, target, strict=True)) == 2 else 1.5


def _implies(new: Term, old: Term) -> bool:
    """Whether every row that `new` matches is sure to match `old`."""
    if new.fuzzy_ids or new.alternatives or new.year is not None:
        return False  # it also matches ids one edit away, an OR's other side, or a year
    if old.literal:
        texts = [new.word] if new.corrections is None else [c.text for c in new.corrections]
        return all(old.word in text for text in texts)
    if new.corrections is None or old.corrections is None or old.alternatives:
        return False
    return all(
        any(
            c.text.startswith(o.text) if o.prefix else (not c.prefix and c.text == o.text)
            for o in old.corrections
        )
        for c in new.corrections
    )


class _Coded(Sequence[str]):
    """A column of few distinct values (levels, origins, dates): a number per row into them,
    2 bytes a row where a block and its offsets take 6-16."""

    __slots__ = ("_codes", "_values")

    def __init__(self, column: Iterable[str]) -> None:
        numbers: dict[str, int] = {}
        codes = [numbers.setdefault(value, len(numbers)) for value in column]
        self._values = tuple(numbers)
        self._codes = array("H" if len(numbers) <= 1 << 16 else "I", codes)

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return list(map(self._values.__getitem__, self._codes[i]))
        return self._values[self._codes[i]]

    def __iter__(self) -> Iterator[str]:
        return map(self._values.__getitem__, self._codes)


class _Ids:
    """The folded ids, with and without their year, as one string and where each starts: a
    few MB where a tuple of each took 17 MB at 251k (a Python string is ~50 bytes before its
    first character)."""

    def __init__(self, ids: list[str], bare: list[str]) -> None:
        self._text = "".join(ids)
        self._bounds = array("I", [0, *accumulate(map(len, ids))])  # row i: [i], [i + 1]
        self._bare = array("I", [e - len(b) for e, b in zip(self._bounds[1:], bare, strict=True)])

    def full(self, row: int) -> str:
        return self._text[self._bounds[row] : self._bounds[row + 1]]

    def bare(self, row: int) -> str:
        return self._text[self._bare[row] : self._bounds[row + 1]]

    def reversed_bare(self, row: int) -> str:
        return self.bare(row)[::-1]


class _SortedIds:
    """Rows in the order of a text of each (an id), with exact and prefix look-ups of the text
    by bisection; `text` is a method of a picklable object (the engine is cached)."""

    def __init__(self, text: Callable[[int], str], size: int) -> None:
        self._text = text
        self._rows = array("i", sorted(range(size), key=text))

    def rows(self, word: str, *, exact: bool) -> array[int]:
        lo = bisect_left(self._rows, word, key=self._text)
        hi = bisect_right(self._rows, word if exact else word + _LAST, lo, key=self._text)
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
    """Membership in a sorted list, by bisection (or in rows held as bits)."""
    if type(rows) is _RowBits:  # (not isinstance: an ABC's check costs a microsecond)
        return row in rows
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


def _fold_rows(rows: Sequence[str]) -> list[str]:
    """`fold` every row, on bytes where they are ASCII (a few times faster than str.translate)."""
    raw = b"\x00".join(r.encode() if r.isascii() else fold(r).encode() for r in rows)
    parts = raw.lower().translate(_FOLD_BYTES).split(b"\x00")
    if len(parts) != len(rows):  # a NUL inside a field: fold row by row instead
        return [fold(r) for r in rows]
    return [p.decode() for p in parts]
