"""Small command-line points from the reader's day: `#3` as `#par3`, a bare word for a string
setting, an empty library's stats, no bookmarks said in words."""

from __future__ import annotations

from cables import paths
from cables.cli import main
from cables.library import Library


def test_link_accepts_a_bare_paragraph_number(fixtures_library, capsys):
    assert main(["--library", str(fixtures_library), "link", "09MEXICO1055#3"]) == 0
    assert capsys.readouterr().out.strip().endswith("/2009/04/09MEXICO1055.html#par3")
    assert main(["--library", str(fixtures_library), "link", "09MEXICO1055#par3"]) == 0
    assert capsys.readouterr().out.strip().endswith("09MEXICO1055.html#par3")


def test_config_set_takes_a_bare_word_for_a_string(capsys):
    assert main(["config", "set", "clipboard", "osc52"]) == 0
    assert 'clipboard = "osc52"' in paths.default_config().read_text()
    assert main(["config", "set", "theme", "nord"]) == 0
    assert 'theme = "nord"' in paths.default_config().read_text()
    assert main(["config", "set", "sidebar.limit", "nope"]) == 2  # still validated
    assert "sidebar.limit" in capsys.readouterr().err


def test_stats_on_an_empty_library_says_it_is_empty(tmp_path, capsys):
    path = tmp_path / "empty.sqlite3"
    Library.open(path, create=True).close()
    assert main(["--library", str(path), "stats"]) == 0
    out = capsys.readouterr().out
    assert "is empty: no cables yet" in out and "cables --library" in out


def test_bookmarks_says_when_there_are_none(capsys):
    assert main(["bookmarks"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no bookmarks yet" in captured.err
