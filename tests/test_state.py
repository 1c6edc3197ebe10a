"""Saved state: bookmarks and history survive restarts, damage and kill -9; Markdown export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cables import paths
from cables import state as state_module
from cables.atomic import write_atomic
from cables.export import bookmarks_markdown
from cables.model import Cable, Paragraph
from cables.permalinks import Permalinks
from cables.state import Bookmark, State


def cable(
    ref: str = "00HARARE6677",
    created: str | None = "2000-11-29T13:01",
    subject: str = "ASSISTANT SECRETARY MEETS WITH ZIMBABWE OPPOSITION LEADER",
    *,
    synthetic: bool = False,
) -> Cable:
    paragraphs = [Paragraph(n, f"par{n}", "(C)", None, f"text {n}") for n in range(1, 4)]
    return Cable(
        reference_id=ref,
        created=created,
        subject=subject,
        paragraphs=paragraphs,
        synthetic=synthetic,
    )


def filled(path: Path) -> State:
    state = State.load(path)
    c = cable()
    assert state.toggle_bookmark(c, c.paragraphs[2]) is True
    assert state.toggle_bookmark(c, None) is True
    state.record_open(cable("09MEXICO1055", "2009-04-14T16:11", 'MEXICO: A "SUBJECT"'))
    state.record_open(c)
    return state


def test_default_location_is_the_data_dir() -> None:
    state = State.load()
    assert state.path == paths.state_file() and state.bookmarks == [] and state.warning is None


def test_bookmarks_and_history_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    before = filled(path)
    after = State.load(path)
    assert after.warning is None
    assert after.bookmarks == before.bookmarks
    assert after.history == before.history
    b = after.bookmark("00HARARE6677", "par3")
    assert b is not None and b.paragraph == 3 and b.cable_created == "2000-11-29T13:01"
    assert after.bookmark("00HARARE6677", None) is not None
    assert [v.ref for v in after.history] == ["00HARARE6677", "09MEXICO1055"]
    assert after.history[1].subject == 'MEXICO: A "SUBJECT"'


def test_toggle_removes_and_history_keeps_one_visit_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_module, "HISTORY_LIMIT", 12)  # the rule, without 200 fsyncs
    path = tmp_path / "state.toml"
    state = filled(path)
    c = cable()
    assert state.toggle_bookmark(c, c.paragraphs[2]) is False
    assert State.load(path).bookmark("00HARARE6677", "par3") is None
    for n in range(17):
        state.record_open(cable(f"09STATE{n}"))
    state.record_open(cable("09STATE7"))
    history = State.load(path).history
    assert len(history) == 12
    assert history[0].ref == "09STATE7" and history[1].ref == "09STATE16"
    assert sum(v.ref == "09STATE7" for v in history) == 1


def test_a_file_truncated_by_hand_is_handled_at_every_length(tmp_path: Path) -> None:
    source = tmp_path / "full.toml"
    filled(source)
    data = source.read_bytes()
    for cut in range(len(data)):
        folder = tmp_path / f"cut{cut}"
        folder.mkdir()
        path = folder / "state.toml"
        path.write_bytes(data[:cut])
        state = State.load(path)  # never raises
        aside = [p for p in folder.iterdir() if p.name.startswith("state.toml.corrupt-")]
        if state.warning:
            assert str(path) in state.warning and "\n" not in state.warning
            assert len(aside) == 1 and aside[0].read_bytes() == data[:cut]  # nothing lost
            if path.exists():  # the entries that could be read were written back at once
                again = State.load(path)
                assert again.warning is None
                assert (again.bookmarks, again.history) == (state.bookmarks, state.history)
            elif cut % 16 == 0:
                state.save()  # saving works again
                assert State.load(path).warning is None
        else:
            assert aside == []
        # Whatever survives a cut is a prefix of what was saved.
        assert len(state.bookmarks) <= 2 and len(state.history) <= 2


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"bookmarks = 'not a list'\n",
        b"[[bookmarks]]\nanchor = 'par1'\n",
        b"[[history]]\nref = 1\n",
    ],
)
def test_damaged_files_are_set_aside_with_a_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.toml"
    path.write_bytes(content)
    state = State.load(path)
    assert state.warning and "kept as state.toml.corrupt-" in state.warning
    (aside,) = tmp_path.glob("state.toml.corrupt-*")
    assert aside.read_bytes() == content


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b'{"version": 3, "history": [{"ref": "09MEXICO1055"}',  # cut short
        b'["09MEXICO1055"]',
        b'{"history": "09MEXICO1055"}',
        b'{"history": [{"ref": 1055}]}',
    ],
)
def test_a_damaged_history_file_is_set_aside_with_a_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.toml"
    (tmp_path / "history.json").write_bytes(content)
    state = State.load(path)
    assert state.warning and "kept as history.json.corrupt-" in state.warning
    assert state.history == []
    (aside,) = tmp_path.glob("history.json.corrupt-*")
    assert aside.read_bytes() == content
    state.record_open(cable())  # and the history is kept again
    assert [v.ref for v in State.load(path).history] == ["00HARARE6677"]


def test_the_history_of_an_older_version_is_read_then_replaced(tmp_path: Path) -> None:
    """Version 2 kept the history in `history.toml` (version 1 in `state.toml`): it is read
    until the history is next saved, as `history.json`, and then removed."""
    path = tmp_path / "state.toml"
    old = tmp_path / "history.toml"
    old.write_text(
        'version = 2\n\n[[history]]\nref = "09MEXICO1055"\nsubject = "MEXICO"\n'
        'opened = "2026-11-01T10:00:00Z"\n'
    )
    state = State.load(path)
    assert [(v.ref, v.subject) for v in state.history] == [("09MEXICO1055", "MEXICO")]
    state.record_open(cable())
    assert not old.exists()
    document = json.loads((tmp_path / "history.json").read_text())
    assert document["version"] == 3
    assert [v["ref"] for v in document["history"]] == ["00HARARE6677", "09MEXICO1055"]
    assert [v.ref for v in State.load(path).history] == ["00HARARE6677", "09MEXICO1055"]


def test_good_entries_are_kept_from_a_partly_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text(
        textwrap.dedent("""\
        [[bookmarks]]
        ref = "09MEXICO1055"
        anchor = "par3"
        paragraph = 3

        [[bookmarks]]
        ref = "09MEXICO1056"
        paragraph = "three"
    """)
    )
    state = State.load(path)
    assert [b.ref for b in state.bookmarks] == ["09MEXICO1055"]
    assert state.warning and "1 damaged entries skipped" in state.warning
    again = State.load(path)  # the good entry was written back in place of the damaged file
    assert again.warning is None and [b.ref for b in again.bookmarks] == ["09MEXICO1055"]
    state.record_open(cable())
    assert [b.ref for b in State.load(path).bookmarks] == ["09MEXICO1055"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.toml"
    path.write_bytes(b"old\n")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["state.toml"]


@pytest.mark.parametrize(
    ("pause_at", "saved"),
    [(1, 20), (2, 21)],
    ids=["new-file-written-not-renamed", "renamed-folder-not-synced"],
)
def test_kill_9_while_saving_never_leaves_a_half_written_file(
    tmp_path: Path, pause_at: int, saved: int
) -> None:
    """The 21st save is held inside `write_atomic` (after its first or second fsync, the
    only places it waits on the disk) and killed there: the file is the old one or the new."""
    path = tmp_path / "state.toml"
    writer = textwrap.dedent(f"""\
        import os, time
        from pathlib import Path
        from cables.model import Cable
        from cables.state import State
        state = State.load(Path({str(path)!r}))
        for n in range(1, 21):
            state.record_open(Cable(reference_id=f"09STATE{{n}}", subject="x" * 2000))
        real_fsync, calls = os.fsync, []
        def held_fsync(fd):
            real_fsync(fd)
            calls.append(fd)
            if len(calls) == {pause_at}:
                print("inside", flush=True)
                time.sleep(60)
        os.fsync = held_fsync
        state.record_open(Cable(reference_id="09STATE21", subject="x" * 2000))
        print("not held", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"inside\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    document = json.loads(path.with_name("history.json").read_text())  # whole, old or new
    state = State.load(path)
    assert state.warning is None and len(state.history) == len(document["history"]) == saved
    assert state.history[0].ref == ("09STATE21" if saved == 21 else "09STATE20")


def test_export_markdown_cites_with_the_configured_permalinks(tmp_path: Path, facts: dict) -> None:
    page = facts["00HARARE6677.html"]["observed"]
    state = filled(tmp_path / "state.toml")
    state.set_note("00HARARE6677", "par3", "see *para* 3\n[sic]")
    state.toggle_bookmark(cable("10STATE1", synthetic=True), None)
    markdown = bookmarks_markdown(state.bookmarks, Permalinks())
    lines = markdown.splitlines()
    assert lines[0] == "# Bookmarked cables"
    assert lines[2] == (
        f"- [00HARARE6677 ¶3](<https://wikileaks.org{page['page_href']}#par3>),"
        " *ASSISTANT SECRETARY MEETS WITH ZIMBABWE OPPOSITION LEADER*, 2000-11-29:"
        " see \\*para\\* 3 \\[sic\\]"
    )
    assert lines[3].startswith(f"- [00HARARE6677](<https://wikileaks.org{page['page_href']}>)")
    assert lines[4].startswith("- 10STATE1 (no permalink: 10STATE1 is a synthetic cable")
    plusd = Permalinks(
        "https://wikileaks.org/plusd/cables/{ref}_a.html",
        "https://wikileaks.org/plusd/cables/{ref}_a.html",
    )
    assert (
        "(<https://wikileaks.org/plusd/cables/00HARARE6677_a.html>)"
        in bookmarks_markdown(state.bookmarks, plusd).splitlines()[2]
    )
    assert bookmarks_markdown([], Permalinks()).endswith("(no bookmarks)\n")


def test_bookmark_fields_round_trip_through_toml(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    state = State(path, bookmarks=[Bookmark("09MEXICO1055", note="n\u00e9", added="x")])
    state.save()
    assert State.load(path).bookmarks == state.bookmarks


def test_bookmarks_command_lists_and_exports_with_the_config_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cables.cli import main

    filled(paths.state_file())
    assert main(["bookmarks"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("00HARARE6677 ¶3  ASSISTANT SECRETARY MEETS WITH ZIMBABWE")
    assert listed[1].startswith("00HARARE6677  ASSISTANT")
    config = tmp_path / "c.toml"
    config.write_text(
        '[permalinks]\ncable = "https://m.example/{ref}"\n'
        'paragraph = "https://m.example/{year}/{ref}#{anchor}"\n'
    )
    assert main(["bookmarks", "--markdown", "--config", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("- [00HARARE6677 ¶3](<https://m.example/2000/00HARARE6677#par3>)")
    assert out[3].startswith("- [00HARARE6677](<https://m.example/00HARARE6677>)")


def test_two_running_apps_do_not_lose_each_others_changes(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    first, second = State.load(path), State.load(path)
    a, b = cable("09MEXICO1055"), cable("00HARARE6677")
    first.toggle_bookmark(a, a.paragraphs[0])
    second.toggle_bookmark(b, b.paragraphs[1])
    first.record_open(a)
    second.record_open(b)
    after = State.load(path)
    assert [(x.ref, x.anchor) for x in after.bookmarks] == [
        ("09MEXICO1055", "par1"),
        ("00HARARE6677", "par2"),
    ]
    assert [v.ref for v in after.history] == ["00HARARE6677", "09MEXICO1055"]
    first.remove_bookmark(State.load(path).bookmarks[1])  # opening cables left first's stale
    assert [x.ref for x in State.load(path).bookmarks] == ["09MEXICO1055"]


def test_an_unwritable_data_dir_never_stops_a_cable_opening(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data dir should be")
    state = State.load(blocker / "state.toml")
    c = cable()
    first = state.record_open(c)
    assert first and "history not saved" in first and str(blocker) in first
    assert state.record_open(c) is None  # said once
    assert [v.ref for v in state.history] == ["00HARARE6677"]
    with pytest.raises(OSError):
        state.toggle_bookmark(c, c.paragraphs[0])


def test_an_unnumbered_paragraph_bookmarks_the_cable(tmp_path: Path) -> None:
    state = State.load(tmp_path / "state.toml")
    c = cable()
    c.paragraphs.append(Paragraph(None, None, None, None, "MURPHY"))
    assert state.toggle_bookmark(c, c.paragraphs[-1]) is True
    assert state.bookmark("00HARARE6677", None) is not None
    assert state.toggle_bookmark(c, None) is False
    assert state.bookmarks == []
