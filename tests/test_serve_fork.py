"""A served session's parts: the browser preloaded, its config, the one shared search process."""

from __future__ import annotations

import socket
import threading
import time

from test_tui_app import running
from test_tui_search import listed, typed
from textual.widgets import Input

from cables.config import ClipboardMode, Config, effective_keys, load
from cables.library import Library
from cables.search import SidebarSearch
from cables.search_process import Answer
from cables.serve.common import write_child_config
from cables.serve.shared_search import SharedSearch, SharedSearchClient, connect


async def test_a_served_browser_searches_the_preloaded_engine_with_a_still_cursor(
    fixtures_library,
):
    with Library.open(fixtures_library) as library:
        index = library.load_index()
    engine = SidebarSearch(index)
    async with running(fixtures_library, preloaded=(index, engine)) as (app, pilot):
        box = app.sidebar.query_one(Input)
        assert box.has_focus and not box.cursor_blink  # no frame twice a second per reader
        await typed(app, pilot, "mexico1055")
        assert listed(app.sidebar) == ["09MEXICO1055"]
    async with running(fixtures_library) as (app, pilot):  # `cables open`: as Textual has it
        assert app.sidebar.query_one(Input).cursor_blink


def test_sessions_read_the_servers_config_with_only_its_changed_keys(tmp_path):
    config = Config(keymap={"quit": "ctrl+x"}, clipboard=ClipboardMode.LOCAL)
    written = write_child_config(tmp_path, config, tmp_path / "library.sqlite3", "serve-ssh")
    child = load(written)
    assert child.keymap == {"quit": "ctrl+x"}  # not all 37 bindings: Textual remaps per key
    assert effective_keys(child) == effective_keys(config)
    assert child.clipboard is ClipboardMode.OSC52 and child.library == str(
        tmp_path / "library.sqlite3"
    )


def answers_to(client: SharedSearchClient, seq: int) -> list[Answer]:
    """Every answer to query `seq`, up to its picture and past it (the hint comes later)."""
    found: list[Answer] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = client.wait(0.5)
        found += [e for e in events if isinstance(e, Answer) and e.seq == seq]
        if found and not events:
            return found
    raise AssertionError(f"no answer to query {seq}")


def test_one_search_process_answers_each_session_its_own_newest_query(fixtures_library):
    with Library.open(fixtures_library) as library:
        engine = SidebarSearch(library.load_index())
    control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def search_process() -> None:
        with Library.open(fixtures_library) as library:
            SharedSearch(engine, library, theirs).run()

    server = threading.Thread(target=search_process, daemon=True)
    server.start()
    ana = SharedSearchClient(connect(control), limit=50)
    ben = SharedSearchClient(connect(control), limit=50)
    ana.submit("berlin")
    ana_seq = ana.submit("mexico1055")  # sent before the first is answered: the newest counts
    ben_seq = ben.submit("berlin1167")
    (ana_answer,) = answers_to(ana, ana_seq)
    (ben_answer,) = answers_to(ben, ben_seq)
    assert ana_answer.query == "mexico1055" and ana_answer.matches.total == 1
    assert ben_answer.query == "berlin1167" and ben_answer.matches.total >= 1
    nothing = ben.submit("zzqqxx")  # no title: the full-text count follows, once ben is quiet
    first, counted = answers_to(ben, nothing)
    assert first.matches.total == 0 and first.hint is None and counted.hint == 0
    ana.close()  # a session going away leaves the others served
    assert answers_to(ben, ben.submit("kabul"))[0].matches.total > 0
    control.close()  # the fork server gone: the search process ends
    server.join(10)
    assert not server.is_alive()
