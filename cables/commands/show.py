"""`cables show REF [--json|--markdown|--text]`: print one cable from the library."""

from __future__ import annotations

import argparse
import sys

from cables.commands._shared import fail, open_library, read_ref
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.export import cable_json, cable_markdown, cable_text
from cables.sanitize import json_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="REF", help="reference id (any case) or permalink")
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--json",
        action="store_const",
        const="json",
        dest="form",
        help="the JSON object of the cable (as `cables parse --json`)",
    )
    form.add_argument(
        "--markdown",
        action="store_const",
        const="markdown",
        dest="form",
        help="Markdown, with permalinks",
    )
    form.add_argument(
        "--text", action="store_const", const="text", dest="form", help="plain text (the default)"
    )


def run(args: argparse.Namespace) -> int:
    ref = read_ref(args.ref, "show")
    if ref is None:
        return EXIT_FATAL
    opened = open_library(args, "show")
    if opened is None:
        return EXIT_FATAL
    config, library = opened
    with library:
        cable = library.get(ref[0])
        if cable is None:
            fail("show", f"{ref[0]} is not in the library {library.path}")
            return EXIT_SKIPPED
        cited_by = library.cited_by(cable.reference_id)
    links = config.permalinks()
    if args.form == "json":
        sys.stdout.write(json_line(cable_json(cable, links)) + "\n")
    elif args.form == "markdown":
        sys.stdout.write(cable_markdown(cable, links, cited_by))
    else:
        sys.stdout.write(cable_text(cable, cited_by))
    return EXIT_OK
