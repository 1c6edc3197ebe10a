"""Copying permalinks and citations so they reach the user's clipboard, over SSH too.

OSC 52 always goes out (the terminal, tmux with `set-clipboard on`, or the SSH client's terminal
puts it on the user's own clipboard); a local clipboard tool is used as well when there is one
and this is not an SSH session (where it would fill the server's clipboard, not the user's).
The notification shows the copied text so it can always be taken by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from textual.app import App

from cables.config import ClipboardMode

# Tried in order; the first present is used.
LOCAL_TOOLS: tuple[tuple[str, ...], ...] = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
)


def in_ssh_session() -> bool:
    return any(os.environ.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"))


def local_tool() -> tuple[str, ...] | None:
    """The local clipboard command, or None where there is none (or no display to own it)."""
    for command in LOCAL_TOOLS:
        if shutil.which(command[0]) is None:
            continue
        if command[0] in ("xclip", "xsel") and not os.environ.get("DISPLAY"):
            continue
        if command[0] == "wl-copy" and not os.environ.get("WAYLAND_DISPLAY"):
            continue
        return command
    return None


def copy(
    app: App[Any], text: str, mode: ClipboardMode, *, what: str, summary: str | None = None
) -> None:
    """Copy `text` per the configured `mode` (osc52, local, both, off), then show it (or the
    one-line `summary` in its place) with the ways used. The local tool (a subprocess, up to
    2 s) runs in a worker, off the event loop."""
    used: list[str] = []
    if mode in (ClipboardMode.OSC52, ClipboardMode.BOTH):
        app.copy_to_clipboard(text)
        used.append("OSC 52")
    local = mode in (ClipboardMode.LOCAL, ClipboardMode.BOTH) and not in_ssh_session()
    tool = local_tool() if local else None
    shown = text if summary is None else summary
    if tool is None:
        _copied(app, shown, what, used)
        return

    def run_tool() -> None:
        if _run_local(tool, text):
            used.append(tool[0])
        app.call_from_thread(_copied, app, shown, what, used)

    app.run_worker(run_tool, thread=True, group="clipboard")


def _copied(app: App[Any], text: str, what: str, used: list[str]) -> None:
    """Show what was copied (so it can also be taken by hand, or its summary) and how."""
    how = ", ".join(used) if used else "clipboard off: copy it by hand"
    app.notify(text, title=f"Copied {what} ({how})", markup=False, timeout=8)


def _run_local(command: tuple[str, ...], text: str) -> bool:
    try:
        subprocess.run(
            command,
            input=text.encode(),
            check=True,
            timeout=2,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return True
