"""The config file: the example, every validation message, and `cables config` run for real."""

from __future__ import annotations

import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import FIXTURES
from textual.keys import Keys, _character_to_key
from textual.theme import BUILTIN_THEMES

from cables import config as cfg
from cables import paths
from cables.cli import main
from cables.keymap import ACTIONS
from cables.keynames import normalise_key, normalise_keys
from cables.model import Level

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the example and the defaults ---------------------------------------------------------


def test_example_loads_and_holds_the_defaults() -> None:
    loaded = cfg.load(EXAMPLE)
    assert cfg.to_document(loaded) == cfg.to_document(cfg.Config())


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    document = tomllib.loads(text)
    assert "# library = " in text  # platform-dependent default: shown commented out
    assert set(document) | {"library"} == set(cfg._TOP)
    assert set(document["keymap"]) == {a.id for a in ACTIONS}
    assert set(document["colors"]) == {level.value for level in Level}
    assert set(document["permalinks"]) == {"cable", "paragraph"}
    assert set(document["sidebar"]) == {"columns", "limit"}
    # PlusD and a mirror as commented alternatives, each of them a valid template too.
    alternatives = [
        line.split("=", 1)[1].strip().strip('"')
        for line in text.splitlines()
        if line.startswith(("# cable = ", "# paragraph = "))
    ]
    assert any("plusd" in a for a in alternatives) and any("mirror" in a for a in alternatives)
    for template in alternatives:
        cfg.validate({"permalinks": {"paragraph": template}}, EXAMPLE)


def test_absent_file_means_defaults(tmp_path: Path) -> None:
    assert cfg.load(tmp_path / "nothing.toml") == cfg.Config()


def test_theme_list_matches_textual() -> None:
    assert set(cfg.THEMES) == set(BUILTIN_THEMES)


def test_key_names_follow_textual() -> None:
    for key in Keys:
        if key.value.startswith("<") or "-" in key.value or "@" in key.value:
            continue  # internal pseudo-keys and legacy aliases nobody binds
        assert normalise_key(key.value) == key.value
    for char in string.punctuation + string.ascii_letters + string.digits:
        assert normalise_key(char) == _character_to_key(char)
    assert normalise_keys("shift+ctrl+up, ?") == "ctrl+shift+up,question_mark"
    for action in ACTIONS:
        assert normalise_keys(action.keys) == action.keys


# --- where the config and the library are found --------------------------------------------


def test_config_path_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cfg.config_path(None) == paths.default_config()
    monkeypatch.setenv("CABLES_CONFIG", str(tmp_path / "env.toml"))
    assert cfg.config_path(None) == tmp_path / "env.toml"
    assert cfg.config_path(str(tmp_path / "cli.toml")) == tmp_path / "cli.toml"


def test_library_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    path = write(tmp_path, 'library = "lib/mine.sqlite3"\n')
    args = argparse.Namespace(config=str(path), library=None)
    assert cfg.resolve_library(args) == tmp_path / "lib" / "mine.sqlite3"  # beside the config
    monkeypatch.setenv("CABLES_LIBRARY", str(tmp_path / "env.sqlite3"))
    assert cfg.resolve_library(args) == tmp_path / "env.sqlite3"
    args.library = str(tmp_path / "cli.sqlite3")
    assert cfg.resolve_library(args) == tmp_path / "cli.sqlite3"
    monkeypatch.delenv("CABLES_LIBRARY")
    assert cfg.resolve_library(argparse.Namespace()) == paths.default_library()


# --- every validation message --------------------------------------------------------------

