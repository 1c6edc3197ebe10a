"""`cables parse`: the real command, run as a subprocess and through `cables.cli.main`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

from cables.cli import main

MEXICO = str(FIXTURES / "09MEXICO1055.rendered.txt")
BERN = str(FIXTURES / "07BERN881.html")
TEHRAN = str(FIXTURES / "73TEHRAN8233.html")

CABLE_KEYS = {
    "partial",
    "reference_id",
    "created",
    "released",
    "created_dtg",
    "sent",
    "classification",
    "level",
    "origin",
    "subject",
    "tags",
    "references",
    "ref_text",
    "caveats",
    "classified_by",
    "sections",
    "articles",
    "synthetic",
    "permalink",
    "source",
    "paragraphs",
}
PARAGRAPH_KEYS = {"number", "anchor", "marking", "level", "caveats", "text", "section", "permalink"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cables", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_json_lines_with_every_documented_key():
    done = _run("parse", "--json", MEXICO, BERN)
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["reference_id"] for o in objects] == ["09MEXICO1055", "07BERN881", "07TBILISI2290"]
    for obj in objects:
        assert set(obj) == CABLE_KEYS
        assert all(set(p) == PARAGRAPH_KEYS for p in obj["paragraphs"])
    mexico = objects[0]
    assert mexico["created"] == mexico["sent"] == "2009-04-14T16:11"
    assert mexico["permalink"] == "https://wikileaks.org/cable/2009/04/09MEXICO1055.html"
    assert mexico["paragraphs"][2]["permalink"] == (
        "https://wikileaks.org/cable/2009/04/09MEXICO1055.html#par3"
    )
    assert mexico["source"] == {"file": MEXICO, "record": None, "recovered_from": None}
    assert objects[2]["source"]["recovered_from"] == "07BERN881"
    assert done.stderr == ""


def test_readable_summary_without_json():
    done = _run("parse", MEXICO)
    assert done.returncode == 0
    first, subject = done.stdout.splitlines()[:2]
    assert first.split("  ") == [
        "09MEXICO1055",
        "2009-04-14T16:11",
        "CONFIDENTIAL//NOFORN",
        "Embassy Mexico",
        "13 paragraphs",
    ]
    assert subject.strip().startswith("SCENESETTER FOR PRESIDENT OBAMA'S VISIT")
    assert done.stderr == "cables: 1 parsed, 0 skipped\n"


def test_skipped_inputs_exit_1_each_named_on_one_stderr_line(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list: eggs, milk.\n")
    done = _run("parse", "--json", str(tmp_path / "missing.html"), MEXICO, str(notes))
    assert done.returncode == 1
    assert [json.loads(line)["reference_id"] for line in done.stdout.splitlines()] == [
        "09MEXICO1055"
    ]
    assert done.stderr.splitlines() == [
        f"cables: skipped {tmp_path / 'missing.html'}: no such file or folder",
        f"cables: skipped {notes}: not a cable file (no cable page, telegram, record or "
        "cables.csv row found)",
    ]


def test_a_dropped_glued_fragment_is_a_warning_not_a_skip():
    done = _run("parse", "--json", TEHRAN)
    assert done.returncode == 0
    assert [json.loads(line)["reference_id"] for line in done.stdout.splitlines()] == [
        "73TEHRAN8233"
    ]
    [warning] = done.stderr.splitlines()
    assert warning.startswith(f"cables: warning: {TEHRAN} body line ")
    assert "glued after the end" in warning


def test_nothing_readable_is_fatal(tmp_path):
    done = _run("parse", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"cables: skipped {tmp_path / 'nope'}: no such file or folder",
        "cables: nothing parsed (1 inputs skipped)",
    ]


def test_bad_usage_is_fatal():
    done = _run("parse")
    assert done.returncode == 2
    assert done.stderr.startswith("cables: ")
    assert "PATH" in done.stderr
    assert _run("parse", "--no-such-option", "x").returncode == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["--library", "LIB", "parse", "--json", MEXICO],
        ["parse", "--library", "LIB", "--json", MEXICO],
        ["parse", "--json", MEXICO, "--library", "LIB", "--config", "CFG"],
        ["--config", "CFG", "parse", MEXICO, "--json"],
    ],
)
def test_global_options_go_anywhere_on_the_line(argv, tmp_path, capsys):
    argv = [str(tmp_path / a) if a in ("LIB", "CFG") else a for a in argv]
    assert main(argv) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["reference_id"] == "09MEXICO1055"


def test_unnumbered_paragraphs_and_dateless_cables_get_null_permalinks(tmp_path, capsys):
    path = tmp_path / "t.txt"
    path.write_text(
        "R 250930Z FEB 72\nFM AMEMBASSY TEHRAN\n\nUNCLAS TEHRAN 1164\n\n"
        "TAGS: PINT IR\nSUBJECT: TEST\n\nAn unnumbered paragraph.\n\n"
        "1. A numbered one.\n"
    )
    assert main(["parse", "--json", str(path)]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["reference_id"] == "72TEHRAN1164"
    links = {p["number"]: p["permalink"] for p in obj["paragraphs"]}
    assert links[None] is None
    assert links[1] == "https://wikileaks.org/cable/1972/02/72TEHRAN1164.html#par1"


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    path = tmp_path / "evil\x1b[31m.txt"
    path.write_text(
        "R 250930Z FEB 72\n\nUNCLAS TEHRAN 1164\n\n"
        "SUBJECT: RED \x1b]0;pwned\x07 TITLE\n\n1. Text \x1b[2J here.\n"
    )
    assert main(["parse", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "\x07" not in out and "\x1b" not in err
    assert "RED" in out


def test_permalinks_follow_the_configured_templates(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(
        '[permalinks]\ncable = "https://mirror.example/{ref}.html"\n'
        'paragraph = "https://mirror.example/{ref}.html#{anchor}"\n'
    )
    assert main(["parse", "--json", "--config", str(config), MEXICO]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["permalink"] == "https://mirror.example/09MEXICO1055.html"
    assert obj["paragraphs"][0]["permalink"] == "https://mirror.example/09MEXICO1055.html#par1"


def test_a_bad_config_is_fatal_and_named(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[permalinks]\ncable = "https://x/{nope}"\n')
    done = _run("--config", str(config), "parse", str(tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(config) in done.stderr and "permalinks.cable" in done.stderr
