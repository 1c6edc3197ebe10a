"""What the SSH and web servers share: the data they keep, the log, and how a browser starts."""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import tomli_w

from cables.atomic import write_atomic
from cables.config import Config, remapped_keys, to_document
from cables.paths import STATE_ENV

READER_NAME = re.compile(r"[A-Za-z0-9._-]{1,32}")
# Passed through from the server's own environment so the children find the same dirs.
_INHERITED = ("PATH", "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "TMPDIR")


def valid_reader_name(name: str | None) -> bool:
    """A name fit to be a directory under readers/ (never `.` or `..`)."""
    return name is not None and READER_NAME.fullmatch(name) is not None and name.strip(".") != ""


def state_path(data_dir: Path, reader: str) -> Path:
    """Each reader's bookmarks and history, apart from every other reader's."""
    return data_dir / "readers" / reader / "state.toml"


def write_child_config(data_dir: Path, config: Config, library: Path, name: str) -> Path:
    """The server's config as the children read it: copying by OSC 52 only, this library."""
    document = to_document(config)
    document["clipboard"] = "osc52"  # a clipboard tool would fill the server's clipboard
    # Only the keys the operator changed: a keymap is applied to the bindings on every key
    # press (Textual), which the defaults need not be, in every session.
    document["keymap"] = remapped_keys(config)
    document["library"] = str(library)
    path = data_dir / f"{name}-config.toml"
    write_atomic(path, tomli_w.dumps(document).encode("utf-8"))
    return path


def browser_environment(config_file: Path, state_file: Path, **extra: str) -> dict[str, str]:
    """A clean environment for one reader's browser: nothing of the server's but its dirs."""
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env |= {
        "CABLES_CONFIG": str(config_file),
        STATE_ENV: str(state_file),
        "PYTHONUTF8": "1",  # UTF-8 out whatever locale the client names
    }
    return env | extra


def server_log(data_dir: Path, name: str) -> logging.Logger:
    """One line per event on standard error and in serve.log in the data dir."""
    logger = logging.getLogger(f"cables.serve.{name}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = _UtcFormatter("%(asctime)s %(message)s")
    data_dir.mkdir(parents=True, exist_ok=True)
    for handler in (
        logging.StreamHandler(sys.stderr),
        logging.FileHandler(data_dir / "serve.log", encoding="utf-8"),
    ):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger


class _UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
