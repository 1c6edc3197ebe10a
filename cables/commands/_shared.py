"""What the commands that read the library share: opening it, reading REF, building links.

(Not a command itself: `cables.cli` only imports the modules its COMMANDS table names.)
"""

from __future__ import annotations

import argparse
import sys

from cables import config
from cables.library import Library, LibraryError
from cables.permalinks import Permalinks, parse_ref


def fail(command: str, message: str) -> None:
    print(f"cables {command}: {message}", file=sys.stderr)


def open_library(args: argparse.Namespace, command: str) -> Library | None:
    """The library the options name, or None after saying why it cannot be opened."""
    try:
        return Library.open(config.resolve_library(args))
    except LibraryError as exc:
        fail(command, str(exc))
        return None


def read_ref(text: str, command: str) -> tuple[str, str | None] | None:
    """A reference id and optional anchor from anything pasted, or None after saying why."""
    try:
        return parse_ref(text)
    except ValueError as exc:
        fail(command, str(exc))
        return None


def permalinks(args: argparse.Namespace) -> Permalinks:
    """Links from the configured templates."""
    return config.from_args(args).permalinks()
