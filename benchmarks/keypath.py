"""Where a key's time goes, stage by stage, in the app and its search process (issue 12).

The app runs in this process with its driver's `write` timed (as `benchmarks/tui.py` does) and
its search process started through this script (`--child`), which stamps, per query, when the
query left the UI, reached the child, the engine's start and end, and when the answer and the
picture were written back. Both sides stamp `time.perf_counter()`, one clock for every process
here (CLOCK_MONOTONIC). Over the issue's ten queries typed a key at a time it prints, per stage,
the median and p95 in ms; with `--profile DIR`, cProfile statistics of the UI thread and of the
search process while typing (`python -m pstats DIR/ui.prof`).

    python benchmarks/keypath.py [--library PATH | --cables N] [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import libraries  # (this folder, before it leaves the path below)
from frame_driver import timed_driver

ROOT = Path(__file__).resolve().parent.parent
# benchmarks/tui.py, by its path: the name `tui` is the app's package
_spec = importlib.util.spec_from_file_location("tui_benchmark", ROOT / "benchmarks" / "tui.py")
assert _spec is not None and _spec.loader is not None
tui_benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tui_benchmark)
QUERIES, SIZE, KEY_GAP = tui_benchmark.QUERIES, tui_benchmark.SIZE, tui_benchmark.KEY_GAP
percentile = tui_benchmark.percentile


def child(argv: list[str]) -> None:
    """The search process, its messages and engine calls stamped; the stamps are written to
    the file named by CABLES_KEYPATH_STAMPS when the UI closes the pipe."""
    from multiprocessing.connection import Connection

    from cables import search_process

    stamps: dict[str, dict[str, float]] = {}

    def stamp(seq: int, what: str) -> None:
        stamps.setdefault(str(seq), {}).setdefault(what, time.perf_counter())

    class Stamped(Connection):
        def recv(self) -> Any:
            message = super().recv()
            stamp(message[1], "child_received")
            return message

        def send(self, obj: Any) -> None:
            if obj[0] in ("answer", "pictured"):
                stamp(obj[1], f"{obj[0]}_pickling")
            super().send(obj)
            if obj[0] in ("answer", "pictured"):
                stamp(obj[1], f"{obj[0]}_written")

    class Engine:
        """The engine, its search and summary stamped (seq from the last query received)."""

        def __init__(self, engine: Any) -> None:
            self._engine = engine

        def __len__(self) -> int:
            return len(self._engine)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._engine, name)

        def search(self, *args: Any, **kwargs: Any) -> Any:
            seq = max(map(int, stamps), default=0)
            stamp(seq, "engine_start")
            found = self._engine.search(*args, **kwargs)
            stamp(seq, "engine_done")
            return found

    built = search_process._engine

    def engine(*args: Any) -> tuple[Any, int | None]:
        found, unsaved = built(*args)
        return Engine(found), unsaved

    search_process._engine = engine  # type: ignore[assignment]
    profile = os.environ.get("CABLES_KEYPATH_PROFILE")
    profiler = cProfile.Profile()
    conn = Stamped(int(argv[0]))
    if profile:
        profiler.enable()
    search_process.serve(conn, argv[1], int(argv[2]))
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    Path(os.environ["CABLES_KEYPATH_STAMPS"]).write_text(json.dumps(stamps))


async def in_app(library_path: Path, profile: Path | None, stamps_path: Path) -> dict[str, Any]:
    """Type the queries; return every stamp per query number and the frames written."""
    import subprocess

    from textual import events
    from textual.screen import Screen

    from cables import search_process
    from cables.library import Library
    from tui.app import CablesApp
    from tui.widgets.sidebar import Sidebar

    writes: list[float] = []
    ui: dict[int, dict[str, float]] = {}

    def stamp(seq: int, what: str) -> None:
        ui.setdefault(seq, {}).setdefault(what, time.perf_counter())

    popen = subprocess.Popen

    def through_here(command: list[str], **kwargs: Any) -> Any:
        at = command.index("cables.search_process")
        command = [*command[: at - 1], str(Path(__file__).resolve()), "--child", *command[at + 1 :]]
        return popen(command, **kwargs)

    search_process.subprocess.Popen = through_here  # type: ignore[attr-defined,assignment]
    os.environ["CABLES_KEYPATH_STAMPS"] = str(stamps_path)
    if profile is not None:
        os.environ["CABLES_KEYPATH_PROFILE"] = str(profile / "search.prof")

    send, on_event = search_process.SearchClient._send, Sidebar.on_search_event

    def sent(self: Any, seq: int, query: str, limit: int) -> None:
        stamp(seq, "ui_sending")
        send(self, seq, query, limit)
        stamp(seq, "ui_sent")

    def received(self: Sidebar, event: Any) -> None:
        seq = getattr(event, "seq", None)
        kind = type(event).__name__.lower()
        if seq is not None:
            stamp(seq, f"ui_{kind}_received")
        on_event(self, event)
        if seq is not None:
            stamp(seq, f"ui_{kind}_handled")

    update = Screen._on_timer_update
    frames: list[dict[str, Any]] = []

    def timed_update(self: Screen[Any]) -> None:
        why = sorted(
            {type(w).__name__ for w in self._dirty_widgets}
            | {f for f in ("layout", "scroll", "repaint") if getattr(self, f"_{f}_required")}
        )
        start, cpu = time.perf_counter(), time.thread_time()
        update(self)
        end, cpu = time.perf_counter(), time.thread_time() - cpu
        frames.append({"start": start, "end": end, "cpu": cpu, "why": why})

    Screen._on_timer_update = timed_update  # type: ignore[method-assign]
    search_process.SearchClient._send = sent  # type: ignore[method-assign]
    Sidebar.on_search_event = received  # type: ignore[method-assign]

    library = Library.open(library_path)
    app = CablesApp(library)
    app.driver_class = timed_driver(writes)
    keys: list[dict[str, Any]] = []
    profiler = cProfile.Profile()
    async with app.run_test(headless=False, size=SIZE) as pilot:
        while not app.sidebar.ready:
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        sidebar = app.sidebar
        if profile is not None:
            profiler.enable()
        for query in QUERIES:
            await pilot.press("ctrl+f")
            sidebar.query_one("#query").value = ""
            while sidebar.query_shown != "":
                await asyncio.sleep(0.01)
            await pilot.pause(0.2)
            typed = ""
            for key in query:
                typed += key
                before = app.search.latest
                start = time.perf_counter()
                app.post_message(events.Key("space" if key == " " else key, key))
                while sidebar.query_shown != typed:
                    await asyncio.sleep(0.0005)
                shown = time.perf_counter()
                while not (writes and writes[-1] > shown):
                    await asyncio.sleep(0.0005)
                await asyncio.sleep(max(0.0, start + KEY_GAP - time.perf_counter()))
                seq = app.search.latest
                keys.append(
                    {
                        "query": typed,
                        "seq": seq,
                        "queries_sent": seq - before,
                        "key": start,
                        "shown_seen": shown,
                        "frames": [w - start for w in writes if start < w < start + KEY_GAP],
                    }
                )
        if profile is not None:
            profiler.disable()
            profiler.dump_stats(profile / "ui.prof")
    library.close()
    for _ in range(100):  # the child writes its stamps once it reads EOF
        if stamps_path.exists():
            break
        await asyncio.sleep(0.05)
    child_stamps = json.loads(stamps_path.read_text())
    for key in keys:
        key["ui"] = ui.get(key["seq"], {})
        key["child"] = child_stamps.get(str(key["seq"]), {})
    for key in keys:
        key["updates"] = [
            {**f, "start": f["start"] - key["key"], "end": f["end"] - key["key"]}
            for f in frames
            if key["key"] < f["start"] < key["key"] + KEY_GAP
        ]
    return {"keys": keys, "writes": writes}


STAGES = [  # (name, from, to): stamps of the UI ('ui') or the search process ('child')
    ("key -> query sent", ("key", "key"), ("ui", "ui_sent")),
    ("sent -> child received", ("ui", "ui_sent"), ("child", "child_received")),
    ("received -> engine start", ("child", "child_received"), ("child", "engine_start")),
    ("engine search", ("child", "engine_start"), ("child", "engine_done")),
    ("engine done -> answer pickling", ("child", "engine_done"), ("child", "answer_pickling")),
    ("answer pickled + written", ("child", "answer_pickling"), ("child", "answer_written")),
    ("answer written -> UI handler", ("child", "answer_written"), ("ui", "ui_answer_received")),
    ("UI handles answer", ("ui", "ui_answer_received"), ("ui", "ui_answer_handled")),
    ("answer handled -> frame", ("ui", "ui_answer_handled"), ("frame", "answer")),
    ("key -> frame with answer", ("key", "key"), ("frame", "answer")),
    (
        "answer written -> picture written",
        ("child", "answer_written"),
        ("child", "pictured_written"),
    ),
]


def table(keys: list[dict[str, Any]]) -> list[str]:
    def when(key: dict[str, Any], where: tuple[str, str]) -> float | None:
        side, name = where
        if side == "key":
            return 0.0
        if side == "frame":
            handled = key["ui"].get("ui_answer_handled")
            if handled is None:
                return None
            after = [f for f in key["frames"] if f > handled - key["key"]]
            return after[0] if after else None
        value = key[side].get(name)
        return None if value is None else value - key["key"]

    lines = [f"{'stage':36} {'keys':>5} {'median':>8} {'p95':>8} {'max':>8}  (ms)"]
    for name, a, b in STAGES:
        values = []
        for key in keys:
            start, end = when(key, a), when(key, b)
            if start is not None and end is not None:
                values.append((end - start) * 1000)
        if values:
            lines.append(
                f"{name:36} {len(values):5} {statistics.median(values):8.2f}"
                f" {percentile(values, 0.95):8.2f} {max(values):8.2f}"
            )
    early = [k["frames"][0] * 1000 for k in keys if k["frames"]]
    before = [
        sum(1 for f in k["frames"] if f < (k["ui"].get("ui_answer_handled", 0) - k["key"]))
        for k in keys
    ]
    lines.append(
        f"first frame after the key (the echo): median {statistics.median(early):.2f} ms;"
        f" frames before the answer's: {statistics.mean(before):.2f} per key"
    )
    updates = [u for k in keys for u in k["updates"]]
    cost = [(u["end"] - u["start"]) * 1000 for u in updates]
    cpu = [u["cpu"] * 1000 for u in updates]
    lines.append(
        f"screen updates: {len(updates) / len(keys):.2f} per key, each median"
        f" {statistics.median(cost):.2f} ms, p95 {percentile(cost, 0.95):.2f} ms"
        f" (UI thread CPU median {statistics.median(cpu):.2f}, p95 {percentile(cpu, 0.95):.2f})"
    )
    whys: dict[str, list[tuple[float, float]]] = {}
    for u, ms, ms_cpu in zip(updates, cost, cpu, strict=True):
        whys.setdefault(" ".join(u["why"]), []).append((ms, ms_cpu))
    for why, pairs in sorted(whys.items(), key=lambda kv: -sum(ms for ms, _ in kv[1])):
        lines.append(
            f"  {len(pairs):4} updates of {why or '(nothing)'}: median"
            f" {statistics.median(ms for ms, _ in pairs):.2f} ms,"
            f" CPU {statistics.median(c for _, c in pairs):.2f} ms"
        )
    return lines


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cables", type=int, default=251_287)
    parser.add_argument("--library", type=Path, help="an existing library (not modified)")
    parser.add_argument("--profile", type=Path, help="write ui.prof and search.prof here")
    parser.add_argument("--json", type=Path, help="write every stamp here")
    args = parser.parse_args()
    library = libraries.for_run(args.library or libraries.synthetic(args.cables), "keypath")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        run = asyncio.run(in_app(library, args.profile, Path(tmp) / "stamps.json"))
    print(f"load average {load:.2f} -> {os.getloadavg()[0]:.2f}; keys {len(run['keys'])}")
    print("\n".join(table(run["keys"])))
    print(f"UI process CPU over the run: {time.process_time() - cpu:.1f} s")
    if args.json is not None:
        args.json.write_text(json.dumps(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
