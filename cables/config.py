"""User configuration: one TOML file, read with tomllib, validated whole before anything starts.

Found at `--config PATH`, else `$CABLES_CONFIG`, else `config.toml` in the platform config dir;
an absent file means the defaults. Every problem is one line naming the file, the key (and the
line where it can be found) and what was expected; `ConfigError` carries them all, and the CLI
turns it into exit status 2, so nothing ever runs on a half-read config.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from cables import paths
from cables.keymap import ACTIONS, BY_ID
from cables.keynames import normalise_keys
from cables.model import Level
from cables.permalinks import (
    DEFAULT_CABLE_TEMPLATE,
    DEFAULT_PARAGRAPH_TEMPLATE,
    PLACEHOLDERS,
    Permalinks,
    template_problem,
)
from cables.sanitize import clean

DEFAULT_LEVEL_COLORS: dict[str, str] = {
    "U": "#007a33",  # UNCLASSIFIED banner green
    "SBU": "#502b85",  # CUI purple
    "C": "#0033a0",  # CONFIDENTIAL blue
    "S": "#c8102e",  # SECRET red
    "TS": "#ff8c00",  # TOP SECRET orange
    "unmarked": "#6c6c6c",
}


class ClipboardMode(StrEnum):
    """Where a copy goes: the terminal (OSC 52), the local clipboard tool, both, or nowhere."""

    OSC52 = "osc52"
    LOCAL = "local"
    BOTH = "both"
    OFF = "off"


class SidebarColumn(StrEnum):
    """A column the sidebar's list can show, in the order the user lists them."""

    LEVEL = "level"
    REF = "ref"
    CREATED = "created"
    ORIGIN = "origin"
    SUBJECT = "subject"
    TAGS = "tags"


CLIPBOARD_MODES = tuple(ClipboardMode)
SIDEBAR_COLUMNS = tuple(SidebarColumn)
# Textual's built-in themes (textual.theme.BUILTIN_THEMES; a test keeps this list in step).
THEMES = (
    "ansi-dark",
    "ansi-light",
    "atom-one-dark",
    "atom-one-light",
    "catppuccin-frappe",
    "catppuccin-latte",
    "catppuccin-macchiato",
    "catppuccin-mocha",
    "dracula",
    "flexoki",
    "gruvbox",
    "monokai",
    "nord",
    "rose-pine",
    "rose-pine-dawn",
    "rose-pine-moon",
    "solarized-dark",
    "solarized-light",
    "textual-dark",
    "textual-light",
    "tokyo-night",
)
ENV_VAR = "CABLES_CONFIG"


@dataclass(slots=True)
class Config:
    library: str | None = None
    cable_permalink: str = DEFAULT_CABLE_TEMPLATE
    paragraph_permalink: str = DEFAULT_PARAGRAPH_TEMPLATE
    clipboard: ClipboardMode = ClipboardMode.BOTH
    theme: str = "textual-dark"
    level_colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LEVEL_COLORS))
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> comma-separated keys
    sidebar_columns: list[SidebarColumn] = field(
        default_factory=lambda: [
            SidebarColumn.LEVEL,
            SidebarColumn.REF,
            SidebarColumn.CREATED,
            SidebarColumn.SUBJECT,
        ]
    )
    sidebar_limit: int = 500  # how many matches the sidebar ranks

    def permalinks(self) -> Permalinks:
        """Links built from the configured templates."""
        return Permalinks(self.cable_permalink, self.paragraph_permalink)


class ConfigError(Exception):
    """The config cannot be used; each of `problems` is one line for the user."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def config_path(cli_value: str | None = None) -> Path:
    """`--config`, else $CABLES_CONFIG, else the platform config dir."""
    for value in (cli_value, os.environ.get(ENV_VAR)):
        if value:
            return Path(value).expanduser()
    return paths.default_config()


def from_args(args: argparse.Namespace) -> Config:
    """The config a command runs with (its `--config`, the environment or the default)."""
    return load(config_path(getattr(args, "config", None)))


def resolve_library(args: argparse.Namespace, config: Config | None = None) -> Path:
    """`--library`, else $CABLES_LIBRARY, else the config's `library`, else the data dir."""
    if config is None:
        config = from_args(args)
    return paths.library_path(getattr(args, "library", None), config.library)


