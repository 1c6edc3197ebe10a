"""The parse entry point: sniffing by content, folders, gz, glued records, clear errors."""

from __future__ import annotations

import gzip
import shutil

import pytest
from conftest import FIXTURES

from cables.formats import ParseError, RawCable
from cables.formats.csvdump import CsvRow, write_rows
from cables.model import Cable, Source
from cables.parsing import ParseWarning, parse_path, parse_paths, split_glued

PARIS = FIXTURES / "09PARIS997.tika.txt"
MEXICO = FIXTURES / "09MEXICO1055.rendered.txt"
BERN = FIXTURES / "07BERN881.html"
TEHRAN = FIXTURES / "73TEHRAN8233.html"


def _cables(items) -> list[Cable]:
    items = list(items)
    assert all(isinstance(i, Cable) for i in items), [str(i) for i in items]
    return items


def _dump(path, n: int = 3) -> None:
    """A cables.csv with real telegram text in each row."""
    body = PARIS.read_bytes().decode("latin-1").replace("\r\n", "\n")
    header, _, text = body.partition("CONFIDENTIAL SECTION")
    rows = [
        CsvRow(
            str(i),
            "7/23/2009 15:44",
            "09PARIS997" if i == 1 else f"09PARIS{996 + i}",
            "Embassy Paris",
            "CONFIDENTIAL",
            "09STATE1|09PARIS900",
            header.strip(),
            "CONFIDENTIAL SECTION" + text,
        )
        for i in range(1, n + 1)
    ]
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_rows(stream, rows)


def test_the_format_is_sniffed_from_content_not_the_name(tmp_path):
    disguised = {
        "page.txt": BERN,
        "telegram.html": PARIS,
        "rendered.csv": MEXICO,
        "noext": TEHRAN,
    }
    for name, source in disguised.items():
        shutil.copy(source, tmp_path / name)
    _dump(tmp_path / "dump.html")
    got = {
        p.name: [c.reference_id for c in _cables(parse_path(p)) if isinstance(c, Cable)]
        for p in sorted(tmp_path.iterdir())
        if p.name != "noext"
    }
    assert got == {
        "dump.html": ["09PARIS997", "09PARIS998", "09PARIS999"],
        "page.txt": ["07BERN881", "07TBILISI2290"],
        "rendered.csv": ["09MEXICO1055"],
        "telegram.html": ["09PARIS997"],
    }
    assert [c.reference_id for c in parse_path(tmp_path / "noext") if isinstance(c, Cable)] == [
        "73TEHRAN8233"
    ]


def test_csv_rows_keep_their_columns_and_row_numbers(tmp_path):
    _dump(tmp_path / "cables.csv")
    cables = _cables(parse_path(tmp_path / "cables.csv"))
    first = cables[0]
    assert (first.created, first.origin, first.classification) == (
        "2009-07-23T15:44",
        "Embassy Paris",
        "CONFIDENTIAL",
    )
    assert first.references == ["09STATE1", "09PARIS900"]
    assert [c.source.record for c in cables] == [1, 2, 3]
    assert first.header is not None and first.header.startswith("VZCZCXRO4815")
    assert [p.number for p in first.paragraphs if p.number] == list(range(1, 12))


def test_gz_is_read_through_whatever_its_content(tmp_path):
    _dump(tmp_path / "cables.csv")
    for name, data in (
        ("cables.csv.gz", (tmp_path / "cables.csv").read_bytes()),
        ("page.gz", BERN.read_bytes()),
        ("x.tika.txt.gz", PARIS.read_bytes()),
    ):
        (tmp_path / name).write_bytes(gzip.compress(data))
    assert len(_cables(parse_path(tmp_path / "cables.csv.gz"))) == 3
    assert [c.reference_id for c in _cables(parse_path(tmp_path / "page.gz"))] == [
        "07BERN881",
        "07TBILISI2290",
    ]
    [paris] = _cables(parse_path(tmp_path / "x.tika.txt.gz"))
    assert paris.reference_id == "09PARIS997"
    assert paris.source == Source(str(tmp_path / "x.tika.txt.gz"))


def test_a_corrupted_gz_is_one_clear_error(tmp_path):
    data = gzip.compress(MEXICO.read_bytes())
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    [error] = parse_path(tmp_path / "cut.gz")
    assert isinstance(error, ParseError)
    assert error.where == str(tmp_path / "cut.gz")
    assert error.reason.startswith("cannot read:")


def test_folders_are_walked_recursively_sorted_skipping_hidden(tmp_path):
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    shutil.copy(MEXICO, tmp_path / "b" / "deeper" / "m.txt")
    shutil.copy(PARIS, tmp_path / "b" / "a.txt")
    shutil.copy(BERN, tmp_path / "c.html")
    shutil.copy(TEHRAN, tmp_path / ".git" / "hidden.html")
    shutil.copy(TEHRAN, tmp_path / ".hidden.html")
    (tmp_path / "a-notes.md").write_text("# notes\nnothing here\n")
    items = list(parse_path(tmp_path))
    assert [i.reference_id if isinstance(i, Cable) else i.where for i in items] == [
        str(tmp_path / "a-notes.md"),
        "09PARIS997",
        "09MEXICO1055",
        "07BERN881",
        "07TBILISI2290",
    ]
    assert items[0].reason.startswith("not a cable file")
    assert [
        i.reference_id for i in parse_paths([tmp_path / "c.html", MEXICO]) if isinstance(i, Cable)
    ] == ["07BERN881", "07TBILISI2290", "09MEXICO1055"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a cable file"),
        (b"\x00\x01\x02binary\x00", "not a cable file (binary data)"),
        (b"Dear diary,\nnothing happened today.\n", "not a cable file"),
        (b'id,name\n1,"x"\n', "not a cable file"),
        (b"<html><body><p>Hello</p></body></html>", "not a cable page"),
    ],
)
def test_files_that_are_not_cables_are_one_clear_error(tmp_path, content, reason):
    path = tmp_path / "input"
    path.write_bytes(content)
    [error] = parse_path(path)
    assert isinstance(error, ParseError)
    assert error.where == str(path)
    assert error.reason.startswith(reason)
    assert "\n" not in str(error)


