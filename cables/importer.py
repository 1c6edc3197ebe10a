"""Importing cables into the library: parse in other processes, write in batches here.

Parsing costs a little more CPU than writing does (mostly the FTS5 index), so parsing processes
(one per core, `parsers()`) share the records out, parse them and encode each cable for
storage, while this process merges their work back into input order and writes it, one
transaction per batch: killed at any moment the library is consistent, and a second run
finishes the job (cables already there are recognised by reference id and left alone).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from cables.library import Library, LibraryError, Prepared, prepare
from cables.sanitize import clean_line

BATCH_CABLES = 2000
BATCH_BYTES = 12_000_000  # about two seconds of FTS5 work: bigger segments, fewer merges
BLOCK_UNITS = 256  # records (or pages) a parsing process hands over at a time
# Blocks a parsing process may have waiting: more than a batch's worth, so that the parsing goes
# on while the writer commits a batch (with 4 they stopped half way through each commit).
QUEUE_BLOCKS = 16


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


Batch = tuple[list[Prepared], list[Skipped], list[Skipped], int]
# A parsing process's share of BLOCK_UNITS units: (unit number, kind, what it gave) in order,
# and the input bytes read by the end of the block.
Block = tuple[list[tuple[int, str, Prepared | Skipped]], int]


def yield_the_cpu() -> None:
    """Take the CPU time other programs leave: this process, and the parsing processes it
    starts, at the lowest priority (nice 19), where a process that wants a core (the UI of a
    browser open meanwhile) gets it first. An import keeps every core busy, and on two cores
    the browser's frames waited 20-60 ms for one. Alone on a machine it imports as fast (the
    idle scheduling class did not: its processes do not preempt one another on waking, and
    the import took 10% longer)."""
    with suppress(OSError):  # (else as it is)
        os.nice(19 - os.nice(0))


def parsers() -> int:
    """How many parsing processes: one per core, up to three (the writer needs a little less
    CPU than the parsing, so two cores are kept busy by two, and four by three)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(3, cores))


def _share(paths: Sequence[Path], sizes: dict[str, int], first: int, every: int) -> Iterator[Block]:
    """What parsing process `first` of `every` does: every `every`th unit of work from `first`
    (see `parsing.Unit`: each process reads the whole input, and parses only its units), its
    cables encoded for storage, in blocks of BLOCK_UNITS units, the same blocks in every
    process, so the writer can merge the blocks back into input order."""
    from cables.formats import ParseError
    from cables.parsing import ParseWarning, input_position, parse_units

    before, at = {}, 0  # input bytes in the files before each file
    for name, size in sizes.items():
        before[name], at = at, at + size
    items: list[tuple[int, str, Prepared | Skipped]] = []
    done = 0
    for n, unit in enumerate(parse_units(list(paths))):
        if n % every == first:
            for item in (unit,) if isinstance(unit, ParseError) else unit():
                if isinstance(item, ParseError):
                    kind = "warning" if isinstance(item, ParseWarning) else "skipped"
                    items.append((n, kind, Skipped(item.where, item.reason)))
                else:
                    items.append((n, "cable", prepare(item)))
        if n % BLOCK_UNITS == BLOCK_UNITS - 1:
            position = input_position()
            if position is not None and position[0] in sizes:
                name, read = position
                done = max(done, before[name] + min(read, sizes[name]))
            yield items, done
            items = []
    yield items, sum(sizes.values())


