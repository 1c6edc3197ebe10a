"""End to end: the full-text mode of the real `cables` command in tmux, typed like a user:
ctrl+f, ctrl+t, `calderon merida`, enter: 09MEXICO1055 opens at ¶4 with the words highlighted,
and n goes to the next match in ¶4."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import FIXTURES, ROOT
from test_tui_e2e import pytestmark, tmux  # noqa: F401 (the same private tmux server)


def test_text_mode_finds_calderon_merida_at_paragraph_4(tmp_path, tmux):  # noqa: F811
    library = tmp_path / "library.sqlite3"
    cables = [sys.executable, "-m", "cables", "--library", str(library)]
    subprocess.run([*cables, "import", str(FIXTURES)], cwd=ROOT, check=True, capture_output=True)
    tmux.start("--library", str(library), size=(110, 32), env={"COLORTERM": "truecolor"})
    tmux("set-option", "-s", "escape-time", "10")
    tmux.wait_for("63 of 63")
    tmux("send-keys", "-t", "e2e", "C-f")
    tmux("send-keys", "-t", "e2e", "C-t")
    tmux.wait_for("ctrl+t: titles")  # the box's label says text mode
    tmux("send-keys", "-t", "e2e", "-l", "calderon merida")
    screen = tmux.wait_for("09MEXICO1055 ¶4")
    assert "1 cable of 63 (text)" in screen
    tmux("send-keys", "-t", "e2e", "Enter")
    screen = tmux.wait_for("¶ 4/13")  # the footer: at paragraph 4 of 09MEXICO1055
    assert "09MEXICO1055 │" in screen
    coloured = tmux.screen(colours=True)
    assert {"calderon", "merida"} <= reversed_words(coloured)
    # at ¶4's first match; n goes to its next match, still in ¶4, and says which
    shot = tmux.wait_for(": match ")  # the line above the text (its query may be cut short)
    first = re.search(r"match (\d+) of (\d+)", shot)
    assert first is not None, shot
    k, total = int(first[1]), int(first[2])
    tmux("send-keys", "-t", "e2e", "n")
    screen = tmux.wait_for(f"match {k + 1} of {total}")
    assert "¶ 4/13" in screen


def reversed_words(screen: str) -> set[str]:
    """Words drawn in reverse video (SGR 7 until 0 or 27), read as a terminal would."""
    words: set[str] = set()
    for line in screen.splitlines():
        reverse = False
        for codes, text in re.findall(r"\x1b\[([0-9;]*)m|([^\x1b]+)", line):
            if text:
                if reverse:
                    words.update(re.findall(r"\w+", text.lower()))
                continue
            parts = (codes or "0").split(";")
            at = 0
            while at < len(parts):
                code = parts[at]
                if code in ("38", "48", "58"):  # a colour: 5;N or 2;R;G;B follow
                    at += 3 if parts[at + 1 : at + 2] == ["5"] else 5
                    continue
                if code in ("0", "27"):
                    reverse = False
                elif code == "7":
                    reverse = True
                at += 1
    return words
