"""What the commands that read the library share: the config, the library, REF, permalinks.

(Not a command itself: `cables.cli` only imports the modules its COMMANDS table names.)
"""

from __future__ import annotations

import argparse
import sys

from cables.config import Config, from_args, resolve_library
from cables.library import Library, LibraryError
from cables.permalinks import parse_ref


def fail(command: str, message: str) -> None:
    print(f"cables {command}: {message}", file=sys.stderr)


def open_library(
    args: argparse.Namespace, command: str, *, create: bool = False
) -> tuple[Config, Library] | None:
    """The config and the library it and the options name, or None after saying what is wrong."""
    config = from_args(args)  # a bad config rises to `cables.cli` (cables.exits)
    try:
        return config, Library.open(resolve_library(args, config), create=create)
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
