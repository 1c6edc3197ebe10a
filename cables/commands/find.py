"""`cables find [QUERY] [--json] [--limit N]`: the sidebar's engine from the command line.

With no QUERY, one query per line of standard input, each answered by one line (the index is
loaded and the engine prepared once), so scripts and benchmarks can drive the engine directly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from cables.commands._shared import open_library
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.query import parse
from cables.sanitize import clean_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="*",
        metavar="QUERY",
        help="as typed in the sidebar (every word finished); none: one query per stdin line",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per query: query, ids, ms"
    )
    parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N ids per query (default 20)"
    )


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("cables find: --limit must be 1 or more", file=sys.stderr)
        return EXIT_FATAL
    opened = open_library(args, "find")
    if opened is None:
        return EXIT_FATAL
    _, library = opened
    from cables.search import SidebarSearch  # (rapidfuzz: only for this command)

    with library:
        index = library.load_index()
        engine = SidebarSearch(index, cache_size=0)
        lines = [" ".join(args.query)] if args.query else (line.rstrip("\n") for line in sys.stdin)
        status = EXIT_SKIPPED
        for line in lines:
            query = parse(line, submitted=True)
            if query.errors:
                for error in query.errors:
                    print(f"cables find: {error}", file=sys.stderr)
                if args.query:
                    return EXIT_FATAL
                if args.json:
                    print(json.dumps({"query": line, "error": "; ".join(query.errors)}))
                continue
            started = time.perf_counter()
            matches = engine.search(query, limit=args.limit, linked=library.linked_ids(query))
            ms = (time.perf_counter() - started) * 1000
            assert matches is not None  # never cancelled here
            ids = [index.reference_ids[i] for i in matches.rows]
            if ids:
                status = EXIT_OK
            if args.json:
                record = {"query": line, "ids": ids, "total": matches.total, "ms": round(ms, 2)}
                print(json.dumps(record, ensure_ascii=False), flush=not args.query)
            elif args.query:
                for i in matches.rows:
                    print(
                        f"{index.reference_ids[i]:20} {index.created[i]:10} {index.levels[i]:8} "
                        f"{clean_line(index.subjects[i])}"
                    )
                print(f"{len(ids):,} of {matches.total:,} shown", file=sys.stderr)
            else:
                print(" ".join(ids), flush=True)
    return status
