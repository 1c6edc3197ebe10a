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
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=251287, help="cables (default: all real ids)")
    parser.add_argument("--work", help="folder for the corpus and library (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and library")
    parser.add_argument("--csv", type=Path, help="import this corpus (read only) instead")
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
        for suffix in ("", "-wal", "-shm"):
            Path(f"{library_path}{suffix}").unlink(missing_ok=True)
        figures["csv_mb"] = round(corpus.stat().st_size / 1e6, 1)

        figures["load_average_before"] = round(os.getloadavg()[0], 2)
        cpu = time.process_time()
        with Library.open(library_path, create=True) as library:
            report = import_paths(library, [corpus])
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert report.imported == args.n and not report.skipped, report.summary()
        figures["import_seconds"] = round(report.seconds, 1)
        figures["import_cpu_writer_s"] = round(time.process_time() - cpu, 1)
        figures["import_cpu_parsers_s"] = round(children.ru_utime + children.ru_stime, 1)
        figures["load_average_after"] = round(os.getloadavg()[0], 2)
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
