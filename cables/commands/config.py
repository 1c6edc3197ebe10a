"""`cables config init|path|show|set`: write, locate, explain and change the config file."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from cables import config as cfg
from cables.atomic import write_atomic
from cables.exits import EXIT_FATAL, EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    init = sub.add_parser("init", help="write the defaults to the config path")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    sub.add_parser("path", help="print where the config is read from")
    sub.add_parser("show", help="print the effective config and where each value came from")
    set_ = sub.add_parser("set", help="change one key (validated first, written atomically)")
    set_.add_argument("key", metavar="KEY", help="dotted key, e.g. sidebar.limit or colors.S")
    set_.add_argument(
        "value",
        metavar="VALUE",
        help='a TOML value: "osc52" (quoted string), 200, ["ref", "subject"]',
    )
    for p in (init, sub.choices["path"], sub.choices["show"], set_):
        # The global options, also accepted after the action (as after any command).
        p.add_argument(
            "--config",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="config file (default: $CABLES_CONFIG, then the config dir)",
        )
        p.add_argument(
            "--library",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="library file (default: $CABLES_LIBRARY, config, data dir)",
        )


def run(args: argparse.Namespace) -> int:
    path = cfg.config_path(getattr(args, "config", None))
    if args.action == "path":
        print(path)
        if not path.exists():
            print(f"cables: {path} does not exist: the defaults are in use", file=sys.stderr)
        return EXIT_OK
    if args.action == "init":
        return _init(path, force=args.force)
    if args.action == "show":
        return _show(args, path)
    return _set(path, args.key, args.value)


def _init(path: Path, *, force: bool) -> int:
    if path.exists() and not force:
        print(f"cables: {path} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_FATAL
    write_atomic(path, tomli_w.dumps(cfg.to_document(cfg.Config())).encode())
    print(f"wrote the defaults to {path}")
    return EXIT_OK


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _show(args: argparse.Namespace, path: Path) -> int:
    document, text = cfg.read_document(path)
    config = cfg.validate(document, path, text)
    state = "" if path.exists() else " (absent: defaults)"
    print(f"# config file: {path}{state}")

    def line(key: str, value: Any, source: str) -> None:
        print(f"{key} = {_value(value)}".ljust(60) + f"  # {source}")

    def source(table: str | None, key: str) -> str:
        held = document.get(table, {}) if table else document
        return "file" if isinstance(held, dict) and key in held else "default"

    library_source = (
        "--library"
        if getattr(args, "library", None)
        else "$CABLES_LIBRARY"
        if os.environ.get("CABLES_LIBRARY")
        else source(None, "library")
        if config.library
        else "default (data dir)"
    )
    line("library", str(cfg.resolve_library(args, config)), library_source)
    for key, value in cfg.to_document(config).items():
        if key == "library":
            continue
        if isinstance(value, dict):
            print(f"\n[{key}]")
            for name, item in value.items():
                line(name, item, source(key, name))
        else:
            line(key, value, source(None, key))
    return EXIT_OK


def _parse_value(raw: str) -> Any:
    """One TOML value; a bare word that is no TOML value (`osc52`, `nord`) is that string."""
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        parsed = {"v": raw} if re.fullmatch(r"[A-Za-z][\w.+-]*", raw) else {}
    if list(parsed) != ["v"]:
        hint = f" (strings are quoted: '\"{raw}\"')" if raw.isidentifier() else ""
        raise cfg.ConfigError([f"{raw!r} is not one TOML value{hint}"])
    return parsed["v"]


def _set(path: Path, key: str, raw: str) -> int:
    document, text = cfg.read_document(path)
    value = _parse_value(raw)
    *tables, name = key.split(".")
    held = document
    for i, table in enumerate(tables):
        held = held.setdefault(table, {})
        if not isinstance(held, dict):
            raise cfg.ConfigError(
                [f"{path}: {'.'.join(tables[: i + 1])} is not a table, so {key} cannot be set"]
            )
    held[name] = value
    cfg.validate(document, path, text)  # a refused change raises before the file is touched
    write_atomic(path, _edited(text, key, value, document).encode())
    print(f"{key} = {_value(value)}  ({path})")
    return EXIT_OK


def _edited(text: str, key: str, value: Any, document: dict[str, Any]) -> str:
    """The file with only KEY's line changed or added, so the user's comments and layout stay.

    Used only where re-reading the result gives exactly `document`; otherwise (a value over
    several lines, an inline table ...) the whole document is written afresh with tomli-w.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    table, _, name = key.rpartition(".")
    assignment = f"{name} = {_value(value)}"
    if number := cfg.line_of(lines, key):
        old = lines[number - 1]
        indent = old[: len(old) - len(old.lstrip())]
        left = old.lstrip().split("=", 1)[0].rstrip()
        lines[number - 1] = f"{indent}{left} = {_value(value)}{_comment(old)}\n"
    elif not table:
        lines.insert(0, assignment + "\n")
    elif header := cfg.line_of(lines, table):
        lines.insert(header, assignment + "\n")
    else:
        lines += [*(["\n"] if lines else []), f"[{table}]\n", assignment + "\n"]
    candidate = "".join(lines)
    try:
        if tomllib.loads(candidate) == document:
            return candidate
    except tomllib.TOMLDecodeError:
        pass
    return tomli_w.dumps(document)


def _comment(line: str) -> str:
    """The trailing `# comment` of a `key = value` line (a # inside a string is no comment)."""
    for i, char in enumerate(line):
        if char == "#":
            try:
                tomllib.loads(line[:i])
            except tomllib.TOMLDecodeError:
                continue
            return "  " + line[i:].rstrip("\n").strip()
    return ""
