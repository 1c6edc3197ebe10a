"""The one door from `cables` into the terminal browser (`tui`), for `cables open` and `demo`.

`cables` is the layer below `tui` and never imports Textual, Rich or `tui` at module level (a
test checks it); the browser is imported here, inside the call, only when it is about to run.
"""

from __future__ import annotations

from pathlib import Path

from cables.config import Config


def run_browser(
    library_path: Path,
    *,
    config: Config,
    open_ref: str | None = None,
    anchor: str | None = None,
    demo: bool = False,
) -> int:
    """Run the browser on the library at `library_path` until the user quits; its exit status."""
    from tui.app import run_app

    return run_app(library_path, open_ref=open_ref, anchor=anchor, config=config, demo=demo)
