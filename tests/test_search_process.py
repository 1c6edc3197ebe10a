"""The search process: a real child over the fixtures library answers, keeps only the newest
query, comes back after a crash, says why it cannot start, and ends with its client or app."""

from __future__ import annotations

import os
import pickle
import signal
import time
from pathlib import Path

import pytest
from tui_support import index_loaded, shown

from cables.library import Library
from cables.search import SidebarSearch
from cables.search_process import (
    HINT_AFTER,
    Answer,
    Failed,
    Indexed,
    Ready,
    SearchClient,
    answer,
)
from tui.app import CablesApp


def events_until(client: SearchClient, test, rounds: int = 60) -> list:
    """Every event until one passes `test` (each wait is bounded)."""
    seen: list = []
    for _ in range(rounds):
        seen += client.wait(timeout=1)
        if any(test(e) for e in seen):
            return seen
    raise AssertionError(f"no such event; got {seen}")


@pytest.fixture
def client(fixtures_library: Path):
    search = SearchClient(fixtures_library, limit=50)
    search.start()
    yield search
    search.close()


def test_answers_as_the_engine_does(client: SearchClient, fixtures_library: Path):
    seq = client.submit("berlin 1167")
    seen = events_until(client, lambda e: isinstance(e, Answer))
    assert isinstance(seen[0], Indexed) and isinstance(seen[1], Ready) and client.ready
    answer = next(e for e in seen if isinstance(e, Answer))
    with Library.open(fixtures_library) as library:
        index = library.load_index()
        direct = SidebarSearch(index).search("berlin 1167", limit=50)
    assert client.size == len(index)
    assert (answer.seq, answer.query) == (seq, "berlin 1167")
    assert answer.matches.total == direct.total
    assert list(answer.matches.rows) == list(direct.rows)
    assert index.reference_ids[answer.matches.rows[0]] == "09BERLIN1167"


def test_the_full_text_hint_follows_the_answer_once_typing_pauses(fixtures_library: Path):
    """A query no title matches is answered at once; the full text is counted after, and only
    if no newer query came meanwhile (`quiet`)."""
    with Library.open(fixtures_library) as library:
        engine = SidebarSearch(library.load_index())
        asked: list[float] = []

        def run(still: bool) -> list:
            def quiet(seconds: float) -> bool:
                asked.append(seconds)
                return still

            events = answer(
                engine,
                library,
                7,
                "calderon merida ",
                limit=50,
                previous=None,
                cancelled=lambda: False,
                quiet=quiet,
            )
            return [e for e in events if isinstance(e, Answer)]

        first, counted = run(True)
        assert (first.seq, first.matches.total, first.hint) == (7, 0, None)
        assert (counted.seq, counted.matches.total, counted.hint) == (7, 0, 1)
        assert [a.hint for a in run(False)] == [None]  # typing went on: nothing counted
        assert asked == [HINT_AFTER, HINT_AFTER]


def test_an_answer_to_a_query_matching_nothing_leaves_the_engine_behind(fixtures_library: Path):
    """A word matching nothing keeps the answer before it to narrow from, and that one holds
    the engine: none of it goes down the pipe (it was the whole engine, pickled)."""
    with Library.open(fixtures_library) as library:
        engine = SidebarSearch(library.load_index())
        previous = None
        for seq, text in enumerate(["kab", "kabulzz"]):
            for event in answer(
                engine,
                None,
                seq,
                text,
                limit=50,
                previous=previous,
                cancelled=lambda: False,
                quiet=lambda seconds: False,
            ):
                if isinstance(event, tuple):
                    previous = event[1]
                elif isinstance(event, Answer):
                    sent = event
    assert sent.matches.total == 0 and previous is not None and previous.fallback is not None
    assert sent.matches.fallback is None and sent.matches.engine is None
    assert len(pickle.dumps(sent)) < 2000


