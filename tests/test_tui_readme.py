"""The README's key table is the one generated from cables.keymap.ACTIONS."""

from __future__ import annotations

from conftest import ROOT

from tui.keys import key_table_markdown


def test_readme_key_table_matches_actions():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section: keys -->", 1)[1].split("<!-- section:", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == key_table_markdown()