def read_document(path: Path) -> tuple[dict[str, Any], str]:
    """The file's TOML table and its text ({} and "" when absent); ConfigError when unreadable.

    Anything but a regular file is refused before it is opened: reading a FIFO would block.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = stat.S_IFREG  # absent or unreachable: reading it below says which
    if not stat.S_ISREG(mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a FIFO"
            if stat.S_ISFIFO(mode)
            else "a socket or device"
        )
        raise ConfigError(
            [f"{path}: the config is not a regular file ({kind}); move it aside or use --config"]
        )
    try:
        text = path.read_text(encoding="utf-8-sig")  # editors on Windows write a BOM
    except FileNotFoundError:
        return {}, ""
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(
            [f"{path}: cannot read the config ({why}); fix it, or name another with --config"]
        ) from exc
    import tomllib  # (only where there is a file: the browser's start without one skips it)

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from exc


def load(path: Path) -> Config:
    """Read and validate the config at `path` (absent: the defaults)."""
    document, text = read_document(path)
    return validate(document, path, text)


# --- validation ---------------------------------------------------------------------------

_COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class _Checker:
    """Collects one line per problem, each naming file, key, line and what was expected."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self._lines: dict[str, int] | None = None
        self.problems: list[str] = []

    def fail(self, key: str, value: Any, expected: str) -> None:
        if self._lines is None:  # read once, however many problems: 8,000 stay linear
            self._lines = key_lines(self.text.splitlines())
        where = f"{self.path}:{line}" if (line := self._lines.get(key)) else str(self.path)
        shown = "" if value is _MISSING else f" = {_show(value)}"
        self.problems.append(f"{where}: {key}{shown}: expected {expected}")


def key_lines(lines: list[str]) -> dict[str, int]:
    """Best effort: the line (from 1) that first sets each dotted key, or opens each `[table]`."""
    found: dict[str, int] = {}
    current = ""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if header := _HEADER_RE.fullmatch(line):
            current = header.group(1)
            found.setdefault(current, number)
        elif assignment := _KEY_RE.match(line):
            key = assignment.group(1)
            found.setdefault(f"{current}.{key}" if current else key, number)
    return found


def line_of(lines: list[str], dotted: str) -> int | None:
    """The line (from 1) that sets `dotted`: a `key =` line or a `[table]` header."""
    return key_lines(lines).get(dotted)


_HEADER_RE = re.compile(r'\[\s*"?([\w.-]+)"?\s*\](?:\s*#.*)?')
_KEY_RE = re.compile(r'"?([\w.-]+)"?\s*=')
_MISSING = object()


def _show(value: Any) -> str:
    """A value as TOML would write it, control characters escaped, long ones cut."""
    if isinstance(value, str):
        shown = clean(json.dumps(value, ensure_ascii=False))
        return shown if len(shown) <= 80 else shown[:77] + '..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return clean(str(value))


def validate(document: dict[str, Any], path: Path, text: str = "") -> Config:
    """A Config from a parsed TOML table, or ConfigError listing every problem found."""
    check = _Checker(path, text)
    config = Config()
    for key, value in document.items():
        handler = _TOP.get(key)
        if handler is None:
            check.fail(key, _MISSING, f"one of the keys {', '.join(_TOP)} (unknown key)")
        else:
            handler(check, config, value, path)
    if not check.problems:
        _check_clashes(check, config)
    if check.problems:
        raise ConfigError(check.problems)
    return config


def _str(check: _Checker, key: str, value: Any, expected: str = "a string") -> str | None:
    if isinstance(value, str):
        return value
    check.fail(key, value, expected)
    return None


def _table(check: _Checker, key: str, value: Any) -> Iterator[tuple[str, Any]]:
    if not isinstance(value, dict):
        check.fail(key, value, f"a table [{key}]")
        return
    yield from value.items()


def _library(check: _Checker, config: Config, value: Any, path: Path) -> None:
    text = _str(check, "library", value, "a file path as a string")
    if text is None:
        return
    if not text.strip():
        check.fail("library", value, "a file path (not empty)")
        return
    library = Path(text).expanduser()
    # A relative path means beside the config file, not wherever the user happens to be.
    config.library = str(library if library.is_absolute() else path.parent / library)


def _clipboard(check: _Checker, config: Config, value: Any, _path: Path) -> None:
    if value in CLIPBOARD_MODES:
        config.clipboard = ClipboardMode(value)
    else:
        check.fail("clipboard", value, "one of " + ", ".join(f'"{m}"' for m in CLIPBOARD_MODES))


def _theme(check: _Checker, config: Config, value: Any, _path: Path) -> None:
    if value in THEMES:
        config.theme = value
    else:
        check.fail("theme", value, "a Textual theme: " + ", ".join(THEMES))


def _permalinks(check: _Checker, config: Config, value: Any, _path: Path) -> None:
    allowed = {"cable": PLACEHOLDERS - {"anchor"}, "paragraph": PLACEHOLDERS}
    for name, template in _table(check, "permalinks", value):
        key = f"permalinks.{name}"
        if name not in allowed:
            check.fail(key, _MISSING, "cable or paragraph (unknown key)")
            continue
        if (text := _str(check, key, template, "a URL template string")) is None:
            continue
        if problem := template_problem(text, frozenset(allowed[name])):
            check.fail(key, text, problem)
        elif name == "cable":
            config.cable_permalink = text
        else:
            config.paragraph_permalink = text