BAD = [
    ('colour = "red"\n', "config.toml:1: colour: expected one of the keys library, clipboard,"),
    ("library = 3\n", "config.toml:1: library = 3: expected a file path as a string"),
    ('library = ""\n', 'config.toml:1: library = "": expected a file path (not empty)'),
    (
        'clipboard = "x11"\n',
        'config.toml:1: clipboard = "x11": expected one of "osc52", "local", "both", "off"',
    ),
    ('theme = "solarised"\n', 'config.toml:1: theme = "solarised": expected a Textual theme: '),
    ('permalinks = "x"\n', 'config.toml:1: permalinks = "x": expected a table [permalinks]'),
    ('[permalinks]\npage = "x"\n', "config.toml:2: permalinks.page: expected cable or paragraph"),
    ("[permalinks]\ncable = 1\n", "config.toml:2: permalinks.cable = 1: expected a URL template"),
    (
        '[permalinks]\nparagraph = "https://x/{ref}#{para}"\n',
        'permalinks.paragraph = "https://x/{ref}#{para}": expected only the placeholders'
        " {anchor}, {month}, {ref}, {year} (not {para})",
    ),
    (
        '[permalinks]\ncable = "https://x/{ref}#{anchor}"\n',
        "expected only the placeholders {month}, {ref}, {year} (not {anchor})",
    ),
    (
        '[permalinks]\ncable = "https://x/{ref"\n',
        'config.toml:2: permalinks.cable = "https://x/{ref": expected balanced { }',
    ),
    (
        '[colors]\nS = "redd"\n',
        'config.toml:2: colors.S = "redd": expected a colour as "#rrggbb" or "#rgb"',
    ),
    ('[colors]\nS = "#12345"\n', 'colors.S = "#12345": expected a colour'),
    (
        '[colors]\nX = "#123456"\n',
        "config.toml:2: colors.X: expected a level: U, SBU, C, S, TS, unmarked (unknown key)",
    ),
    ('[keymap]\njump = "j"\n', "config.toml:2: keymap.jump: expected a binding id"),
    ("[keymap]\nquit = 1\n", "config.toml:2: keymap.quit = 1: expected keys as a string"),
    (
        '[keymap]\nquit = "ctrl+qq"\n',
        'config.toml:2: keymap.quit = "ctrl+qq": expected Textual'
        " key names, comma-separated, e.g. \"j,down\": 'qq' is not a key name",
    ),
    ('[keymap]\nquit = "cmd+q"\n', "'cmd' in 'cmd+q' is not a modifier"),
    ('[keymap]\nquit = "ctrl+Q"\n', "'ctrl+Q': write the letter in lower case with shift+"),
    ('[keymap]\nquit = ""\n', "no key given"),
    (
        '[keymap]\nquit = "j"\n',
        'config.toml:2: keymap.quit = "j": expected a key no other'
        " action uses (j is also next_paragraph)",
    ),
    (
        '[sidebar]\ncolumns = ["ref", "ref"]\n',
        'config.toml:2: sidebar.columns = ["ref", "ref"]:'
        ' expected a list of distinct column names from "level", "ref"',
    ),
    ('[sidebar]\ncolumns = ["flag"]\n', 'sidebar.columns = ["flag"]: expected a list'),
    ("[sidebar]\nlimit = true\n", "config.toml:2: sidebar.limit = true: expected a whole number"),
    ('[sidebar]\nlimit = "5"\n', 'sidebar.limit = "5": expected a whole number from 1 to'),
    ("[sidebar]\nwidth = 3\n", "config.toml:2: sidebar.width: expected columns or limit"),
    ("sidebar.limit = 0\n", "config.toml:1: sidebar.limit = 0: expected a whole number"),
    ('clipboard = "both\n', "config.toml: not valid TOML: "),
    ('theme = "\\u001b[31m"\n', 'config.toml:1: theme = "\\u001b[31m": expected a Textual'),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_each_problem_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    assert len(err.value.problems) == 1
    (problem,) = err.value.problems
    assert "\n" not in problem
    assert problem.startswith(str(path))
    assert message in problem


def test_every_problem_is_reported_and_the_command_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'theme = "x"\n\n[colors]\nC = "blue"\n')
    assert main(["--config", str(path), "config", "show"]) == 2
    err = capsys.readouterr()
    assert err.out == ""
    assert err.err.splitlines() == [
        f'cables: {path}:1: theme = "x": expected a Textual theme: ' + ", ".join(cfg.THEMES),
        f'cables: {path}:4: colors.C = "blue": expected a colour as "#rrggbb" or "#rgb"',
    ]


