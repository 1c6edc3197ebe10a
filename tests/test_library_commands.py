import json

import pytest
from conftest import FIXTURES, PAGES

from cables.cli import main
from cables.demo import ensure_demo_library
from cables.export import cable_json
from cables.formats import ParseError
from cables.library import Library
from cables.model import Cable, Level, Paragraph
from cables.parsing import parse_paths
from cables.permalinks import Permalinks

MEXICO = "https://wikileaks.org/cable/2009/04/09MEXICO1055.html"


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "lib.sqlite3"
    files = [
        FIXTURES / "09MEXICO1055.rendered.txt",
        FIXTURES / "09BERLIN1162.html",
        PAGES / "10BERLIN164.html",
    ]
    cables = [c for c in parse_paths(files) if not isinstance(c, ParseError)]
    synthetic = Cable(
        "09PARIS997",
        created="2009-07-01T10:00",
        level=Level.S,
        subject="SYNTH",
        paragraphs=[Paragraph(1, "par1", "(S)", None, "Westerwelle synthetic")],
        synthetic=True,
    )
    with Library.open(path, create=True) as lib:
        lib.add([*cables, synthetic])
    return path


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_show_json_is_the_cable_object(library, capsys) -> None:
    status, out, _ = run(capsys, "show", "09mexico1055", "--json", "--library", str(library))
    assert status == 0
    with Library.open(library) as lib:
        assert json.loads(out) == cable_json(lib.get("09MEXICO1055"), Permalinks())
    data = json.loads(out)
    assert data["permalink"] == MEXICO
    assert [p["number"] for p in data["paragraphs"]] == list(range(1, 14))
    assert data["paragraphs"][2]["permalink"] == MEXICO + "#par3"


def test_show_text_and_markdown(library, capsys) -> None:
    status, out, _ = run(capsys, "--library", str(library), "show", MEXICO + "#par3")
    assert status == 0
    assert "Reference:      09MEXICO1055" in out
    assert "Sent:           2009-04-14T16:11" in out
    assert "Classification: CONFIDENTIAL//NOFORN" in out
    assert "\n¶3 (SBU) " in out
    status, out, _ = run(capsys, "show", "09MEXICO1055", "--markdown", "--library", str(library))
    assert status == 0
    assert out.startswith("# 09MEXICO1055: SCENESETTER FOR PRESIDENT OBAMA")
    assert f"**[¶3]({MEXICO}#par3)** (SBU) " in out
    assert f"- **Permalink:** <{MEXICO}>" in out
    status, out, _ = run(capsys, "show", "09PARIS997", "--markdown", "--library", str(library))
    assert "SYNTHETIC" in out and "wikileaks" not in out
    status, out, _ = run(capsys, "show", "09paris997", "--library", str(library))
    assert out.startswith("SYNTHETIC: generated text")


def test_show_errors(library, tmp_path, capsys) -> None:
    status, _, err = run(capsys, "show", "09MEXICO9999", "--library", str(library))
    assert status == 1 and "09MEXICO9999 is not in the library" in err
    status, _, err = run(capsys, "show", "not a ref!", "--library", str(library))
    assert status == 2 and "not a reference id" in err
    missing = tmp_path / "none.sqlite3"
    status, _, err = run(capsys, "show", "09MEXICO1055", "--library", str(missing))
    assert status == 2 and f"{missing}: no library here" in err
    assert not missing.exists()


def test_link(library, capsys) -> None:
    assert run(capsys, "link", "09Mexico1055", "--library", str(library))[:2] == (0, MEXICO + "\n")
    status, out, _ = run(capsys, "link", "09MEXICO1055#par12", "--library", str(library))
    assert (status, out) == (0, MEXICO + "#par12\n")
    status, out, _ = run(
        capsys,
        "link",
        "https://wikileaks.org/plusd/cables/09MEXICO1055_a.html",
        "--library",
        str(library),
    )
    assert out == MEXICO + "\n"
    status, out, err = run(capsys, "link", "09PARIS997", "--library", str(library))
    assert status == 1 and out == "" and "synthetic cable" in err and "no permalink" in err
    status, _, err = run(capsys, "link", "09MEXICO1055#par99", "--library", str(library))
    assert status == 1 and "has no paragraph par99" in err
    status, _, err = run(capsys, "link", "09MEXICO9", "--library", str(library))
    assert status == 1 and "not in the library" in err


def test_stats(library, capsys) -> None:
    status, out, _ = run(capsys, "stats", "--json", "--library", str(library))
    data = json.loads(out)
    assert status == 0
    assert (data["count"], data["synthetic"]) == (4, 1)
    assert data["by_year"] == {"2009": 3, "2010": 1}
    assert data["by_origin"]["Embassy Berlin"] == 2
    assert sum(data["by_level"].values()) == 4
    status, out, _ = run(capsys, "stats", "--library", str(library))
    assert out.startswith("4 cables in ") and "1 of them synthetic" in out
    assert "Embassy Berlin" in out and "2009" in out


def test_search(library, capsys) -> None:
    status, out, _ = run(capsys, "search", "Westerwelle", "--json", "--library", str(library))
    hits = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [h["reference_id"] for h in hits] == ["10BERLIN164", "09BERLIN1162", "09PARIS997"]
    assert all("«Westerwelle»" in h["snippet"] for h in hits)
    synthetic = hits[2]
    assert synthetic["synthetic"] is True and synthetic["permalink"] is None
    berlin = hits[1]
    assert berlin["permalink"] == (
        f"https://wikileaks.org/cable/2009/09/09BERLIN1162.html#{berlin['anchor']}"
    )
    status, out, _ = run(capsys, "search", "Westerwelle", "--limit", "1", "--library", str(library))
    assert out.startswith("10BERLIN164") and out.count("\n") == 2
    assert "«Westerwelle»" in out.splitlines()[1]
    status, out, _ = run(
        capsys, "search", "Westerwelle", "--ranked", "--json", "--library", str(library)
    )
    assert len(out.splitlines()) == 3
    status, out, err = run(capsys, "search", "nosuchwordanywhere", "--library", str(library))
    assert (status, out) == (1, "") and "no matches" in err
    assert run(capsys, "search", "x", "--limit", "0", "--library", str(library))[0] == 2


def test_demo_library_built_once_in_its_own_file(tmp_path) -> None:
    target = tmp_path / "data" / "demo.sqlite3"
    assert ensure_demo_library(target, n=40) == target
    assert sorted(p.name for p in target.parent.iterdir()) == ["demo.sqlite3"]
    with Library.open(target) as lib:
        index = lib.load_index()
        assert len(index) == 40 and all(index.synthetic)
        stamp = target.stat().st_mtime_ns
    assert ensure_demo_library(target, n=40) == target
    assert target.stat().st_mtime_ns == stamp


def test_config_templates_and_library_key(library, tmp_path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'library = "{library}"\n[permalinks]\n'
        'cable = "https://example.org/{year}/{ref}"\n'
        'paragraph = "https://example.org/{year}/{ref}#{anchor}"\n'
    )
    status, out, _ = run(capsys, "link", "09MEXICO1055#par2", "--config", str(config))
    assert (status, out) == (0, "https://example.org/2009/09MEXICO1055#par2\n")
    status, out, _ = run(capsys, "search", "Westerwelle", "--json", "--config", str(config))
    assert json.loads(out.splitlines()[0])["permalink"].startswith("https://example.org/2010/")
    config.write_text('clipboard = "telepathy"\n')
    status, _, err = run(capsys, "stats", "--config", str(config), "--library", str(library))
    assert status == 2 and "clipboard" in err
