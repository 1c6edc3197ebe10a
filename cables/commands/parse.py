"""`cables parse PATH... [--json]`: parse cable files and print them, one cable at a time.

Cables stream to stdout as they are read (JSON Lines with --json); every input that is skipped
is named on stderr in one line with the reason, and the others still come out.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from cables.config import from_args
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.export import cable_json
from cables.formats import ParseError
from cables.model import Cable
from cables.parsing import ParseWarning, parse_paths
from cables.permalinks import Permalinks
from cables.sanitize import clean_line, json_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="cable files, folders (read recursively) or a cables.csv(.gz)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per cable per line (JSON Lines)"
    )


def run(args: argparse.Namespace) -> int:
    config = from_args(args)
    links = Permalinks(config.cable_permalink, config.paragraph_permalink)
    out = sys.stdout
    parsed = skipped = 0
    for item in parse_paths(args.paths):
        if isinstance(item, ParseWarning):
            _stderr(f"cables: warning: {item}")
        elif isinstance(item, ParseError):
            skipped += 1
            _stderr(f"cables: skipped {item}")
        else:
            parsed += 1
            if args.json:
                out.write(json_line(cable_json(item, links)) + "\n")
            else:
                _summary(out, item)
    out.flush()
    if not parsed:
        _stderr("cables: nothing parsed" + (f" ({skipped} inputs skipped)" if skipped else ""))
        return EXIT_FATAL
    if not args.json:
        _stderr(f"cables: {parsed} parsed, {skipped} skipped")
    return EXIT_SKIPPED if skipped else EXIT_OK


def _summary(out: TextIO, cable: Cable) -> None:
    """Two readable lines: id, date, classification, origin, size; then the subject."""
    count = len(cable.paragraphs)
    parts = [
        cable.reference_id,
        cable.created or "-",
        cable.classification or cable.level.label,
        cable.origin or "-",
        f"{count} paragraph{'' if count == 1 else 's'}",
    ]
    if cable.source and cable.source.recovered_from:
        parts.append(f"recovered from the page of {cable.source.recovered_from}")
    if cable.synthetic:
        parts.append("SYNTHETIC")
    out.write("  ".join(clean_line(part) for part in parts) + "\n")
    out.write(f"    {clean_line(cable.subject or '(no subject)')}\n")


def _stderr(line: str) -> None:
    print(clean_line(line), file=sys.stderr)
