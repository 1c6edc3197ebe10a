"""`cables import PATH...`: bring cables (files, folders, cables.csv, .gz) into the library."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from cables import paths
from cables.commands._shared import open_library
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.importer import (
    BATCH_CABLES,
    ImportFailed,
    Progress,
    import_paths,
    write_log,
    yield_the_cpu,
)
from cables.sanitize import clean_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="cable files, folders (read recursively), cables.csv or .gz",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH_CABLES,
        metavar="N",
        help=f"cables per transaction (default {BATCH_CABLES}): a kill or "
        "Ctrl-C loses at most the batch being written",
    )
    parser.add_argument(
        "--priority",
        choices=("background", "normal"),
        default="background",
        help="background (default): the lowest priority (nice 19), so a browser open meanwhile "
        "stays smooth (on a busy machine the import takes longer); normal: the priority it was "
        "started with",
    )


class ProgressPrinter:
    """A bar redrawn in place on a terminal; a plain line every few seconds otherwise."""

    def __init__(self, stream: TextIO, every: float = 5.0) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every = 0.2 if self.tty else every
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        share = p.done_bytes / p.total_bytes if p.total_bytes else 0.0
        eta = "--:--" if p.eta is None else f"{int(p.eta) // 60}:{int(p.eta) % 60:02d}"
        figures = (
            f"{p.records:,} records  {p.done_bytes / 1e6:,.0f} MB  {p.mb_per_s:.1f} MB/s"
            f"  {share:4.0%}  ETA {eta}"
        )
        if self.tty:
            filled = int(share * 24)
            self.stream.write(f"\r[{'#' * filled}{'.' * (24 - filled)}] {figures} ")
        else:
            self.stream.write(f"import: {figures}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop the import the way Ctrl-C does (summary, log, batches kept)."""


@contextmanager
def _stopped_by_signals(stopped: list[int]) -> Iterator[None]:
    """While importing, SIGTERM and SIGHUP (a lost SSH session) act as Ctrl-C; `stopped` gets
    the signal's number. The parsing process, forked inside, ends quietly the same way."""

    def stop(signum: int, _frame: object) -> None:
        stopped.append(signum)
        raise _Stopped

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace) -> int:
    if args.batch < 1:
        print("cables import: --batch must be 1 or more", file=sys.stderr)
        return EXIT_FATAL
    if args.priority == "background":
        yield_the_cpu()  # (before any thread or parsing process: they inherit it)
    inputs = [Path(p) for p in args.paths]
    opened = open_library(args, "import", create=True)
    if opened is None:
        return EXIT_FATAL
    _, library = opened
    library_path = library.path
    printer = ProgressPrinter(sys.stderr)
    stopped: list[int] = []
    try:
        with library, _stopped_by_signals(stopped):
            report = import_paths(library, inputs, progress=printer, batch=args.batch)
    except ImportFailed as exc:
        printer.finish()
        _stderr(f"cables import: {exc}")
        return EXIT_FATAL
    printer.finish()
    log = paths.import_log()
    logged = True
    try:
        write_log(log, report, inputs, library_path)
    except OSError as exc:
        logged = False
        print(
            f"cables import: cannot write the log {log} ({exc.strerror or exc}); the skipped"
            " records are listed here only",
            file=sys.stderr,
        )
    for skipped in report.skipped:
        _stderr(f"cables import: skipped {skipped.where}: {skipped.reason}")
    for warning in report.warnings:
        _stderr(f"cables import: warning: {warning.where}: {warning.reason}")
    rate = report.read / report.seconds if report.seconds else 0.0
    print(
        f"{report.summary()} in {report.seconds:.1f} s ({rate:.0f} records/s,"
        f" {report.bytes / 1e6 / max(report.seconds, 1e-9):.1f} MB/s) into {library_path}"
    )
    if logged and (report.skipped or report.warnings):
        print(f"skipped records and warnings are listed in {log}")
    if report.failed:
        _stderr(f"cables import: {report.failed}; the cables counted above are kept")
        return EXIT_FATAL
    if report.interrupted:
        how = f"stopped by {signal.Signals(stopped[0]).name}" if stopped else "interrupted"
        print(
            f"cables import: {how}; every batch before the interruption is kept, run "
            "the same import again to finish",
            file=sys.stderr,
        )
        return 128 + (stopped[0] if stopped else signal.SIGINT)
    if len(report.skipped) == report.read:
        _stderr("cables import: nothing imported: no readable cable in " + " ".join(args.paths))
        return EXIT_FATAL
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def _stderr(line: str) -> None:
    """File names and reasons come from the input: printed as one clean line, as by `parse`."""
    print(clean_line(line), file=sys.stderr)
