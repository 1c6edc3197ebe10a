"""Browser speed on a 251,287-cable synthetic library, against the targets of issue 4.

Builds the library once with `cables synth` + `cables import` (cached in benchmarks/out/), then:
first interactive frame and fully loaded sidebar (a fresh process, from spawn), keystroke to
updated sidebar over queries typed key by key (median, p95), the longest stall of the UI loop
while searching, and opening a ~60 KB cable until it is on screen. Last line: one JSON object.

    python benchmarks/tui.py [--cables N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This script is benchmarks/tui.py: its folder must not shadow the `tui` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
OUT = ROOT / "benchmarks" / "out"
IDS = ROOT.parent / "shared" / "data" / "reference-ids.csv.gz"
SIZE = (120, 40)
# ids, subject words, misspellings, one- and two-letter prefixes; typed one key at a time
QUERIES = [
    "09berlin1167",
    "10state",
    "iran nuclear",
    "minister",
    "goverment",
    "scensetter",
    "afghanistan",
    "q",
    "zh",
    "embassy baghdad",
    "08moscow",
    "ncl",
]
TARGETS = {
    "first_frame_s": 1.0,
    "keystroke_p95_ms": 100.0,
    "max_stall_ms": 50.0,
    "open_60kb_ms": 100.0,
}


def cables(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cables", *args], cwd=ROOT, check=True)


def ensure_library(n: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    library = OUT / f"tui-{n}.sqlite3"
    if library.exists():
        return library
    csv = OUT / f"tui-{n}.csv"
    print(f"building a {n:,}-cable synthetic library (once; cached in {library})", flush=True)
    if not csv.exists():
        cables("synth", str(n), "--out", str(csv), "--seed", "4", "--ids", str(IDS))
    partial = library.with_suffix(".partial.sqlite3")
    cables("--library", str(partial), "import", str(csv))
    partial.rename(library)
    return library


CHILD = """
import os, sys, time
from pathlib import Path
from cables.library import Library
from tui.app import CablesApp

def say(what):  # Textual captures print(); write to the real stdout
    os.write(1, f"{what} {time.time()}\\n".encode())

class Timed(CablesApp):
    def on_mount(self):
        self.call_after_refresh(say, "frame")

    def on_sidebar_loaded(self, event):
        say("loaded")
        self.exit(0)

library = Library.open(Path(sys.argv[1]))
Timed(library).run(headless=True, size=(120, 40))
"""


def first_frame(library: Path) -> tuple[float, float]:
    """Seconds from spawning `python` to the first painted frame, and to the loaded sidebar."""
    start = time.time()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(library)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    stamps = dict(
        line.split()
        for line in result.stdout.splitlines()
        if line.split()[:1] in (["frame"], ["loaded"])
    )
    if result.returncode or len(stamps) != 2:
        sys.exit(f"benchmarks/tui.py: the timed app failed:\n{result.stderr[-2000:]}")
    return float(stamps["frame"]) - start, float(stamps["loaded"]) - start


async def interactive(library_path: Path) -> dict[str, float]:
    from cables.library import Library
    from tui.app import CablesApp

    library = Library.open(library_path)
    app = CablesApp(library)
    figures: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.sidebar.engine is not None, app, "the sidebar index to load")
        await app.workers.wait_for_complete()
        figures.update(await typing(app, pilot))
        figures.update(await open_large(app, pilot, library))
    library.close()
    return figures


async def until(test, app, what: str, *, step: float = 0.01, timeout: float = 60) -> None:
    """Wait for `test()`; exit with a clear message if the app died or it never came."""
    deadline = time.perf_counter() + timeout
    while not test():
        if not app.is_running or time.perf_counter() > deadline:
            sys.exit(
                f"benchmarks/tui.py: gave up waiting for {what}"
                f" ({'the app stopped' if not app.is_running else 'timed out'})"
            )
        await asyncio.sleep(step)


async def typing(app, pilot) -> dict[str, float]:
    """Keystroke -> sidebar showing that query, while a ticker measures loop stalls."""
    from textual import events

    latencies: list[float] = []
    stalls: list[float] = []
    running = True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            stalls.append((now - last - 0.002) * 1000)
            last = now

    ticking = asyncio.create_task(ticker())
    sidebar = app.sidebar
    for query in QUERIES:
        await pilot.press("ctrl+f")
        sidebar.query_one("#query").value = ""
        await app.workers.wait_for_complete()
        await pilot.pause()
        typed = ""
        per_query: list[float] = []
        for key in query:
            typed += key
            start = time.perf_counter()
            # as a terminal delivers a key (Pilot.press also waits for idle, which is slower)
            app.post_message(events.Key("space" if key == " " else key, key))
            await until(
                lambda typed=typed: sidebar.query_shown == typed,
                app,
                f"the sidebar to show {typed!r}",
                step=0.0005,
            )
            per_query.append((time.perf_counter() - start) * 1000)
        latencies += per_query
        print(
            f"  {query!r}: {sidebar.query_one('#count').render().plain}; per key ms "
            + " ".join(f"{ms:.0f}" for ms in per_query),
            flush=True,
        )
    running = False
    await ticking
    latencies.sort()
    return {
        "keystrokes": len(latencies),
        "keystroke_median_ms": round(statistics.median(latencies), 1),
        "keystroke_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "keystroke_max_ms": round(latencies[-1], 1),
        "max_stall_ms": round(max(stalls), 1),
    }


async def open_large(app, pilot, library) -> dict[str, float]:
    """Open the sampled cable whose body is nearest 60 KB, until it is drawn; median of 5."""
    index = app.sidebar.index
    step = max(1, len(index) // 3000)
    best = min(
        (library.get(index.reference_ids[i]) for i in range(0, len(index), step)),
        key=lambda c: abs(len(c.body.encode()) - 60_000),
    )
    other = index.reference_ids[0]
    times = []
    for _ in range(5):
        app.open_cable(other)
        await pilot.pause()
        start = time.perf_counter()
        app.open_cable(best.reference_id)
        painted = asyncio.Event()
        app.call_after_refresh(painted.set)  # runs once the screen has been redrawn
        await painted.wait()
        times.append((time.perf_counter() - start) * 1000)
    assert app.view.cable.reference_id == best.reference_id
    return {
        "open_cable_bytes": len(best.body.encode()),
        "open_paragraphs": len(best.paragraphs),
        "open_60kb_ms": round(statistics.median(times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cables", type=int, default=251_287)
    n = parser.parse_args().cables
    library = ensure_library(n)
    frame, loaded = first_frame(library)
    figures: dict[str, float] = {
        "cables": n,
        "first_frame_s": round(frame, 3),
        "sidebar_loaded_s": round(loaded, 3),
    }
    figures.update(asyncio.run(interactive(library)))
    ok = True
    for name, target in TARGETS.items():
        passed = figures[name] < target
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} {name} = {figures[name]} (target < {target})")
    for name in ("sidebar_loaded_s", "keystroke_median_ms", "keystroke_max_ms"):
        print(f"     {name} = {figures[name]}")
    figures["pass"] = ok
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
