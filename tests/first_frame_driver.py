"""A Textual driver for the start tests, chosen through $TEXTUAL_DRIVER so the real `cables`
command runs unchanged: it renders as for a terminal and writes to $CABLES_FIRST_FRAME what
the first frame found (the modules imported, whether the garbage collector ran, what it
wrote), then what a later frame found, and quits the app."""

from __future__ import annotations

import gc
import json
import os
import sys

from textual.drivers.headless_driver import HeadlessDriver


class FirstFrameDriver(HeadlessDriver):
    first: dict[str, object] | None = None
    done = False

    @property
    def is_headless(self) -> bool:
        return False  # frames are rendered and written, as to a terminal

    def write(self, data: str) -> None:
        if self.done:
            return
        if self.first is None:
            if "earch id" in data:  # the first frame: the search box drawn (the cursor on S)
                self.first = {
                    "modules": sorted(sys.modules),
                    "collecting": gc.isenabled(),
                    "written": data,
                }
        elif gc.isenabled():  # a later frame, once the collector is back
            with open(os.environ["CABLES_FIRST_FRAME"], "w", encoding="utf-8") as out:
                json.dump({"first": self.first, "later_collecting": True}, out)
            self.done = True
            self._app.exit()
