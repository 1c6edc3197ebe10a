"""`cables import PATH...`: bring cables (files, folders, cables.csv, .gz) into the library."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from cables import paths
from cables.commands._shared import open_library
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.importer import BATCH_CABLES, ImportFailed, Progress, import_paths, write_log


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


def run(args: argparse.Namespace) -> int:
    if args.batch < 1:
        print("cables import: --batch must be 1 or more", file=sys.stderr)
        return EXIT_FATAL
    inputs = [Path(p) for p in args.paths]
    opened = open_library(args, "import", create=True)
    if opened is None:
        return EXIT_FATAL
    _, library = opened
    library_path = library.path
    printer = ProgressPrinter(sys.stderr)
    try:
        with library:
            report = import_paths(library, inputs, progress=printer, batch=args.batch)
    except ImportFailed as exc:
        printer.finish()
        print(f"cables import: {exc}", file=sys.stderr)
        return EXIT_FATAL
    printer.finish()
    log = paths.import_log()
    write_log(log, report, inputs, library_path)
    for skipped in report.skipped:
        print(f"cables import: skipped {skipped.where}: {skipped.reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"cables import: warning: {warning.where}: {warning.reason}", file=sys.stderr)
    rate = report.read / report.seconds if report.seconds else 0.0
    print(
        f"{report.summary()} in {report.seconds:.1f} s ({rate:.0f} records/s,"
        f" {report.bytes / 1e6 / max(report.seconds, 1e-9):.1f} MB/s) into {library_path}"
    )
    if report.skipped or report.warnings:
        print(f"skipped records and warnings are listed in {log}")
    if report.interrupted:
        print(
            "cables import: interrupted; every batch before the interruption is kept, run "
            "the same import again to finish",
            file=sys.stderr,
        )
        return 130
    if len(report.skipped) == report.read:
        print(
            "cables import: nothing imported: no readable cable in " + " ".join(args.paths),
            file=sys.stderr,
        )
        return EXIT_FATAL
    return EXIT_SKIPPED if report.skipped else EXIT_OK
