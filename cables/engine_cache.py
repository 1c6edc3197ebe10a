"""The search engine, prepared once and kept: loads in ~0.1 s where building it takes ~1.3 s.

`SidebarSearch` folds every row and collects the vocabulary when it is built (1.3 s of CPU at
251k cables). Its prepared state is plain tuples, strings and dicts, so it is pickled into the
user's cache directory (never beside the library: a pickle is code, and a library folder may
come from someone else), under a name made from the library's path. The file starts with a key
of the library (path, inode, generation) and of the engine's code (the source of
`cables/search.py` and `cables/index.py`): anything else, or any damage, means rebuild.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import sys
import threading
from pathlib import Path
from typing import Any, TypeVar

from cables import paths
from cables.atomic import write_atomic

_LOCK_TYPE = type(threading.Lock())
T = TypeVar("T")


class _Lock:
    """Stands in the pickle where the engine held a lock; a fresh one is made on load."""


def cache_file(library_path: Path) -> Path:
    name = hashlib.sha256(str(library_path.resolve()).encode()).hexdigest()[:32]
    return paths.cache_dir() / f"engine-{name}.pickle"


def key(library_path: Path, generation: int) -> bytes:
    """What a cached engine must have been built from: this library as it is, this code."""
    code = hashlib.sha256(sys.version.encode())
    for module in ("search.py", "index.py"):
        code.update((Path(__file__).with_name(module)).read_bytes())
    stat = library_path.stat()
    where = f"{library_path.resolve()}\0{stat.st_ino}\0{stat.st_dev}\0{generation}"
    return hashlib.sha256(code.digest() + where.encode()).hexdigest().encode() + b"\n"


def load(library_path: Path, generation: int, kind: type[T]) -> T | None:
    """The cached engine of `kind` for this library and generation, or None."""
    try:
        data = cache_file(library_path).read_bytes()
    except OSError:
        return None
    expected = key(library_path, generation)
    if not data.startswith(expected):
        return None
    enabled = gc.isenabled()
    gc.disable()  # millions of new objects: no collections while they arrive
    try:
        state = pickle.loads(memoryview(data)[len(expected) :])
        engine = object.__new__(kind)
        for name, value in state.items():
            setattr(engine, name, threading.Lock() if value is _Lock else value)
        return engine
    except Exception:  # a damaged or foreign file: build afresh
        return None
    finally:
        if enabled:
            gc.enable()


def save(library_path: Path, generation: int, engine: Any) -> bool:
    """Keep `engine` for the next start; False (and nothing written) if it cannot be."""
    state = {
        name: _Lock if isinstance(value, _LOCK_TYPE) else value
        for name, value in vars(engine).items()
    }
    try:
        data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        # (a private temporary file renamed into place: mode 0600, never half written)
        write_atomic(cache_file(library_path), key(library_path, generation) + data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    return True
