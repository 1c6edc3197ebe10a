"""Importing cables into the library: parse in a second process, write in batches here.

Parsing and writing (mostly the FTS5 index) each cost about as much as the other, so a child
process runs the parsers and hands over batches while this process writes them, one transaction
per batch: killed at any moment the library is consistent, and a second run finishes the job
(cables already there are recognised by reference id and left alone).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cables.library import Library, LibraryError
from cables.model import Cable
from cables.sanitize import clean_line

BATCH_CABLES = 2000
BATCH_BYTES = 12_000_000  # about two seconds of FTS5 work: bigger segments, fewer merges


@dataclass(slots=True)
class Skipped:
    """A record that was not imported: where it came from (file, row) and why."""

    where: str
    reason: str


@dataclass(slots=True)
class Progress:
    """Where an import stands: records so far, input bytes read of the total."""

    records: int
    done_bytes: int
    total_bytes: int
    seconds: float

    @property
    def mb_per_s(self) -> float:
        return self.done_bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the rate so far (None before any input is read)."""
        if self.done_bytes <= 0 or self.total_bytes <= 0:
            return None
        return max(0.0, self.seconds * (self.total_bytes - self.done_bytes) / self.done_bytes)


@dataclass(slots=True)
class ImportReport:
    """What an import did; `read` counts every record, imported or skipped."""

    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)  # text left out, its cable kept
    seconds: float = 0.0
    bytes: int = 0
    interrupted: bool = False
    failed: str | None = None  # why the library stopped taking writes (disk full, lock, damage)

    def summary(self) -> str:
        return (
            f"read {self.read}, imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
            + (f", warnings {len(self.warnings)}" if self.warnings else "")
        )


class ImportFailed(Exception):
    """The parsing process failed outright (not one bad record: those are skipped)."""


def input_files(paths: Sequence[Path]) -> dict[str, int]:
    """Every input file (folders walked) with its size as stored: progress counts the bytes of
    the files read (compressed ones for .gz; a gzip's size trailer is not to be trusted)."""
    from cables.parsing import walk

    sizes: dict[str, int] = {}
    for path in paths:
        files = [p for p in walk(path) if isinstance(p, Path)] if path.is_dir() else [path]
        for file in files:
            try:
                sizes[str(file)] = file.stat().st_size
            except OSError:
                sizes[str(file)] = 0
    return sizes


Batch = tuple[list[Cable], list[Skipped], list[Skipped], int]


def _batches(paths: Sequence[Path], sizes: dict[str, int], limit: int) -> Iterator[Batch]:
    """Parse everything, yielding (cables, skipped, warnings, input bytes done) in batches."""
    from cables.formats import ParseError
    from cables.parsing import ParseWarning, input_position, parse_paths

    cables: list[Cable] = []
    skipped: list[Skipped] = []
    warnings: list[Skipped] = []
    finished = 0  # bytes of files already read whole
    current: str | None = None
    in_current = 0  # bytes of the current file read (its text where the position is unknown)
    text = 0
    for item in parse_paths(list(paths)):
        if isinstance(item, ParseError):
            (warnings if isinstance(item, ParseWarning) else skipped).append(
                Skipped(item.where, item.reason)
            )
            where = item.where
            size = len(item.reason)
        else:
            cables.append(item)
            where = item.source.path if item.source else ""
            size = len(item.body) + len(item.header or "")
            text += size
        if where != current and where in sizes:
            finished += sizes.get(current or "", 0)
            current, in_current = where, 0
        position = input_position()
        in_current = position if position is not None else in_current + size
        if len(cables) >= limit or text >= BATCH_BYTES:
            yield (
                cables,
                skipped,
                warnings,
                finished + min(in_current, sizes.get(current or "", 0)),
            )
            cables, skipped, warnings, text = [], [], [], 0
    yield cables, skipped, warnings, sum(sizes.values())


def _produce(
    paths: Sequence[Path], sizes: dict[str, int], limit: int, out: Any, parent: int
) -> None:
    """The parsing process: batches into `out`, then None. It exits as soon as the importer is
    gone (killed with -9, say), rather than block forever on a queue nobody reads."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    # SIGTERM (the importer ending this process) and SIGHUP end it quietly: a handler the
    # importer installed, inherited through fork, would print a traceback on the way out.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    threading.Thread(target=watch, daemon=True).start()
    try:
        for batch in _batches(paths, sizes, limit):
            out.put(batch)
        out.put(None)
    except KeyboardInterrupt:
        return
    except Exception as exc:  # reported by the importer, which decides the exit status
        out.put(f"{type(exc).__name__}: {exc}")


def _parallel_batches(paths: Sequence[Path], sizes: dict[str, int], limit: int) -> Iterator[Batch]:
    context = (
        multiprocessing.get_context("fork")
        if "fork" in multiprocessing.get_all_start_methods()
        else multiprocessing.get_context("spawn")
    )
    channel = context.Queue(maxsize=3)
    child = context.Process(
        target=_produce, args=(paths, sizes, limit, channel, os.getpid()), daemon=True
    )
    child.start()
    try:
        while True:
            try:
                item = channel.get(timeout=1)
            except queue.Empty:
                if not child.is_alive():
                    raise ImportFailed("the parsing process ended unexpectedly") from None
                continue
            if item is None:
                return
            if isinstance(item, str):
                raise ImportFailed(item)
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)


def import_paths(
    library: Library,
    paths: Sequence[Path],
    *,
    progress: Callable[[Progress], None] | None = None,
    batch: int = BATCH_CABLES,
) -> ImportReport:
    """Import files and folders; Ctrl-C stops after rolling back the batch being written and
    returns the report so far (`interrupted`), every earlier batch kept. So does a library that
    stops taking writes (disk full, a lock held too long, damage): `failed` says why."""
    report = ImportReport()
    sizes = input_files(paths)
    total = sum(sizes.values())
    started = time.monotonic()
    try:
        for cables, skipped, warnings, done in _parallel_batches(paths, sizes, batch):
            result = library.add(cables)
            report.read += len(cables) + len(skipped)
            report.imported += len(result.imported)
            report.updated += len(result.updated)
            report.unchanged += result.unchanged
            report.skipped.extend(skipped)
            report.warnings.extend(warnings)
            report.bytes = done
            if progress:
                progress(Progress(report.read, done, total, time.monotonic() - started))
    except KeyboardInterrupt:
        report.interrupted = True
    except LibraryError as exc:
        report.failed = str(exc)
    if not report.interrupted and not report.failed and (report.imported or report.updated):
        try:
            library.refresh_index()
            library.checkpoint()
        except LibraryError as exc:  # every batch is in; only the cached sidebar index is not
            report.failed = str(exc)
        except KeyboardInterrupt:  # the same: stopped, with every batch kept and reported
            report.interrupted = True
    report.seconds = time.monotonic() - started
    return report


def write_log(log: Path, report: ImportReport, paths: Sequence[Path], library: Path) -> None:
    """Append the report, and every skipped record with its reason, to `import.log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # File names come from the input: a later `cat import.log` must not replay escape codes.
    lines = [
        clean_line(
            f"{stamp} import {' '.join(map(str, paths))} into {library}: {report.summary()}"
            f"{' (interrupted)' if report.interrupted else ''}"
        )
    ]
    lines += ["  skipped " + clean_line(f"{s.where}: {s.reason}") for s in report.skipped]
    lines += ["  warning " + clean_line(f"{s.where}: {s.reason}") for s in report.warnings]
    if report.failed:
        lines.append("  stopped: " + clean_line(report.failed))
    with log.open("a", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