def _produce(
    paths: Sequence[Path], sizes: dict[str, int], first: int, every: int, out: Any, parent: int
) -> None:
    """A parsing process: blocks into `out`, then None. It exits as soon as the importer is
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
        for block in _share(paths, sizes, first, every):
            out.put(block)
        out.put(None)
    except KeyboardInterrupt:
        return
    except Exception as exc:  # reported by the importer, which decides the exit status
        out.put(f"{type(exc).__name__}: {exc}")


def _parallel_batches(paths: Sequence[Path], sizes: dict[str, int], limit: int) -> Iterator[Batch]:
    """Batches of `limit` cables (or BATCH_BYTES of text) in input order, parsed by `parsers()`
    processes while this one writes."""
    context = (
        multiprocessing.get_context("fork")
        if "fork" in multiprocessing.get_all_start_methods()
        else multiprocessing.get_context("spawn")
    )
    every = parsers()
    channels = [context.Queue(maxsize=QUEUE_BLOCKS) for _ in range(every)]
    children = [
        context.Process(
            target=_produce,
            args=(paths, sizes, first, every, channels[first], os.getpid()),
            daemon=True,
        )
        for first in range(every)
    ]
    for child in children:
        child.start()
    try:
        cables: list[Prepared] = []
        skipped: list[Skipped] = []
        warnings: list[Skipped] = []
        text = 0
        while True:
            blocks = [
                _receive(channel, child) for channel, child in zip(channels, children, strict=True)
            ]
            if None in blocks:
                if any(blocks):
                    raise ImportFailed("the input changed while it was read")
                break
            done = max(block[1] for block in blocks if block is not None)
            parts = [block[0] for block in blocks if block is not None]
            for _n, kind, item in heapq.merge(*parts, key=itemgetter(0)):
                if isinstance(item, Skipped):
                    (warnings if kind == "warning" else skipped).append(item)
                    continue
                cables.append(item)
                text += item.size
                if len(cables) >= limit or text >= BATCH_BYTES:
                    yield cables, skipped, warnings, done
                    cables, skipped, warnings, text = [], [], [], 0
        yield cables, skipped, warnings, sum(sizes.values())
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
        for child in children:
            child.join(timeout=5)


def _receive(channel: Any, child: Any) -> Block | None:
    """The next block of one parsing process (None: it has finished)."""
    while True:
        try:
            item = channel.get(timeout=1)
        except queue.Empty:
            if not child.is_alive():
                raise ImportFailed("the parsing process ended unexpectedly") from None
            continue
        if isinstance(item, str):
            raise ImportFailed(item)
        return item


_STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Signals that stop an import wait while a batch is written and counted, then act: one
    landing during the COMMIT would otherwise be raised after the commit and before the count,
    and the report would miss a batch the library holds. (Main thread only: elsewhere Python
    runs no signal handlers.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[signal.Signals] = []

    def hold(signum: int, _frame: object) -> None:
        held.append(signal.Signals(signum))

    previous = {sig: signal.signal(sig, hold) for sig in _STOPPING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if held:  # the batch is in and counted (an error would have gone up instead): act now
        handler = previous[held[0]]
        if callable(handler):
            handler(held[0], None)
        elif handler == signal.SIG_DFL:
            os.kill(os.getpid(), held[0])


def import_paths(
    library: Library,
    paths: Sequence[Path],
    *,
    progress: Callable[[Progress], None] | None = None,
    batch: int = BATCH_CABLES,
) -> ImportReport:
    """Import files and folders; Ctrl-C (or SIGTERM, SIGHUP) stops once the batch being written
    is in (a few seconds at most) and returns the report so far (`interrupted`). So does a
    library that stops taking writes (disk full, a lock held too long, damage): `failed` says
    why."""
    report = ImportReport()
    sizes = input_files(paths)
    total = sum(sizes.values())
    started = time.monotonic()
    try:
        for cables, skipped, warnings, done in _parallel_batches(paths, sizes, batch):
            with _signals_held():
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
            _cache_engine(library)
        except LibraryError as exc:  # every batch is in; only the cached sidebar index is not
            report.failed = str(exc)
        except KeyboardInterrupt:  # the same: stopped, with every batch kept and reported
            report.interrupted = True
    report.seconds = time.monotonic() - started
    return report


def _cache_engine(library: Library) -> None:
    """Prepare the sidebar's search engine for the next browser start (a second or two at 251k
    cables, here once, rather than at the first start after every import)."""
    from cables import engine_cache
    from cables.search import SidebarSearch

    generation, index = library.current_index()
    engine = SidebarSearch(index)
    engine.complete()  # as the search process does before caching one
    engine_cache.save(library.path, generation, engine)


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
