"""The one query language: words, phrases, prefixes, OR, exclusions, filters and their errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cables.model import Level
from cables.query import Clause, DateRange, Sort, Word, parse


def test_free_words_all_must_match_and_the_last_is_unfinished_until_a_space() -> None:
    q = parse("Calderon merida")
    assert q.clauses == (Clause((Word("calderon"),)), Clause((Word("merida", finished=False),)))
    assert parse("calderon merida ").clauses[1].words[0].finished
    assert parse("calderon merida", submitted=True).clauses[1].words[0].finished
    assert not q.errors and not q.has_filters and not q.empty


def test_phrase_prefix_or_and_exclusion() -> None:
    q = parse('"Foreign  Minister" sanction* OR embargo -secret -"state department"')
    assert q.clauses == (
        Clause((Word("foreign minister", phrase=True),)),
        Clause((Word("sanction", prefix=True), Word("embargo"))),
    )
    assert q.excluded == (Word("secret"), Word("state department", phrase=True))


def test_an_unclosed_quote_is_a_phrase_to_the_end() -> None:
    assert parse('"foreign minis').clauses == (Clause((Word("foreign minis", phrase=True),)),)


def test_punctuation_splits_words_and_ids_stay_whole() -> None:
    q = parse("09MEXICO1055 u.s.-mexico")
    assert [w.text for w in q.words] == ["09mexico1055", "u", "s", "mexico"]


def test_or_at_the_start_or_alone_is_ignored() -> None:
    assert parse("OR iran").clauses == (Clause((Word("iran", finished=False),)),)
    assert parse("or iran").clauses[0].words[0].text == "or"  # lowercase `or` is a word


def test_a_lone_minus_or_empty_query_matches_everything() -> None:
    assert parse("").empty and parse("  - ").empty


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("level:S", {Level.S}),
        ("level:c,s", {Level.C, Level.S}),
        ("level:>=C", {Level.C, Level.S, Level.TS}),
        ("level:<SBU", {Level.U}),
        ("level:>S", {Level.TS}),
        ("level:<=u", {Level.U}),
        ("level:unmarked", {Level.UNMARKED}),
        ("level:C,S level:S,TS", {Level.S}),  # several filters all hold
    ],
)
def test_level(text: str, levels: set[Level]) -> None:
    q = parse(text)
    assert q.levels == levels and not q.errors and q.has_filters and not q.clauses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("level:Q", "level:Q: Q is not a level"),
        ("level:", "level: needs a value"),
        ("level:>=X", "X is not a level"),
        ("date:2009-13", "date:2009-13: 2009-13: no month 13"),
        ("date:2009-02-30", "no day 30"),
        ("date:2009-06..2009-04", "2009-06 is after 2009-04"),
        ("date:yesterday", "yesterday is not a date"),
        ("year:09", "09 is not a year"),
        ("year:2010..2005", "2010 is after 2005"),
        ("sort:random", "random is not new, old or best"),
        ("cites:hello", "hello is not a reference id"),
        ("refs:", "refs: needs a value"),
        ("-level:S", "-level: filters cannot be negated"),
        ("origin:--", "no letters"),
    ],
)
def test_invalid_filters_are_errors(text: str, message: str) -> None:
    errors = parse(f"iran {text}").errors
    assert len(errors) == 1 and message in errors[0], errors
    assert "e.g." in errors[0] or "negated" in errors[0]


def test_origin_year_date_tag_links_sort() -> None:
    q = parse(
        'origin:"Sao Paulo" origin:Berlin year:2009 year:2005..2007 date:2009-04..2009-06 '
        "tag:prel cites:09berlin988 refs:09MEXICO1055 sort:old"
    )
    assert q.origins == ("sao paulo", "berlin")
    assert q.years == ((2009, 2009), (2005, 2007))
    assert q.dates == (DateRange("2009-04", "2009-06"),)
    assert q.tags == ("PREL",)
    assert q.cites == ("09BERLIN988",) and q.refs == ("09MEXICO1055",)
    assert q.sort is Sort.OLD and not q.errors and not q.clauses


def test_open_ranges() -> None:
    assert parse("year:..1970").years == ((1966, 1970),)
    assert parse("year:2009..").years == ((2009, 2010),)
    assert parse("date:2010-02..").dates == (DateRange("2010-02", None),)
    assert parse("date:..1999-01-05").dates == (DateRange(None, "1999-01-05"),)


@pytest.mark.parametrize(
    ("date", "inside"),
    [
        ("2009-04-01", True),
        ("2009-06-30 12:00", True),
        ("2009-03-31", False),
        ("2009-07-01", False),
        ("", False),
    ],
)
def test_date_range_contains(date: str, inside: bool) -> None:
    assert (date in parse("date:2009-04..2009-06").dates[0]) is inside


def test_a_single_date_is_that_day_month_or_year() -> None:
    r = parse("date:2009-4").dates[0]
    assert "2009-04-30" in r and "2009-05-01" not in r and "2009-03-31" not in r


def test_a_bare_year_in_the_corpus_also_matches_year() -> None:
    assert parse("1972").clauses == (Clause((Word("1972", finished=False),), year=1972),)
    assert parse("1965 2011").clauses[0].year is None  # outside 1966-2010: only a word
    assert parse("-2009").excluded == (Word("2009", finished=False),)


def test_unknown_keys_are_plain_words() -> None:
    q = parse("re:meeting http://x")
    assert [w.text for w in q.words] == ["re", "meeting", "http", "x"] and not q.errors


@given(st.text(max_size=60))
def test_any_text_parses_without_raising(text: str) -> None:
    q = parse(text)
    assert all(isinstance(e, str) and e for e in q.errors)
    assert all(w.text and w.text == w.text.lower() for w in [*q.words, *q.excluded])
