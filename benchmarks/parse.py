"""Parse speed over ../shared/corpus: pages/s and MB/s, median of several runs, on one core.

Target: at least 300 HTML pages/s for the whole pipeline (page reader + body reader). For scale it
also times the floor, lxml parsing the same pages alone, and the page reader without the body
reader. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import html

from cables.body import build_cable
from cables.formats.html import read_html
from cables.model import Source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TARGET_PAGES_PER_S = 300.0


def _time(pages: list[tuple[str, bytes]], work: Callable[[str, bytes], object]) -> float:
    start = time.perf_counter()
    for name, data in pages:
        work(name, data)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    files = sorted(args.corpus.rglob("*.html"))
    if not files:
        print(f"no HTML pages under {args.corpus}", file=sys.stderr)
        return 2
    pages = [(str(f), f.read_bytes()) for f in files]
    megabytes = sum(len(d) for _, d in pages) / 1e6

    def pipeline(name: str, data: bytes) -> object:
        return build_cable(read_html(data, Source(name)))

    def reader(name: str, data: bytes) -> object:
        return read_html(data, Source(name))

    def lxml_floor(name: str, data: bytes) -> object:
        return html.document_fromstring(data)

    pipeline(*pages[0])  # warm imports and regex caches
    figures: dict[str, object] = {
        "pages": len(pages),
        "megabytes": round(megabytes, 2),
        "runs": args.runs,
    }
    for label, work in (
        ("pipeline", pipeline),
        ("page_reader", reader),
        ("lxml_full_page", lxml_floor),
    ):
        seconds = statistics.median(_time(pages, work) for _ in range(args.runs))
        figures[f"{label}_pages_per_s"] = round(len(pages) / seconds, 1)
        figures[f"{label}_mb_per_s"] = round(megabytes / seconds, 2)
        print(
            f"{label:>15}: {len(pages) / seconds:8.1f} pages/s  {megabytes / seconds:6.2f} MB/s"
            f"  (median of {args.runs} runs, {seconds:.3f} s)"
        )
    # On a shared machine absolute figures move with the load; the ratio to lxml alone does not.
    figures["pipeline_vs_lxml_full_page"] = round(
        figures["pipeline_pages_per_s"] / figures["lxml_full_page_pages_per_s"],
        2,  # type: ignore[operator]
    )
    print(f"pipeline / lxml full-page parse: {figures['pipeline_vs_lxml_full_page']}x")
    passed = figures["pipeline_pages_per_s"] >= TARGET_PAGES_PER_S  # type: ignore[operator]
    figures["target_pages_per_s"] = TARGET_PAGES_PER_S
    figures["pass"] = passed
    print(
        f"{'PASS' if passed else 'FAIL'}: pipeline {figures['pipeline_pages_per_s']} pages/s "
        f"against a target of {TARGET_PAGES_PER_S:.0f}"
    )
    print(json.dumps(figures))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
