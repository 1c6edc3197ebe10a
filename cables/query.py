"""One query language for the sidebar, the full-text mode, `cables search` and `cables find`.

A query is free words (all must match), `"quoted phrases"`, `prefix*`, `a OR b`, `-word` to
exclude, and filters: `level:S` (`level:C,S`, `level:>=C`), `origin:berlin`, `year:2009`
(`year:2005..2007`), `date:2009-04..2009-06`, `tag:PREL`, `cites:ID`, `refs:ID`,
`sort:new|old|best`. A bare year from 1966 to 2010 also matches `year:`. A filter whose value is
not valid is an error (`Query.errors`), never silently ignored. Parsing is pure: no library, no
Textual; what each filter means against the cables is for the engine that runs the query.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cables.model import Level

FIRST_YEAR, LAST_YEAR = 1966, 2010  # the years the corpus covers: a bare year among them filters
FILTERS = ("level", "origin", "year", "date", "tag", "cites", "refs", "sort")

# A token: an optional "-", then a quoted phrase, a key:"quoted value", or a run of non-spaces.
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([A-Za-z]+):"([^"]*)"?|(\S+))(\s*)')
_WORD = re.compile(r"[^\W_]+")
_LEVEL_CODES = {
    "U": Level.U,
    "SBU": Level.SBU,
    "C": Level.C,
    "S": Level.S,
    "TS": Level.TS,
    "UNMARKED": Level.UNMARKED,
}
_ID = re.compile(r"[0-9]{2,4}[A-Z][A-Z0-9]*[0-9]+")
_COMPARISONS: tuple[tuple[str, Callable[[int, int], bool]], ...] = (
    (">=", operator.ge),
    ("<=", operator.le),
    (">", operator.gt),
    ("<", operator.lt),
)
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")


class Sort(StrEnum):
    NEW = "new"
    OLD = "old"
    BEST = "best"


@dataclass(frozen=True, slots=True)
class Word:
    """A word or phrase to find: `text` is lowercase, one or more words separated by spaces."""

    text: str
    prefix: bool = False  # typed with a trailing `*`: the start of a word
    phrase: bool = False  # typed in quotes: these words in this order
    finished: bool = True  # followed by a space (or the query was submitted): may be corrected

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass(frozen=True, slots=True)
class Clause:
    """Alternatives joined by OR; a bare year also carries `year`, matched as `year:` is."""

    words: tuple[Word, ...]
    year: int | None = None


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive bounds as "YYYY", "YYYY-MM" or "YYYY-MM-DD" (None: open)."""

    start: str | None
    end: str | None

    def __contains__(self, date: str) -> bool:
        """Whether an ISO date ("YYYY-MM-DD…"; "" unknown: never) falls in the range."""
        if not date:
            return False
        if self.start is not None and date[: len(self.start)] < self.start:
            return False
        return self.end is None or date[: len(self.end)] <= self.end


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. `clauses` must all match; `excluded` must not; filters narrow."""

    text: str
    clauses: tuple[Clause, ...] = ()
    excluded: tuple[Word, ...] = ()
    levels: frozenset[Level] | None = None
    origins: tuple[str, ...] = ()  # lowercase, each must match (fuzzily) the origin
    years: tuple[tuple[int, int], ...] = ()  # inclusive ranges; each must hold
    dates: tuple[DateRange, ...] = ()
    tags: tuple[str, ...] = ()  # uppercase, each must be among the cable's TAGS
    cites: tuple[str, ...] = ()  # cables whose REF block cites each of these ids
    refs: tuple[str, ...] = ()  # the cables each of these cites
    sort: Sort | None = None
    errors: tuple[str, ...] = field(default=())

    @property
    def has_filters(self) -> bool:
        return bool(
            self.levels is not None
            or self.origins
            or self.years
            or self.dates
            or self.tags
            or self.cites
            or self.refs
        )

    @property
    def words(self) -> list[Word]:
        """Every positive word or phrase, in order (for highlighting)."""
        return [w for c in self.clauses for w in c.words]

    @property
    def empty(self) -> bool:
        """Nothing to match and nothing to filter: every cable."""
        return not self.clauses and not self.excluded and not self.has_filters


def parse(text: str, *, submitted: bool = False) -> Query:
    """Parse a query; the last word is finished only if a space follows it or `submitted`."""
    clauses: list[Clause] = []
    excluded: list[Word] = []
    errors: list[str] = []
    filters: dict[str, list] = {name: [] for name in FILTERS}
    pending_or = False
    for match in _TOKEN.finditer(text):
        minus, phrase, key, key_value, bare, space = match.groups()
        finished = bool(space) or submitted
        if bare == "OR" and not minus:
            pending_or = bool(clauses)
            continue
        if bare and ":" in bare and not key:
            name, _, value = bare.partition(":")
            if name.lower() in FILTERS:
                key, key_value = name, value
        if key is not None and key.lower() in FILTERS:
            if minus:
                errors.append(f"-{key}: filters cannot be negated")
            else:
                _filter(key.lower(), key_value or "", filters, errors)
            pending_or = False
            continue
        if key is not None:  # `word:"x"` with an unknown key: plain text
            phrase, bare = None, f"{key} {key_value}"
        items = _words(phrase, bare, finished)
        if not items:
            continue
        if minus:
            excluded.extend(items)
            pending_or = False
            continue
        year = _bare_year(bare)
        new = [Clause((w,), year if len(items) == 1 else None) for w in items]
        if pending_or and clauses:
            last = clauses.pop()
            first = new.pop(0)
            clauses.append(Clause(last.words + first.words, None))
        clauses.extend(new)
        pending_or = False
    levels = filters["level"]
    return Query(
        text=text,
        clauses=tuple(clauses),
        excluded=tuple(excluded),
        levels=frozenset.intersection(*levels) if levels else None,
        origins=tuple(filters["origin"]),
        years=tuple(filters["year"]),
        dates=tuple(filters["date"]),
        tags=tuple(filters["tag"]),
        cites=tuple(filters["cites"]),
        refs=tuple(filters["refs"]),
        sort=filters["sort"][-1] if filters["sort"] else None,
        errors=tuple(errors),
    )


def _words(phrase: str | None, bare: str | None, finished: bool) -> list[Word]:
    """The words a token stands for: one phrase, or each word of a bare token."""
    if phrase is not None:
        words = _WORD.findall(phrase.lower())
        return [Word(" ".join(words), phrase=True)] if words else []
    assert bare is not None
    prefix = bare.endswith("*")
    words = _WORD.findall(bare.lower())
    return [
        Word(w, prefix=prefix and i == len(words) - 1, finished=finished or i < len(words) - 1)
        for i, w in enumerate(words)
    ]


def _bare_year(bare: str | None) -> int | None:
    if bare and bare.isdigit() and len(bare) == 4 and FIRST_YEAR <= int(bare) <= LAST_YEAR:
        return int(bare)
    return None


def _filter(key: str, value: str, filters: dict[str, list], errors: list[str]) -> None:
    """Validate one filter's value into `filters[key]`, or name what is wrong in `errors`."""
    if not value.strip():
        errors.append(f"{key}: needs a value (e.g. {_EXAMPLES[key]})")
        return
    try:
        filters[key].append(_PARSERS[key](value.strip()))
    except ValueError as exc:
        errors.append(f"{key}:{value}: {exc} (e.g. {_EXAMPLES[key]})")


