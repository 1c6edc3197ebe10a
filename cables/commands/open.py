"""`cables [open] [REF[#parN]]`: the browser, on the user's library (or the demo library).

With no library file yet, the synthetic demo library opens instead, and the app says so and
how to import real cables: the user's own library path is never created by opening it.
"""

from __future__ import annotations

import argparse
import sys

from cables import config as cfg
from cables.cli import EXIT_FATAL
from cables.permalinks import parse_ref


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", nargs="?", metavar="REF[#parN]",
                        help="a reference id or permalink to open (any published form)")


def run(args: argparse.Namespace) -> int:
    open_ref = anchor = None
    if args.ref:
        try:
            open_ref, anchor = parse_ref(args.ref)
        except ValueError as exc:
            print(f"cables: {exc}", file=sys.stderr)
            return EXIT_FATAL
    config = cfg.from_args(args)
    path = cfg.resolve_library(args, config)
    demo = not path.exists()
    if demo:
        from cables.demo import ensure_demo_library

        path = ensure_demo_library()
    from tui.app import run_app

    return run_app(path, open_ref=open_ref, anchor=anchor, config=config, demo=demo)
