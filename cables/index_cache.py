"""The sidebar index kept as a file in the user's cache directory and mapped, not read.

Every process that loads the index from the library holds all of it (46 MB at 251k cables:
the browser, the search process while it builds its engine, each `cables serve` fork server).
Mapped from a file, a process holds only the pages it reads: the browser draws a screenful of
rows, so its index costs the offsets of each column (6 MB) and a few pages. The file is the
index's own bytes behind the engine cache's key (this library as it is, this code): anything
else, or any damage, and the index is read from the library and the file written again.

A newer index is renamed over the file, so a mapping can hold the last reference to a deleted
file; the kernel then frees its blocks in whichever call lets it go (5-10 ms on a disk mounted
with `discard`). That must not be the UI thread dropping an old index, so each mapping keeps a
second descriptor of its file, closed on a thread of its own once the mapping is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import queue
import threading
import weakref
from pathlib import Path

from cables import engine_cache, paths
from cables.atomic import write_atomic
from cables.index import CableIndex


def cache_file(library_path: Path) -> Path:
    name = hashlib.sha256(str(library_path.resolve()).encode()).hexdigest()[:32]
    return paths.cache_dir() / f"index-{name}.bin"


def load(library_path: Path, generation: int) -> CableIndex | None:
    """The kept index of this library at this generation, mapped; or None."""
    try:
        expected = engine_cache.key(library_path, generation)
        with cache_file(library_path).open("rb") as file:
            block = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            # (not at exit: no thread can start then, and the kernel closes everything)
            weakref.finalize(block, _retire, os.dup(file.fileno())).atexit = False
    except (OSError, ValueError):  # none, or empty
        return None
    try:
        if block[: len(expected)] == expected:
            return CableIndex.from_bytes(block, len(expected))
    except ValueError:  # damaged
        pass
    return None  # (the mapping goes with its last reference)


def keep(library_path: Path, generation: int, index: CableIndex) -> CableIndex:
    """Write `index` for the next loads and return it mapped (or as it is, if it cannot be)."""
    try:
        key = engine_cache.key(library_path, generation)
        write_atomic(cache_file(library_path), key + index.to_bytes())
    except OSError:
        return index
    return load(library_path, generation) or index


class _Closer:
    """One thread closing retired descriptors, started at the first (again in a forked child:
    `cables serve` forks a session per reader, and a thread does not follow a fork)."""

    def __init__(self) -> None:
        self.retired: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def retire(self, fd: int) -> None:
        self.retired.put(fd)
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="index-closer", daemon=True)
                self.thread.start()

    def run(self) -> None:
        """The file's last reference, if a newer index replaced it: its blocks are freed here."""
        while True:
            fd = self.retired.get()
            with contextlib.suppress(OSError):  # (EIO on some filesystems: closed all the same)
                os.close(fd)


_closer = _Closer()


def _retire(fd: int) -> None:
    _closer.retire(fd)


def _after_fork() -> None:
    global _closer
    _closer = _Closer()


os.register_at_fork(after_in_child=_after_fork)
