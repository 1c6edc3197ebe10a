"""The driver the in-app benchmarks run the browser under: it renders every frame as for a
terminal (a headless driver skips that) and notes when each is written, the moment a frame
reaches the terminal."""

from __future__ import annotations

import time

from textual.drivers.headless_driver import HeadlessDriver


def timed_driver(writes: list[float]) -> type[HeadlessDriver]:
    """A driver class appending the time of each write to `writes`."""

    class FrameDriver(HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            writes.append(time.perf_counter())

    return FrameDriver