def _colors(check: _Checker, config: Config, value: Any, _path: Path) -> None:
    levels = [level.value for level in Level]
    for name, color in _table(check, "colors", value):
        key = f"colors.{name}"
        if name not in levels:
            check.fail(key, _MISSING, "a level: " + ", ".join(levels) + " (unknown key)")
        elif not isinstance(color, str) or not _COLOR_RE.fullmatch(color):
            check.fail(key, color, 'a colour as "#rrggbb" or "#rgb"')
        else:
            # Rich reads only #rrggbb, so #rgb is widened here once.
            hexdigits = color[1:].lower()
            config.level_colors[name] = "#" + (
                "".join(c * 2 for c in hexdigits) if len(hexdigits) == 3 else hexdigits
            )


def _keymap(check: _Checker, config: Config, value: Any, _path: Path) -> None:
    for binding_id, keys in _table(check, "keymap", value):
        key = f"keymap.{binding_id}"
        if binding_id not in BY_ID:
            check.fail(
                key, _MISSING, "a binding id (unknown binding; `cables config show` lists them all)"
            )
            continue
        if (text := _str(check, key, keys, 'keys as a string, e.g. "j,down"')) is None:
            continue
        try:
            config.keymap[binding_id] = normalise_keys(text)
        except ValueError as exc:
            check.fail(key, keys, f'Textual key names, comma-separated, e.g. "j,down": {exc}')


def _sidebar(check: _Checker, config: Config, value: Any, _path: Path) -> None:
    for name, item in _table(check, "sidebar", value):
        key = f"sidebar.{name}"
        if name == "columns":
            good = (
                isinstance(item, list)
                and item
                and len(set(map(str, item))) == len(item)
                and all(c in SIDEBAR_COLUMNS for c in item)
            )
            if good:
                config.sidebar_columns = [SidebarColumn(c) for c in item]
            else:
                check.fail(
                    key,
                    item,
                    "a list of distinct column names from "
                    + ", ".join(f'"{c}"' for c in SIDEBAR_COLUMNS),
                )
        elif name == "limit":
            if isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 100_000:
                config.sidebar_limit = item
            else:
                check.fail(key, item, "a whole number from 1 to 100000")
        else:
            check.fail(key, _MISSING, "columns or limit (unknown key)")


_TOP: dict[str, Callable[[_Checker, Config, Any, Path], None]] = {
    "library": _library,
    "clipboard": _clipboard,
    "theme": _theme,
    "permalinks": _permalinks,
    "colors": _colors,
    "keymap": _keymap,
    "sidebar": _sidebar,
}


def effective_keys(config: Config) -> dict[str, str]:
    """Every binding id with the keys it answers to once the config's keymap is applied."""
    return {a.id: config.keymap.get(a.id, a.keys) for a in ACTIONS}


def remapped_keys(config: Config) -> dict[str, str]:
    """The keymap's entries that differ from the defaults: Textual applies a keymap to the
    bindings on every key press, so a config listing every default (as `cables config init`
    writes it) would cost each key for nothing."""
    return {i: keys for i, keys in config.keymap.items() if keys != normalise_keys(BY_ID[i].keys)}


def _check_clashes(check: _Checker, config: Config) -> None:
    """Two actions on one key where both are live would make one of them unreachable."""
    seen: dict[tuple[str, str], str] = {}
    keys = effective_keys(config)
    for action in ACTIONS:
        # App-wide keys are live in every scope; the others only in their own.
        scopes = ("cable", "sidebar") if action.scope == "app" else (action.scope,)
        for key in keys[action.id].split(","):
            for scope in scopes:
                other = seen.setdefault((scope, key), action.id)
                if other != action.id:
                    mine, theirs = (
                        (action.id, other) if action.id in config.keymap else (other, action.id)
                    )
                    check.fail(
                        f"keymap.{mine}",
                        keys[mine],
                        f"a key no other action uses ({key} is also {theirs})",
                    )
                    return


def to_document(config: Config) -> dict[str, Any]:
    """The config as the TOML table a file would hold (`library` only when set)."""
    document: dict[str, Any] = {} if config.library is None else {"library": config.library}
    document |= {
        "clipboard": config.clipboard.value,
        "theme": config.theme,
        "permalinks": {"cable": config.cable_permalink, "paragraph": config.paragraph_permalink},
        "colors": dict(config.level_colors),
        "sidebar": {
            "columns": [c.value for c in config.sidebar_columns],
            "limit": config.sidebar_limit,
        },
        "keymap": effective_keys(config),
    }
    return document
