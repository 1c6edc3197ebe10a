"""The README's key table is the one generated from cables.keymap.ACTIONS."""

from __future__ import annotations

from conftest import ROOT

from tui.keys import key_table_markdown


def test_readme_key_table_matches_actions():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section: keys -->", 1)[1].split("<!-- section:", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == key_table_markdown()


def test_readme_documents_the_query_language_once():
    """Every filter has a row with examples that parse cleanly; `?` help names each one too."""
    from cables.query import FILTERS, HELP, parse

    readme = (ROOT / "README.md").read_text()
    assert readme.count("<!-- section: query -->") == 1
    section = readme.split("<!-- section: query -->", 1)[1].split("<!-- section:", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    examples = [e.strip() for row in rows for e in row.split("|")[1].replace("`", "").split(", ")]
    for name in FILTERS:
        assert any(e.startswith(f"{name}:") for e in examples), name
        assert f"{name}:" in HELP, name
    for example in examples:
        assert not parse(example).errors, example
    for bad in ("level:Q", "date:2009-13"):
        assert f"`{bad}`" in section and parse(bad).errors
