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


def test_bad_config_is_reported_before_the_browser_opens(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('clipboard = "telepathy"\n')
    assert main(["--config", str(config), "open"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith(f"cables: {config}") for line in err)
    assert "telepathy" in err[0]
