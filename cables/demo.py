"""The demo library: a few thousand synthetic cables that `make run` opens until the user
imports real ones. It lives in its own file (`paths.demo_library()`), never the user's library,
and is built in a temporary file renamed into place, so an interrupted build is never opened."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cables import paths
from cables.importer import import_paths
from cables.library import Library
from cables.synth import write_corpus

DEMO_CABLES = 2000
DEMO_SEED = 2010


def ensure_demo_library(target: Path | None = None, n: int = DEMO_CABLES) -> Path:
    """The demo library's path, building it first if it is not there yet."""
    target = target or paths.demo_library()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cables-demo-", dir=target.parent) as scratch:
        corpus = Path(scratch) / "demo.csv"
        write_corpus(corpus, n, seed=DEMO_SEED)
        building = Path(scratch) / f"{target.name}.{os.getpid()}"
        with Library.open(building, create=True) as library:
            report = import_paths(library, [corpus])
        if report.interrupted or not report.imported:
            raise RuntimeError(
                f"{target}: the demo library could not be built ({report.summary()})"
            )
        building.replace(target)  # the WAL is folded in on close: one file to move
    return target
