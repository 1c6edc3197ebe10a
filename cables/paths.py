"""Where the user's files live (platformdirs, appname `cables`)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "cables"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """Files the app can rebuild (the prepared search engine)."""
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def default_library() -> Path:
    return data_dir() / "library.sqlite3"


def demo_library() -> Path:
    """The demo library `make run` opens when the user has none: never the user's own file."""
    return data_dir() / "demo.sqlite3"


def import_log() -> Path:
    return data_dir() / "import.log"


STATE_ENV = "CABLES_STATE"


def state_file() -> Path:
    """$CABLES_STATE (set by `cables serve` for each reader), else `state.toml` in the data dir."""
    value = os.environ.get(STATE_ENV)
    return Path(value).expanduser() if value else data_dir() / "state.toml"


def default_config() -> Path:
    return config_dir() / "config.toml"


def library_path(cli_value: str | None, config_value: str | None = None) -> Path:
    """`--library`, else $CABLES_LIBRARY, else the config's `library`, else the data dir."""
    for value in (cli_value, os.environ.get("CABLES_LIBRARY"), config_value):
        if value:
            return Path(value).expanduser()
    return default_library()
