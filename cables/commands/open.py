"""`cables [open] [REF[#parN]]`: the browser, on the user's library (or the demo library).

With no library file yet at the default path, the synthetic demo library opens instead, and the
app says so and how to import real cables: the user's own library path is never created by
opening it. A library named by `--library`, `$CABLES_LIBRARY` or the config that does not exist is
an error (exit status 2), never a silent switch to the demo.
"""

from __future__ import annotations

import argparse
import os
import sys

from cables.browser import run_browser
from cables.config import from_args, resolve_library
from cables.exits import EXIT_FATAL
from cables.library import LibraryError
from cables.permalinks import parse_ref


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "ref",
        nargs="?",
        metavar="REF[#parN]",
        help="a reference id or permalink to open (any published form)",
    )


def run(args: argparse.Namespace) -> int:
    open_ref = anchor = None
    try:
        if args.ref:
            open_ref, anchor = parse_ref(args.ref)
        config = from_args(args)
    except ValueError as exc:
        print(f"cables: {exc}", file=sys.stderr)
        return EXIT_FATAL
    path = resolve_library(args, config)
    named = next(
        (
            how
            for how, value in (
                ("--library", getattr(args, "library", None)),
                ("$CABLES_LIBRARY", os.environ.get("CABLES_LIBRARY")),
                ("the config's library", config.library),
            )
            if value
        ),
        None,
    )
    if named and not path.exists():  # a library asked for by name: never the demo instead
        print(
            f"cables: no library at {path} (named by {named}); create it with"
            f" `cables --library {path} import PATH...`",
            file=sys.stderr,
        )
        return EXIT_FATAL
    demo = not path.exists()
    if demo:
        from cables.demo import ensure_demo_library
        from cables.paths import demo_library

        if not demo_library().exists():
            print(
                "cables: no library yet; building the demo library of synthetic cables"
                " (first run only)...",
                file=sys.stderr,
            )
        path = ensure_demo_library()
    try:
        return run_browser(path, config=config, open_ref=open_ref, anchor=anchor, demo=demo)
    except LibraryError as exc:
        print(f"cables: {exc}", file=sys.stderr)
        return EXIT_FATAL