def test_only_the_newest_of_queued_queries_is_answered(client: SearchClient):
    # typed while the child is still loading: it answers the last one only
    for end in range(1, len("embassy baghdad") + 1):
        last = client.submit("embassy baghdad"[:end])
    seen = events_until(client, lambda e: isinstance(e, Answer))
    answers = [e for e in seen if isinstance(e, Answer)]
    assert [(a.seq, a.query) for a in answers] == [(last, "embassy baghdad")]
    assert client.latest == last


def test_ready_says_which_generation_the_engine_is_of(client: SearchClient, fixtures_library):
    seen = events_until(client, lambda e: isinstance(e, Ready))
    indexed, ready = seen  # the index first (the browser lists it), then the engine
    with Library.open(fixtures_library) as library:
        assert indexed == Indexed(library.generation())
        assert ready.generation == client.generation == library.generation()


def test_a_killed_child_is_restarted_and_asked_again(client: SearchClient):
    events_until(client, lambda e: isinstance(e, Ready))
    first = client.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    seq = client.submit("mexico")
    seen = events_until(client, lambda e: isinstance(e, Answer))
    assert client.pid not in (None, first)
    assert [a.seq for a in seen if isinstance(a, Answer)] == [seq]


def test_a_restart_reloads_the_child_in_place(client: SearchClient, fixtures_library: Path):
    """A reload after an import lands costs the UI thread one message, even with the child
    busy (stopped here, deaf to its socket): the child executes itself anew, in the same
    process, on the library as it is now; nothing the old image sent after the reload was
    asked for reaches the caller, and the newest query is answered again by the new one."""
    events_until(client, lambda e: isinstance(e, Ready))
    pid = client.pid
    assert pid is not None
    seq = client.submit("mexico")
    time.sleep(0.5)  # answered by the old image, not yet read
    os.kill(pid, signal.SIGSTOP)
    try:
        client.restart()
        assert not client.ready and client.generation is None
        with Library.open(fixtures_library) as library:
            generation = library.generation()
    finally:
        os.kill(pid, signal.SIGCONT)
    seen = events_until(client, lambda e: isinstance(e, Answer))
    assert [type(e) for e in seen[:3]] == [Indexed, Ready, Answer]  # the new image's, in order
    assert seen[2].seq == seq and client.generation == generation
    assert client.pid == pid
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        assert b"cables.search_process" in cmdline.read()


def test_a_child_that_cannot_start_says_why(tmp_path: Path):
    search = SearchClient(tmp_path / "missing.sqlite3")
    search.start()
    try:
        seen = events_until(search, lambda e: isinstance(e, Failed))
        failed = next(e for e in seen if isinstance(e, Failed))
        assert "missing.sqlite3" in failed.message and "\n" not in failed.message
        assert search.failed == failed.message
        assert search.pid is None  # given up: nothing left running
    finally:
        search.close()


def test_closing_the_client_ends_the_child(fixtures_library: Path):
    search = SearchClient(fixtures_library)
    search.start()
    pid = search.pid
    assert pid is not None
    search.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_the_app_searches_through_its_process_and_ends_it(fixtures_library: Path):
    library = Library.open(fixtures_library)
    app = CablesApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await index_loaded(app, pilot)
        pid = app.search.pid
        assert pid is not None and pid != os.getpid()
        await pilot.press("ctrl+f", *"berlin", "space", *"1167")
        await shown(app, pilot, "berlin 1167")
        assert app.sidebar.cable_list.selected == "09BERLIN1167"
    library.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_keys_typed_right_after_ctrl_f_land_in_the_box(fixtures_library: Path):
    from textual import events

    library = Library.open(fixtures_library)
    app = CablesApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await index_loaded(app, pilot)
        # as a terminal delivers them: one read, no wait for the focus to move in between
        for key, char in [("ctrl+f", None), ("b", "b"), ("e", "e")]:
            app.post_message(events.Key(key, char))
        await shown(app, pilot, "be")
        assert app.sidebar.query_one("#query").value == "be"
    library.close()
