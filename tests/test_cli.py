"""The command line's own parsing: which word is the command, and help that lists them all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cables.cli import COMMANDS, main


@pytest.mark.parametrize("argv", [["--help"], ["-h", "stats"], ["--library", "x", "-h"]])
def test_help_lists_every_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Running one command builds its parser alone; asking for help builds them all."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {name} " in out for name in COMMANDS)


def test_a_commands_help_shows_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["open", "--help"])
    assert "REF[#parN]" in capsys.readouterr().out


def test_a_library_named_like_a_command_is_not_taken_for_one(
    fixtures_library: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command is the first word after the global options and their values."""
    shutil.copy(fixtures_library, tmp_path / "stats")
    monkeypatch.chdir(tmp_path)
    assert main(["--library", "stats", "link", "09MEXICO1055#3"]) == 0
    assert capsys.readouterr().out.strip().endswith("09MEXICO1055.html#par3")
