"""`cables open REF`: a bad REF is one clear line and exit status 2, before any screen opens."""

from __future__ import annotations

from cables.cli import main


def test_bad_ref_is_one_line_and_fatal(capsys):
    assert main(["open", "not/a ref"]) == 2
    err = capsys.readouterr().err
    assert err == "cables: not a reference id or cable permalink: 'not/a ref'\n"


def test_bare_cables_with_bad_ref_means_open(capsys):
    assert main(["--library", "/nonexistent/x.sqlite3", "???"]) == 2
    assert "not a reference id" in capsys.readouterr().err
