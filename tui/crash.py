"""What the browser leaves behind when an internal error stops it: one line, and a log.

Textual prints a full traceback with its local variables on the terminal; those can hold cable
text (escape codes included) and say nothing a user can act on. Instead the traceback is
appended to `crash.log` in the data dir and the user gets one line naming the error and the log,
and a non-zero exit status.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime

from textual.worker import WorkerFailed

from cables import paths
from cables.sanitize import clean, clean_line


def record(error: BaseException) -> str:
    """Append the traceback to the crash log; the one line to show the user."""
    if isinstance(error, WorkerFailed):  # name what failed in the worker, not the wrapper
        error = error.error
    log = paths.data_dir() / "crash.log"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = clean("".join(traceback.format_exception(error)))
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as stream:
            stream.write(f"{stamp} the browser stopped on an internal error\n{text}\n")
        where = f"; the details are in {log}"
    except OSError as exc:
        where = f" (the details could not be written to {log}: {exc.strerror or exc})"
    reason = clean_line(f"{type(error).__name__}: {error}")
    if len(reason) > 200:
        reason = reason[:199] + "…"
    return f"the browser stopped on an internal error ({reason}){where}"
