"""The libraries the benchmarks run on: the full-scale synthetic one (every real reference id,
synthetic text), built once under benchmarks/out/, and, for a library of another schema, a
migrated copy there (the library given is never written)."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
IDS = ROOT.parent / "shared" / "data" / "reference-ids.csv.gz"
FULL_SCALE = 251_287


def _cables(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cables", *args], cwd=ROOT, check=True)


def synthetic(n: int = FULL_SCALE) -> Path:
    """A synthetic library of `n` cables with real ids, built by `cables synth` and `cables
    import` the first time (minutes at full scale), then reused."""
    OUT.mkdir(parents=True, exist_ok=True)
    library = OUT / f"synthetic-{n}.sqlite3"
    if library.exists():
        return library
    csv = OUT / f"synthetic-{n}.csv"
    print(f"building a {n:,}-cable synthetic library (once; cached in {library})", flush=True)
    if not csv.exists():
        _cables("synth", str(n), "--out", str(csv), "--seed", "4", "--ids", str(IDS))
    partial = library.with_suffix(".partial.sqlite3")
    _cables("--library", str(partial), "import", str(csv))
    partial.rename(library)
    return library


def for_run(path: Path, name: str) -> Path:
    """`path` as is, unless this cables would migrate it: then a copy named after the benchmark
    `name`, kept in benchmarks/out/ and migrated once, here."""
    from cables.library import SCHEMA_VERSION, Library

    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return path
    copy = OUT / f"{name}-{path.stem}-from-schema{version}.sqlite3"
    if copy.exists():
        return copy
    print(f"library schema {version} != {SCHEMA_VERSION}: migrating a copy", file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    partial = OUT / f"{copy.stem}.partial.sqlite3"
    with (
        contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source,
        contextlib.closing(sqlite3.connect(partial)) as target,
    ):
        source.backup(target)  # a consistent copy even with a write-ahead log beside the file
    Library.open(partial).close()  # migrates it
    partial.rename(copy)
    return copy
