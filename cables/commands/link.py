"""`cables link REF[#parN]`: print the permalink of a cable or one of its paragraphs."""

from __future__ import annotations

import argparse

from cables.commands._shared import fail, open_library, read_ref
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.permalinks import PermalinkRefused


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "ref",
        metavar="REF[#parN]",
        help="reference id (any case) or permalink, optionally with #parN",
    )


def run(args: argparse.Namespace) -> int:
    ref = read_ref(args.ref, "link")
    if ref is None:
        return EXIT_FATAL
    reference_id, anchor = ref
    opened = open_library(args, "link")
    if opened is None:
        return EXIT_FATAL
    config, library = opened
    with library:
        cable = library.get(reference_id)
    if cable is None:
        fail("link", f"{reference_id} is not in the library {library.path}")
        return EXIT_SKIPPED
    links = config.permalinks()
    try:
        if anchor is None:
            print(links.link(cable.reference_id, cable.created, synthetic=cable.synthetic))
            return EXIT_OK
        if not any(p.anchor == anchor for p in cable.paragraphs):
            fail("link", f"{cable.reference_id} has no paragraph {anchor}")
            return EXIT_SKIPPED
        print(links.link(cable.reference_id, cable.created, anchor, synthetic=cable.synthetic))
    except PermalinkRefused as exc:
        fail("link", str(exc))
        return EXIT_SKIPPED
    return EXIT_OK
