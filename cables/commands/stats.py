"""`cables stats [--json]`: how many cables, by level, origin and year."""

from __future__ import annotations

import argparse

from cables.commands._shared import open_library
from cables.exits import EXIT_FATAL, EXIT_OK
from cables.sanitize import clean_line, json_line

TOP_ORIGINS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object (every origin)")


def run(args: argparse.Namespace) -> int:
    opened = open_library(args, "stats")
    if opened is None:
        return EXIT_FATAL
    _, library = opened
    with library:
        stats = library.stats()
    if args.json:
        print(json_line({"library": str(library.path), **stats.to_json()}))
        return EXIT_OK
    if not stats.count:
        print(
            f"{library.path} is empty: no cables yet"
            f" (import some with `cables --library {library.path} import PATH...`)"
        )
        return EXIT_OK
    lines = [f"{stats.count:,} cables in {library.path}"]
    if stats.synthetic:
        lines.append(f"{stats.synthetic:,} of them synthetic (generated text, no permalinks)")
    lines += ["", "By level:"]
    lines += [f"  {level:10} {n:>9,}" for level, n in stats.by_level.items()]
    lines += ["", "By year:"]
    lines += [f"  {year or 'unknown':10} {n:>9,}" for year, n in stats.by_year.items()]
    origins = list(stats.by_origin.items())
    lines += ["", f"By origin ({len(origins)}; the {min(TOP_ORIGINS, len(origins))} largest):"]
    lines += [
        f"  {clean_line(origin) or 'unknown':40} {n:>9,}" for origin, n in origins[:TOP_ORIGINS]
    ]
    print("\n".join(lines))
    return EXIT_OK