def _level(value: str) -> frozenset[Level]:
    upper = value.upper()
    for op, keep in _COMPARISONS:
        if upper.startswith(op):
            rank = _level_code(upper[len(op) :]).rank
            return frozenset(lv for lv in Level if lv is not Level.UNMARKED and keep(lv.rank, rank))
    return frozenset(_level_code(code) for code in upper.split(","))


def _level_code(code: str) -> Level:
    code = code.strip()
    if code not in _LEVEL_CODES:
        raise ValueError(f"{code or 'nothing'} is not a level: U, SBU, C, S, TS or unmarked")
    return _LEVEL_CODES[code]


def _origin(value: str) -> str:
    words = _WORD.findall(value.lower())
    if not words:
        raise ValueError("no letters in it")
    return " ".join(words)


def _year(value: str) -> tuple[int, int]:
    start, dots, end = value.partition("..")
    first = _one_year(start) if start else FIRST_YEAR
    last = _one_year(end) if end else (LAST_YEAR if dots else first)
    if first > last:
        raise ValueError(f"{first} is after {last}")
    return first, last


def _one_year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2099):
        raise ValueError(f"{text} is not a year")
    return int(text)


def _date(value: str) -> DateRange:
    start, dots, end = value.partition("..")
    first = _one_date(start) if start else None
    last = (_one_date(end) if end else None) if dots else first
    if first is None and last is None:
        raise ValueError("no date in it")
    if first is not None and last is not None and first > last[: len(first)]:
        raise ValueError(f"{first} is after {last}")
    return DateRange(first, last)


def _one_date(text: str) -> str:
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text} is not a date: YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    out = str(_one_year(year))
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"{text}: no month {month}")
        out += f"-{int(month):02d}"
    if day is not None:
        assert month is not None
        try:
            date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{text}: no day {day} in that month") from None
        out += f"-{int(day):02d}"
    return out


def _tag(value: str) -> str:
    tag = value.strip().upper()
    if not tag or any(c.isspace() for c in tag):
        raise ValueError("not a TAG")
    return tag


def _reference(value: str) -> str:
    ref = value.strip().upper()
    if not _ID.fullmatch(ref):
        raise ValueError(f"{value} is not a reference id")
    return ref


def _sort(value: str) -> Sort:
    try:
        return Sort(value.lower())
    except ValueError:
        raise ValueError(f"{value} is not new, old or best") from None


_PARSERS = {
    "level": _level,
    "origin": _origin,
    "year": _year,
    "date": _date,
    "tag": _tag,
    "cites": _reference,
    "refs": _reference,
    "sort": _sort,
}
_EXAMPLES = {
    "level": "level:S, level:C,S, level:>=C",
    "origin": "origin:berlin",
    "year": "year:2009, year:2005..2007",
    "date": "date:2009-04..2009-06",
    "tag": "tag:PREL",
    "cites": "cites:09BERLIN988",
    "refs": "refs:09MEXICO1055",
    "sort": "sort:new, sort:old, sort:best",
}

HELP = (
    'words (all must match) · "a phrase" · prefix* · a OR b · -word · level:S level:C,S '
    "level:>=C · origin:berlin · year:2009 (or a bare year) · date:2009-04..2009-06 · tag:PREL · "
    "cites:ID · refs:ID · sort:new|old|best"
)
