"""Library benchmark: a full-scale synthetic corpus with the real 251,287 reference ids.

Builds the corpus with `cables synth`, imports it, and measures what issue 3 lists: import
cables/s and MB/s, library size against the CSV, opening the library and loading the sidebar
index, fetching one cable, and FTS5 latency (median, p95; first hits and ranked) over a fixed
query list of common words, rare words, phrases and a prefix. Prints pass/fail per target; the
last line is one JSON object of the figures.

The import's CPU time is printed per process (this one writes, the parsing processes are its
children) beside the wall time, with the load average before and after: on a busy machine the
wall time says little.

    python benchmarks/library.py [--n 251287] [--csv EXISTING.csv] [--work DIR] [--keep]
                                 [--limit N] [--profile]

`--limit N` imports only the first N rows of the CSV (a copy cut at a row start); `--profile` runs
the writing process and each parsing process under cProfile and prints where each spends its
time, in ms per cable, stage by stage (a stage includes the ones indented under it; the writer's
receiving includes its waits for the parsing processes, a parsing process's queue put its waits
for the writer). cProfile slows Python code two to three times: the shares are what to read.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cables import importer
from cables.formats.csvdump import ROW_START
from cables.importer import import_paths, parsers
from cables.library import Library
from cables.synth import vocabulary, write_corpus

ROOT = Path(__file__).resolve().parent.parent
IDS = ROOT.parent / "shared" / "data" / "reference-ids.csv.gz"

TARGETS = {  # figure -> (limit, unit): the targets on this 2-core machine
    "import_seconds": (180.0, "s"),
    "index_load_seconds": (0.5, "s"),
    "get_ms_p95": (5.0, "ms"),
    "fts_first_ms_p95": (50.0, "ms"),
}


def queries() -> list[str]:
    """Common words, words from the vocabulary's rare tail, phrases and a prefix."""
    words = vocabulary()
    rare = [words[i] for i in (8000, 12000, 16000, 20000, 23000)]
    return [
        "government",
        "iran",
        "minister",
        "the",
        "security council",
        *rare,
        '"foreign minister"',
        '"nuclear program"',
        f"{words[3000]} {words[500]}",
        "sanction*",
        "iran OR iraq",
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


Stages = tuple[tuple[str, str, str], ...]
# Where the CPU goes, per process: (label, file ending, function) as cProfile names them.
WRITER_STAGES: Stages = (
    ("receive blocks (wait, unpickle)", "cables/importer.py", "_receive"),
    ("Library.add", "cables/library.py", "add"),
    ("  executemany (FTS5 mostly)", "~", "<method 'executemany' of 'sqlite3.Connection' objects>"),
    ("sidebar index + FTS merge", "cables/library.py", "refresh_index"),
    ("WAL checkpoint", "cables/library.py", "checkpoint"),
    ("engine cache", "cables/importer.py", "_cache_engine"),
)
PARSER_STAGES: Stages = (
    ("CSV rows (all, every process)", "cables/formats/csvdump.py", "read_rows"),
    ("body reader + checks", "cables/parsing.py", "_finish"),
    ("  build_cable", "cables/body.py", "build_cable"),
    ("  _read_paragraphs", "cables/body.py", "_read_paragraphs"),
    ("prepare (encode)", "cables/library.py", "prepare"),
    ("  body blob (JSON, deflate)", "cables/library.py", "_encode_body"),
    ("queue put", "multiprocessing/queues.py", "put"),
)


def cut_csv(source: Path, target: Path, rows: int) -> None:
    """The first `rows` rows of `source` (cut where a line opens row `rows + 1`)."""
    start = re.compile(("\n" + ROW_START.pattern).encode())
    seen, kept, resume = 0, bytearray(), 0
    with source.open("rb") as stream:
        while chunk := stream.read(1 << 24):
            kept += chunk
            for m in start.finditer(kept, resume):
                seen += 1
                if seen == rows:
                    target.write_bytes(bytes(kept[: m.start() + 1]))
                    return
                resume = m.end()
            resume = max(resume, len(kept) - 64)  # a row start may span two chunks
    target.write_bytes(bytes(kept))


def profiled_produce(folder: Path) -> Callable[..., None]:
    """`importer._produce` under cProfile, its stats written to `folder` (one file a process)."""
    produce = importer._produce

    def run(*args: object) -> None:
        profile = cProfile.Profile()
        try:
            profile.runcall(produce, *args)
        finally:
            profile.dump_stats(folder / f"parser-{os.getpid()}.prof")

    return run


def stage_table(title: str, stats: pstats.Stats, stages: Stages, cables: int | None) -> None:
    """Cumulative time per stage, in ms per cable the process handled (a parsing process: the
    cables it encoded)."""
    table = stats.stats  # (function, its call counts and times), as pstats keeps them

    def cumulative(file: str, name: str) -> tuple[int, float]:
        found = [v for (path, _, func), v in table.items() if func == name and path.endswith(file)]
        return sum(v[1] for v in found), sum(v[3] for v in found)

    n = cables or cumulative("cables/library.py", "prepare")[0] or 1
    print(f"{title}: {stats.total_tt * 1000 / n:.3f} ms per cable (profiled) over {n}")
    for label, file, name in stages:
        print(f"  {label:28} {cumulative(file, name)[1] * 1000 / n:7.3f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=251287, help="cables (default: all real ids)")
    parser.add_argument("--work", help="folder for the corpus and library (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and library")
    parser.add_argument("--csv", type=Path, help="import this corpus (read only) instead")
    parser.add_argument("--limit", type=int, help="import only the first N rows of the CSV")
    parser.add_argument("--profile", action="store_true", help="print CPU per stage per process")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cables-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, library_path = work / f"synth-{args.n}.csv", work / "library.sqlite3"
    if args.csv:
        corpus = args.csv
    figures: dict[str, float | int | str] = {"cables": args.n}
    try:
        if not corpus.exists():
            started = time.perf_counter()
            write_corpus(corpus, args.n, seed=0, ids=IDS if IDS.exists() else None)
            print(f"synth: {args.n} cables in {time.perf_counter() - started:.1f} s")
        if args.limit:
            cut = work / f"first-{args.limit}.csv"
            cut_csv(corpus, cut, args.limit)
            corpus, args.n = cut, args.limit
            figures["cables"] = args.n
        for suffix in ("", "-wal", "-shm"):
            Path(f"{library_path}{suffix}").unlink(missing_ok=True)
        figures["csv_mb"] = round(corpus.stat().st_size / 1e6, 1)

        figures["load_average_before"] = round(os.getloadavg()[0], 2)
        cpu = time.process_time()
        profiles = work / "profiles"
        if args.profile:
            shutil.rmtree(profiles, ignore_errors=True)
            profiles.mkdir()
            importer._produce = profiled_produce(profiles)
        writer = cProfile.Profile() if args.profile else None
        with Library.open(library_path, create=True) as library:
            if writer:
                report = writer.runcall(import_paths, library, [corpus])
            else:
                report = import_paths(library, [corpus])
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert report.imported == args.n and not report.skipped, report.summary()
        figures["import_seconds"] = round(report.seconds, 1)
        figures["import_cpu_writer_s"] = round(time.process_time() - cpu, 1)
        figures["import_cpu_parsers_s"] = round(children.ru_utime + children.ru_stime, 1)
        figures["load_average_after"] = round(os.getloadavg()[0], 2)
        if writer:
            stage_table("writer", pstats.Stats(writer), WRITER_STAGES, args.n)
            for file in sorted(profiles.glob("parser-*.prof")):
                stage_table(file.stem, pstats.Stats(str(file)), PARSER_STAGES, None)
        figures["import_cables_per_s"] = round(args.n / report.seconds)
        figures["import_mb_per_s"] = round(corpus.stat().st_size / 1e6 / report.seconds, 1)
        figures["library_mb"] = round(library_path.stat().st_size / 1e6, 1)
        figures["library_vs_csv"] = round(library_path.stat().st_size / corpus.stat().st_size, 2)

        def open_and_load() -> None:
            with Library.open(library_path) as library:
                assert len(library.load_index()) == args.n

        loads = timed(open_and_load, 5)
        figures["index_load_seconds"] = round(statistics.median(loads), 3)

        with Library.open(library_path) as library:
            refs = random.Random(1).sample(library.load_index().reference_ids, 300)
            gets = [t * 1000 for ref in refs for t in timed(lambda r=ref: library.get(r), 1)]
            figures["get_ms_median"] = round(statistics.median(gets), 2)
            figures["get_ms_p95"] = round(percentile(gets, 0.95), 2)
            for ranked, name in ((False, "fts_first"), (True, "fts_ranked")):
                per_query = {}
                for query in queries():
                    library.search(query, ranked=ranked)  # warm the page cache once
                    per_query[query] = [
                        t * 1000
                        for t in timed(lambda q=query, r=ranked: library.search(q, ranked=r), 5)
                    ]
                every = [t for ts in per_query.values() for t in ts]
                figures[f"{name}_ms_median"] = round(statistics.median(every), 1)
                figures[f"{name}_ms_p95"] = round(percentile(every, 0.95), 1)
                slowest = max(per_query, key=lambda q: statistics.median(per_query[q]))
                figures[f"{name}_slowest"] = (
                    f"{slowest} ({statistics.median(per_query[slowest]):.0f} ms)"
                )
                for query, ts in per_query.items():
                    print(f"  {name:10} {query:28} median {statistics.median(ts):8.1f} ms")
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)

    failed = False
    for key, value in figures.items():
        line = f"{key:24} {value}"
        if key in TARGETS:
            limit, unit = TARGETS[key]
            ok = float(value) < limit
            failed |= not ok
            line += f"   target < {limit:g} {unit}: {'PASS' if ok else 'FAIL'}"
        print(line)
    if "import_seconds" in figures:
        print(
            f"README row (load average {figures['load_average_before']} →"
            f" {figures['load_average_after']}):\n| import of {args.n:,} cables"
            f" ({figures['csv_mb']} MB CSV) | {figures['import_seconds']} s wall; CPU"
            f" {figures['import_cpu_writer_s']} s writing, {figures['import_cpu_parsers_s']} s"
            f" parsing ({parsers()} processes) | ≤ 180 s |"
        )
    figures["pass"] = "yes" if not failed else "no"
    print(json.dumps(figures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
