"""`cables synth N --out FILE [--seed S] [--ids FILE]`: a synthetic corpus, cables.csv format."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cables.exits import EXIT_FATAL, EXIT_OK
from cables.synth import write_corpus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("n", type=int, metavar="N", help="how many cables to write")
    parser.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="output file (cables.csv format; gzip if it ends in .gz)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--ids",
        metavar="FILE",
        help="REFID,MONTH lines (e.g. reference-ids.csv.gz): use these real ids",
    )


def run(args: argparse.Namespace) -> int:
    if args.n < 0:
        print("cables synth: N must be 0 or more", file=sys.stderr)
        return EXIT_FATAL
    out = Path(args.out)
    started = time.monotonic()
    try:
        size = write_corpus(out, args.n, seed=args.seed, ids=Path(args.ids) if args.ids else None)
    except (OSError, ValueError) as exc:
        print(f"cables synth: {exc}", file=sys.stderr)
        return EXIT_FATAL
    print(
        f"wrote {args.n} synthetic cables ({size / 1e6:.1f} MB) to {out} "
        f"in {time.monotonic() - started:.1f} s"
    )
    return EXIT_OK
