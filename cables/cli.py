"""The `cables` command line: global options anywhere, one lazily imported module per command.

Exit statuses and the config-error report are in `cables.exits`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from cables import __version__

# The commands that run the browser: no garbage collection until its first frame (see `main`).
BROWSER = frozenset({"open", "demo"})
# name -> (module under cables.commands, one-line help). `open` is also what a bare `cables` runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "open": ("open", "open the browser (optionally on REF[#parN])"),
    "demo": ("demo", "open the browser on the demo library (built on first use)"),
    "parse": ("parse", "parse cable files and print them (JSON Lines with --json)"),
    "import": ("import_", "import cables into the library"),
    "synth": ("synth", "write a synthetic corpus in the cables.csv format"),
    "show": ("show", "print one cable from the library"),
    "link": ("link", "print the permalink of a cable or paragraph"),
    "stats": ("stats", "counts by level, origin and year"),
    "search": ("search", "full-text search of the library"),
    "find": ("find", "find cables as the sidebar does (ids, subjects; fuzzy), for scripts"),
    "config": ("config", "read and write the configuration file"),
    "bookmarks": ("bookmarks", "list bookmarks, or export them as Markdown (--markdown)"),
    "serve": ("serve", "serve the browser to many readers over SSH or the web"),
}


# The options every command takes, before it or after it; each is followed by its value.
GLOBAL_OPTIONS = {
    "--library": "library file (default: $CABLES_LIBRARY, config, data dir)",
    "--config": "config file (default: $CABLES_CONFIG, then the config dir)",
}


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # SUPPRESS on the subparsers so a value given before the command is not reset after it.
    default = None if top else argparse.SUPPRESS
    for option, help_text in GLOBAL_OPTIONS.items():
        parser.add_argument(option, metavar="PATH", default=default, help=help_text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        from cables.exits import EXIT_FATAL

        self.exit(EXIT_FATAL, f"cables: {message}\n")


def build_parser(command: str | None = None, *, every: bool = True) -> argparse.ArgumentParser:
    """The parser, with `command`'s arguments (its module is imported for them); every
    command's name and help too, unless `every` is False (running one command needs its own
    parser alone: the other twelve took 2-3 ms of the browser's start)."""
    parser = _Parser(prog="cables", description="A terminal browser for US diplomatic cables.")
    parser.add_argument("--version", action="version", version=f"cables {__version__}")
    _add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        if not every and name != command:
            continue
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_global_options(p, top=False)
        if name == command:
            importlib.import_module(f"cables.commands.{module}").add_arguments(p)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command `argv` names: its first word that is no global option nor its value."""
    i = _first_positional(argv)
    return argv[i] if i < len(argv) and argv[i] in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status.

    The browser's start makes some hundred thousand objects (its imports, its widgets, the
    first frame) and no garbage worth a collection: the collector is off from here until the
    browser's first frame is out (`tui.app` turns it back on), 5-8% of the start's CPU time.
    Every other command has it back as soon as the command is known.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(argv, collecting)
    finally:
        if collecting:
            gc.enable()


def _run(argv: Sequence[str] | None, collecting: bool) -> int:
    from cables.config import ConfigError
    from cables.exits import EXIT_FATAL, EXIT_INTERRUPTED, EXIT_OK, config_failed
    from cables.library import LibraryError

    args_list = list(sys.argv[1:] if argv is None else argv)
    helping = any(a in ("-h", "--help") for a in args_list)
    command = _command_in(args_list)
    if command is None and not helping:
        args_list.insert(_first_positional(args_list), "open")
        command = "open"
    args = build_parser(command, every=helping).parse_args(args_list)
    if collecting and args.command not in BROWSER:
        gc.enable()
    module = importlib.import_module(f"cables.commands.{COMMANDS[args.command][0]}")
    try:
        return int(module.run(args))
    except ConfigError as exc:  # any command: never run on a half-read config
        return config_failed(exc)
    except LibraryError as exc:  # any command: the library failed part way (one line, no trace)
        print(f"cables: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except KeyboardInterrupt:
        print("cables: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def _first_positional(argv: Sequence[str]) -> int:
    """Where the first word after the global options is: the command, or where a bare
    `cables [--library X] [REF]` gets its implied `open` inserted."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in GLOBAL_OPTIONS else 1
    return min(i, len(argv))


if __name__ == "__main__":
    sys.exit(main())