def test_valid_values_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[colors]\nS = "#F00"\n[keymap]\nquit = "shift+ctrl+x, ?"\nhelp = "f1"\n'
    )
    loaded = cfg.load(path)
    assert loaded.level_colors["S"] == "#ff0000"
    assert loaded.level_colors["C"] == cfg.DEFAULT_LEVEL_COLORS["C"]
    assert loaded.keymap == {"quit": "ctrl+shift+x,question_mark", "help": "f1"}


# --- cables config, run for real ----------------------------------------------------------


def test_init_path_show_set_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = paths.default_config()
    assert main(["config", "path"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(target) and "defaults are in use" in out.err

    assert main(["config", "init"]) == 0
    assert cfg.to_document(cfg.load(target)) == cfg.to_document(cfg.Config())
    first = target.read_bytes()
    capsys.readouterr()

    # Never overwritten without --force.
    target.write_text('theme = "nord"\n')
    assert main(["config", "init"]) == 2
    assert "use --force" in capsys.readouterr().err
    assert target.read_text() == 'theme = "nord"\n'
    assert main(["config", "init", "--force"]) == 0
    assert target.read_bytes() == first

    assert main(["config", "set", "sidebar.limit", "200"]) == 0
    assert main(["config", "set", "keymap.quit", '"x"']) == 0
    assert (
        main(
            [
                "config",
                "set",
                "permalinks.cable",
                '"https://wikileaks.org/plusd/cables/{ref}_a.html"',
            ]
        )
        == 0
    )
    loaded = cfg.load(target)
    assert loaded.sidebar_limit == 200 and loaded.keymap["quit"] == "x"
    assert loaded.cable_permalink == "https://wikileaks.org/plusd/cables/{ref}_a.html"
    capsys.readouterr()

    assert main(["config", "show"]) == 0
    shown = capsys.readouterr().out
    assert f"# config file: {target}" in shown
    assert "limit = 200" in shown and 'quit = "x"' in shown
    tomllib.loads(shown)  # the output is itself TOML


def test_show_says_where_each_value_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '[colors]\nS = "#ff0000"\n')
    assert main(["config", "show", "--config", str(path)]) == 0
    lines = {
        line.split(" = ")[0]: line for line in capsys.readouterr().out.splitlines() if " = " in line
    }
    assert lines["S"].endswith("# file") and '"#ff0000"' in lines["S"]
    assert lines["C"].endswith("# default")
    assert lines["library"].endswith("# default (data dir)")
    assert lines["quit"].endswith("# default") and '"q,ctrl+q"' in lines["quit"]


def test_refused_set_leaves_the_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '# mine\ntheme = "nord"\n')
    before = path.stat()
    for key, value in [
        ("clipboard", '"x11"'),
        ("clipboard", "x11"),  # a bare word is a string, and still validated
        ("nope", "1"),
        ("theme.dark", '"x"'),
        ("keymap.quit", '"j"'),
        ("sidebar.limit", "1\nx=2"),
    ]:
        assert main(["--config", str(path), "config", "set", key, value]) == 2
        assert capsys.readouterr().err.startswith("cables: ")
    assert path.read_text() == '# mine\ntheme = "nord"\n'
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # no temp file left


def test_set_creates_the_file_and_env_var_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sub" / "c.toml"
    monkeypatch.setenv("CABLES_CONFIG", str(path))
    assert main(["config", "set", "colors.TS", '"#abc"']) == 0
    assert tomllib.loads(path.read_text()) == {"colors": {"TS": "#abc"}}
    assert cfg.load(path).level_colors["TS"] == "#aabbcc"


