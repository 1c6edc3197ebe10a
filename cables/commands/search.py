"""`cables search QUERY [--json] [--limit N] [--ranked]`: full-text search of the library."""

from __future__ import annotations

import argparse
import sys

from cables.commands._shared import open_library
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.library import SearchHit
from cables.permalinks import PermalinkRefused, Permalinks
from cables.sanitize import clean_line, json_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help='words (all in one paragraph), "a phrase", prefix*, a OR b',
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
        "--ranked", action="store_true", help="best matches first (default: newest first)"
    )


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("cables search: --limit must be 1 or more", file=sys.stderr)
        return EXIT_FATAL
    opened = open_library(args, "search")
    if opened is None:
        return EXIT_FATAL
    config, library = opened
    with library:
        hits = library.search(" ".join(args.query), limit=args.limit, ranked=args.ranked)
    links = config.permalinks()
    for hit in hits:
        if args.json:
            print(json_line(hit_json(hit, links)))
        else:
            where = f"¶{hit.paragraph_number}" if hit.paragraph_number is not None else "-"
            print(
                f"{hit.reference_id:20} {(hit.created or '')[:10]:10} {hit.level.value:8} "
                f"{where:5} {clean_line(hit.subject or '')}\n    {clean_line(hit.snippet)}"
            )
    if not hits and not args.json:
        print("no matches", file=sys.stderr)
    return EXIT_OK if hits else EXIT_SKIPPED


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
