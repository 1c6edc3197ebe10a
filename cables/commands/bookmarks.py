"""`cables bookmarks [--markdown]`: the saved bookmarks, or them as Markdown citations."""

from __future__ import annotations

import argparse
import sys

from cables import config as cfg
from cables.exits import EXIT_OK
from cables.export import bookmarks_markdown
from cables.sanitize import clean_line
from cables.state import State


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--markdown", action="store_true", help="print a Markdown list of citations with permalinks"
    )


def run(args: argparse.Namespace) -> int:
    config = cfg.from_args(args)
    state = State.load()
    if state.warning:
        print(f"cables: {state.warning}", file=sys.stderr)
    if not state.bookmarks:  # said on stderr: stdout (a Markdown file, a pipe) stays empty
        print(
            "cables: no bookmarks yet (b on a paragraph in the browser bookmarks it)",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.markdown:
        sys.stdout.write(bookmarks_markdown(state.bookmarks, config.permalinks()))
        return EXIT_OK
    for b in state.bookmarks:
        where = (
            f" ¶{b.paragraph}" if b.paragraph is not None else (f" #{b.anchor}" if b.anchor else "")
        )
        fields = (b.ref + where, b.subject, b.note, f"({b.added})")
        print("  ".join(clean_line(f) for f in fields if f))
    return EXIT_OK
