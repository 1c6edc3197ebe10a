"""Exit statuses of every `cables` command, and how a command that cannot run ends: one place.

0 all done, 1 some inputs skipped (each named on stderr), 2 fatal, 130 interrupted.
Commands return these and let `ConfigError` rise: `cables.cli` reports it here, for all of them.
"""

from __future__ import annotations

import sys

from cables.config import ConfigError

EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_FATAL = 2
EXIT_INTERRUPTED = 130


def config_failed(exc: ConfigError) -> int:
    """Name every problem of a config that cannot be used (one line each); EXIT_FATAL.

    No command runs on a half-read config, so every command lets `ConfigError` rise to here.
    """
    for problem in exc.problems:
        print(f"cables: {problem}", file=sys.stderr)
    return EXIT_FATAL
