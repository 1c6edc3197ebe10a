"""`cables demo`: open the browser on the demo library (built on first use)."""

from __future__ import annotations

import argparse
import sys

from cables.cli import EXIT_OK
from cables.demo import ensure_demo_library
from cables.paths import demo_library


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--path", action="store_true",
                        help="build the demo library if needed and print its path, no browser")


def run(args: argparse.Namespace) -> int:
    if not demo_library().exists():
        print("cables: building the demo library of synthetic cables (first run only)...",
              file=sys.stderr)
    path = ensure_demo_library()
    if args.path:
        print(path)
        return EXIT_OK
    try:
        from tui.app import run_app
    except ImportError:  # the browser is not merged in yet: say where the library is
        print(path)
        return EXIT_OK
    return run_app(path, demo=True)
