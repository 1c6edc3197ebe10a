"""The search engine, prepared once and kept: loads in ~0.1 s where building it takes ~1.3 s.

`SidebarSearch` folds every row and collects the vocabulary when it is built (1.3 s of CPU at
251k cables). Its prepared state (`__getstate__`, else its attributes) is plain tuples, arrays,
strings and dicts, so it is pickled into the user's cache directory (never beside the library:
a pickle is code, and a library folder may come from someone else), under a name made from the
library's path. The file starts with a key of the library (path, inode, generation) and of the
engine's code (the source of `cables/search.py` and `cables/index.py`): anything else, or any
damage, means rebuild.
"""

from __future__ import annotations

import gc
import hashlib
import mmap
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
    """The cached engine of `kind` for this library and generation, or None.

    The file is mapped, not read: unpickled straight from the page cache (reading 70 MB into a
    new bytes object first took three times the CPU of the unpickling)."""
    expected = key(library_path, generation)
    try:
        with (
            cache_file(library_path).open("rb") as file,
            mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data,
            memoryview(data) as view,
            view[len(expected) :] as body,
        ):
            return _engine(body, kind) if view[: len(expected)] == expected else None
    except (OSError, ValueError):  # none, or empty
        return None


def _engine(body: memoryview, kind: type[T]) -> T | None:
    enabled = gc.isenabled()
    gc.disable()  # millions of new objects: no collections while they arrive
    try:
        state = pickle.loads(body)
        state = {name: threading.Lock() if v is _Lock else v for name, v in state.items()}
        engine = object.__new__(kind)
        setstate = getattr(engine, "__setstate__", None)
        if setstate is None:
            vars(engine).update(state)
        else:
            setstate(state)
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
        for name, value in engine.__getstate__().items()  # (its own, if it has one: `vars`)
    }
    try:
        data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        # (a private temporary file renamed into place: mode 0600, never half written)
        write_atomic(cache_file(library_path), key(library_path, generation) + data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    return True
