"""`cables search QUERY [--json] [--limit N] [--ranked]`: full-text search of the library."""

from __future__ import annotations

import argparse
import sys

from cables.commands._shared import open_library
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.library import SearchHit
from cables.permalinks import PermalinkRefused, Permalinks
from cables.query import Sort, parse
from cables.sanitize import clean_line, json_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help='words (all in one paragraph), "a phrase", prefix*, a OR b, -word, filters '
        "(level:S origin:berlin year:2009 date:2009-04..2009-06 tag:PREL cites:ID refs:ID "
        "sort:new|old|best); see the README",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per hit per line")
    parser.add_argument(
        "--limit",
        type=int,
        default=50,
        metavar="N",
        help="at most N hits, one per cable (default 50)",
    )
    parser.add_argument(
        "--ranked", action="store_true", help="best matches first (as sort:best; default: newest)"
    )
    parser.add_argument(
        "--histogram", action="store_true", help="also print matching cables per year"
    )


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("cables search: --limit must be 1 or more", file=sys.stderr)
        return EXIT_FATAL
    query = parse(" ".join(args.query), submitted=True)
    if query.errors:
        for error in query.errors:
            print(f"cables search: {error}", file=sys.stderr)
        return EXIT_FATAL
    if query.empty:
        print("cables search: nothing to search for", file=sys.stderr)
        return EXIT_FATAL
    opened = open_library(args, "search")
    if opened is None:
        return EXIT_FATAL
    config, library = opened
    sort = query.sort or (Sort.BEST if args.ranked else Sort.NEW)
    with library:
        results = library.text_search(
            query,
            limit=args.limit,
            sort=sort,
            count_cap=COUNT_ALL,
            timeline=args.histogram,
        )
    links = config.permalinks()
    hits = results.hits
    for hit in hits:
        if args.json:
            print(json_line(hit_json(hit, links)))
        else:
            where = f"¶{hit.paragraph_number}" if hit.paragraph_number is not None else "-"
            print(
                f"{hit.reference_id:20} {(hit.created or '')[:10]:10} {hit.level.value:8} "
                f"{where:5} {clean_line(hit.subject or '')}\n    {clean_line(hit.snippet)}"
            )
    if not args.json:
        if not hits:
            print("no matches", file=sys.stderr)
        elif results.total > len(hits):
            print(f"{len(hits):,} of {results.total:,} shown (--limit N for more)", file=sys.stderr)
        if args.histogram:
            print("\n".join(histogram(results.months)))
    elif args.histogram:
        print(json_line({"by_year": by_year(results.months)}))
    return EXIT_OK if hits else EXIT_SKIPPED


COUNT_ALL = 1 << 40  # the command line counts every match (the browser bounds its count)
BAR = 50  # characters of the longest histogram bar


def by_year(months: dict[str, int]) -> dict[str, int]:
    """Matching cables per year ("" where the date is unknown), oldest first."""
    years: dict[str, int] = {}
    for month, n in sorted(months.items()):
        years[month[:4]] = years.get(month[:4], 0) + n
    return years


def histogram(months: dict[str, int]) -> list[str]:
    """One line per year from the first to the last with a match: year, bar, count."""
    years = by_year(months)
    known = sorted(int(y) for y in years if y)
    if not known:
        return []
    top = max(years.values())
    lines = []
    for year in range(known[0], known[-1] + 1):
        n = years.get(str(year), 0)
        bar = "█" * (round(BAR * n / top) if n else 0) or ("▏" if n else "")
        lines.append(f"{year} {bar:<{BAR}} {n:,}")
    if "" in years:
        lines.append(f"???? {'':<{BAR}} {years['']:,}")
    return lines


def hit_json(hit: SearchHit, links: Permalinks) -> dict[str, object]:
    """A hit as JSON; its permalink points at the paragraph (none for synthetic cables)."""
    try:
        link = links.link(hit.reference_id, hit.created, hit.anchor, synthetic=hit.synthetic)
    except PermalinkRefused:
        link = None
    return {
        "reference_id": hit.reference_id,
        "created": hit.created,
        "subject": hit.subject,
        "level": hit.level.value,
        "paragraph": hit.paragraph_number,
        "anchor": hit.anchor,
        "snippet": hit.snippet,
        "synthetic": hit.synthetic,
        "permalink": link,
    }
