"""Copying: OSC 52 always, the local clipboard tool only outside SSH, the text always shown."""

from __future__ import annotations

import os

from tui_support import NotedApp, messages

from cables.library import Library
from tui import clipboard


def fake_xclip(tmp_path):
    """A real `xclip` on PATH that writes what it is given to a file."""
    out = tmp_path / "clip.txt"
    script = tmp_path / "bin" / "xclip"
    script.parent.mkdir()
    script.write_text(f"#!/bin/sh\ncat > {out}\n")
    script.chmod(0o755)
    return script.parent, out


async def copy_once(path, mode: str) -> tuple[list[str], str, list[str]]:
    with Library.open(path) as library:
        app = NotedApp(library)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            clipboard.copy(app, "https://example.org/x.html#par3", mode, what="link")
            await app.workers.wait_for_complete()  # the local tool runs in a worker
            await pilot.pause()
            [title] = [n.title for n in app.notes]
            how = title.removeprefix("Copied link (").removesuffix(")")
            used = [] if how == "clipboard off: copy it by hand" else how.split(", ")
            return used, app.clipboard, messages(app)


async def test_local_tool_and_osc52_outside_ssh(tmp_path, monkeypatch, hostile_library):
    bin_dir, out = fake_xclip(tmp_path)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    used, copied, notes = await copy_once(hostile_library, "both")
    assert used == ["OSC 52", "xclip"]
    assert copied == "https://example.org/x.html#par3"
    assert out.read_text() == copied
    assert copied in notes


async def test_over_ssh_only_osc52(tmp_path, monkeypatch, hostile_library):
    bin_dir, out = fake_xclip(tmp_path)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5555 10.0.0.2 22")
    used, copied, notes = await copy_once(hostile_library, "both")
    assert used == ["OSC 52"]
    assert not out.exists()
    assert copied in notes


async def test_off_still_shows_the_text(hostile_library):
    used, copied, notes = await copy_once(hostile_library, "off")
    assert used == []
    assert copied == ""
    assert "https://example.org/x.html#par3" in notes
