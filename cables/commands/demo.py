"""`cables demo`: open the browser on the demo library (built on first use)."""

from __future__ import annotations

import argparse
import sys

from cables.browser import run_browser
from cables.commands._shared import fail
from cables.config import from_args
from cables.demo import ensure_demo_library
from cables.exits import EXIT_FATAL, EXIT_OK
from cables.library import LibraryError
from cables.paths import demo_library


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--path",
        action="store_true",
        help="build the demo library if needed and print its path, no browser",
    )


def run(args: argparse.Namespace) -> int:
    config = from_args(args)
    if not demo_library().exists():
        print(
            "cables: building the demo library of synthetic cables (first run only)...",
            file=sys.stderr,
        )
    path = ensure_demo_library()
    if args.path:
        print(path)
        return EXIT_OK
    try:
        return run_browser(path, config=config, demo=True)
    except LibraryError as exc:
        fail("demo", str(exc))
        return EXIT_FATAL
