"""The one door from `cables` into the terminal browser (`tui`), for `cables open` and `demo`.

`cables` is the layer below `tui` and never imports Textual, Rich or `tui` at module level (a
test checks it); the browser is imported here, inside the call, only when it is about to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cables.config import Config

if TYPE_CHECKING:
    from cables.index import CableIndex
    from cables.search import SidebarSearch
    from cables.search_process import SearchClient


def run_browser(
    library_path: Path,
    *,
    config: Config,
    open_ref: str | None = None,
    anchor: str | None = None,
    demo: bool = False,
    preloaded: tuple[CableIndex, SidebarSearch] | None = None,
    search: SearchClient | None = None,
) -> int:
    """Run the browser on the library at `library_path` until the user quits; its exit status.

    `preloaded`: the index and search engine already made (by `cables serve`'s fork server);
    `search`: the sidebar's search already running (`cables serve`'s shared search process).
    Otherwise the search process starts here, before the browser's own imports (Textual takes
    about half a second): it loads its engine on the other core meanwhile.
    """
    if search is None and preloaded is None:
        from cables.search_process import SearchClient

        search = SearchClient(library_path, limit=config.sidebar_limit)
        search.start()
    try:
        from tui.app import run_app

        return run_app(
            library_path,
            open_ref=open_ref,
            anchor=anchor,
            config=config,
            demo=demo,
            preloaded=preloaded,
            search=search,
        )
    finally:
        if search is not None:  # (the app closes it too; a second close does nothing)
            search.close()


def serve_web(
    config: Config,
    library_path: Path,
    *,
    host: str,
    port: int,
    token: str | None,
    public_url: str | None,
) -> int:
    """`cables serve web`: the browser in web pages (textual-serve brings Rich, hence here)."""
    from tui.serve_web import serve_web as serve

    return serve(config, library_path, host=host, port=port, token=token, public_url=public_url)