def test_missing_paths_are_errors_not_exceptions(tmp_path):
    assert [str(e) for e in parse_path(tmp_path / "nope")] == [
        f"{tmp_path / 'nope'}: no such file or folder"
    ]
    assert list(parse_path(tmp_path)) == []


def test_bern_carries_tbilisi_as_a_recovered_cable_of_its_own():
    bern, tbilisi = _cables(parse_path(BERN))
    assert bern.reference_id == "07BERN881"
    assert bern.source == Source(str(BERN))
    assert [(p.number, p.level.value) for p in bern.paragraphs if p.number] == [
        (1, "S"),
        (2, "S"),
        (3, "S"),
        (4, "C"),
    ]
    assert "TBILISI" not in bern.body and "\\" not in bern.body
    assert bern.body.rstrip().endswith("CARTER")
    assert bern.references == ["07STATE124823"]
    assert tbilisi.reference_id == "07TBILISI2290"
    assert tbilisi.source == Source(str(BERN), recovered_from="07BERN881")
    assert (tbilisi.created, tbilisi.origin, tbilisi.classification, tbilisi.released) == (
        "2007-09-11T12:50",
        "Embassy Tbilisi",
        "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        None,
    )
    assert tbilisi.subject == "REGIONAL GOVERNORS - WHO ARE THEY?"
    assert tbilisi.header is not None and tbilisi.header.startswith("VZCZCXRO4053\nRR RUEHAG")
    # The page's anchors after Bern's own (par1..par4) belong to Tbilisi, `2006` included.
    assert [p.anchor for p in tbilisi.paragraphs if p.number] == [f"par{n}" for n in range(1, 9)]
    assert [p.level.value for p in tbilisi.paragraphs if p.number][:3] == ["U", "SBU", "U"]


def test_tehran_drops_the_idless_2008_fragment_with_a_warning(facts):
    cable, warning = parse_path(TEHRAN)
    assert isinstance(cable, Cable) and cable.reference_id == "73TEHRAN8233"
    assert "HAGUE" not in cable.body and "08STATE15228" not in cable.body
    assert cable.body.rstrip().endswith("I ASKED TO ST...")
    assert [p.number for p in cable.paragraphs] == [1]
    assert isinstance(warning, ParseWarning)
    assert warning.where.startswith(f"{TEHRAN} body line ")
    assert "no reference id of its own" in warning.reason
    assert facts["73TEHRAN8233.html"]["observed"]["embedded_foreign_record_lines"] == [
        "08STATE15228"
    ]


def test_a_record_block_of_the_page_itself_is_not_a_separate_cable(facts):
    [cable] = _cables(parse_path(MEXICO))
    block = facts["09MEXICO1055.rendered.txt"]["observed"]["embedded_record_block"]
    assert block[2] == cable.reference_id
    assert not any(line in cable.body.split("\n") for line in block[:2])
    assert cable.body.startswith("C O N F I D E N T I A L SECTION 01 OF 04 MEXICO 001055")


def test_split_glued_keeps_anchor_ids_with_their_pilcrows():
    body = (
        "UNCLAS X 1\n\u00b61. one\n\u00b62. two\n\n"
        "5\t2001-01-01 10:00:00\t01Y2\tEmbassy Y\tSECRET\t01Z3\tR 011000Z JAN 01\t"
        "S E C R E T Y 2\\\n\u00b61. (S) three\\\n"
    )
    raw = RawCable(Source("p.html"), body, reference_id="01X1", anchors=["par1", "par2", "par9"])
    own, [other], warnings = split_glued(raw)
    assert own.body == "UNCLAS X 1\n\u00b61. one\n\u00b62. two"
    assert own.anchors == ["par1", "par2"]
    assert other.anchors == ["par9"]
    assert (other.reference_id, other.references, other.header) == (
        "01Y2",
        ["01Z3"],
        "R 011000Z JAN 01",
    )
    assert other.source.recovered_from == "01X1"
    assert warnings == []


def test_a_second_copy_of_the_same_cable_glued_after_it_is_dropped_with_a_warning():
    body = (
        "UNCLAS X 1\n\u00b61. one\n\n"
        "5\t2001-01-01 10:00:00\t01X1\tEmbassy X\tUNCLASSIFIED\t\tR 011000Z JAN 01\t"
        "UNCLAS X 1\\\n\u00b61. one\\\n"
    )
    own, recovered, [warning] = split_glued(RawCable(Source("p.html"), body, reference_id="01X1"))
    assert own.body == "UNCLAS X 1\n\u00b61. one"
    assert recovered == []
    assert warning.where == "p.html body line 4"
    assert warning.reason == "dropped a second copy of 01X1 glued after its end"