def test_installed_command_exits_2_on_a_bad_config(tmp_path: Path) -> None:
    path = write(tmp_path, "[sidebar]\nlimit = -1\n")
    done = subprocess.run(
        [sys.executable, "-m", "cables", "--config", str(path), "config", "show"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"cables: {path}:2: sidebar.limit = -1: expected a whole number from 1 to 100000\n"
    )


def test_set_keeps_the_users_comments_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.read_text())
    assert main(["--config", str(path), "config", "set", "colors.S", '"#ff0000"']) == 0
    assert main(["--config", str(path), "config", "set", "library", '"lib.sqlite3"']) == 0
    assert main(["--config", str(path), "config", "set", "keymap.quit", '"x"']) == 0
    after = path.read_text().splitlines()
    before = EXAMPLE.read_text().splitlines()
    assert after[0] == 'library = "lib.sqlite3"'
    assert [line for line in after[1:] if line not in before] == [
        'S = "#ff0000"  # SECRET',
        'quit = "x"  # Quit (app)',
    ]
    assert len(after) == len(before) + 1
    loaded = cfg.load(path)
    assert loaded.level_colors["S"] == "#ff0000" and loaded.keymap["quit"] == "x"
    assert loaded.library == str(tmp_path / "lib.sqlite3")


def test_set_adds_a_table_or_rewrites_what_it_cannot_edit_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, '# my settings\n[sidebar]\ncolumns = [\n  "ref",\n]\n')
    assert main(["--config", str(path), "config", "set", "colors.U", '"#00ff00"']) == 0
    assert path.read_text() == (
        '# my settings\n[sidebar]\ncolumns = [\n  "ref",\n]\n\n[colors]\nU = "#00ff00"\n'
    )
    assert (
        main(["--config", str(path), "config", "set", "sidebar.columns", '["ref", "tags"]']) == 0
    )  # a value over several lines: the file is written afresh
    assert tomllib.loads(path.read_text()) == {
        "sidebar": {"columns": ["ref", "tags"]},
        "colors": {"U": "#00ff00"},
    }


def test_readme_example_is_a_valid_config(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section: config -->", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    loaded = cfg.load(write(tmp_path, example))
    assert loaded.theme == "nord" and loaded.keymap["quit"] == "ctrl+q"


def test_commands_use_the_configured_library_and_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        'library = "cables.sqlite3"\n[permalinks]\n'
        'paragraph = "https://mirror.example/cable/{year}/{month}/{ref}.html#{anchor}"\n',
    )
    page = FIXTURES / "09BERLIN1167.html"
    assert main(["--config", str(path), "import", str(page)]) == 0
    assert (tmp_path / "cables.sqlite3").is_file()  # beside the config, not in the data dir
    assert not paths.default_library().exists()
    capsys.readouterr()
    assert main(["--config", str(path), "link", "09BERLIN1167#par3"]) == 0
    assert capsys.readouterr().out == (
        "https://mirror.example/cable/2009/09/09BERLIN1167.html#par3\n"
    )


def test_show_names_where_the_library_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'library = "mine.sqlite3"\n')

    def library_line(*argv: str) -> str:
        assert main(["--config", str(path), *argv, "config", "show"]) == 0
        return next(
            line for line in capsys.readouterr().out.splitlines() if line.startswith("library = ")
        )

    assert library_line().startswith(f'library = "{tmp_path / "mine.sqlite3"}"')
    assert library_line().endswith("# file")
    monkeypatch.setenv("CABLES_LIBRARY", str(tmp_path / "env.sqlite3"))
    assert "env.sqlite3" in library_line() and library_line().endswith("# $CABLES_LIBRARY")
    line = library_line("--library", str(tmp_path / "cli.sqlite3"))
    assert "cli.sqlite3" in line and line.endswith("# --library")


def test_only_remapped_keys_reach_the_app(tmp_path: Path) -> None:
    """A keymap listing every default (as `cables config init` writes it) remaps nothing; only
    the keys that differ from the defaults are handed to Textual's keymap."""
    assert main(["config", "init"]) == 0
    target = paths.default_config()
    assert len(cfg.load(target).keymap) == len(ACTIONS)
    assert cfg.remapped_keys(cfg.load(target)) == {}
    assert main(["config", "set", "keymap.quit", '"ctrl+x,x"']) == 0
    assert cfg.remapped_keys(cfg.load(target)) == {"quit": "ctrl+x,x"}
