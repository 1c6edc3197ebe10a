"""`cables find` (the sidebar's engine) and `cables search` (full text) on the real fixtures,
sharing the one query language: filters, exclusions, sort, errors (exit 2), the histogram."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cables.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("berln1167", "09BERLIN1167"),
        ("mexco1055", "09MEXICO1055"),
        ("kabl3161", "09KABUL3161"),
        ("09mexcio1055", "09MEXICO1055"),
        ("berlin 1167", "09BERLIN1167"),
        ("1167 berlin", "09BERLIN1167"),
        ("scensetter obama", "09MEXICO1055"),  # every word finished: corrected
    ],
)
def test_find_puts_the_cable_first(fixtures_library: Path, capsys, query: str, first: str):
    status, out, err = run(capsys, "find", query, "--library", str(fixtures_library))
    assert status == 0 and out.split()[0] == first
    assert " shown" in err


def test_find_json_and_limit(fixtures_library: Path, capsys):
    lib = str(fixtures_library)
    status, out, _ = run(
        capsys, "find", "level:S", "year:2009", "--json", "--limit", "2", "--library", lib
    )
    record = json.loads(out)
    assert status == 0 and len(record["ids"]) == 2 and record["total"] > 2
    assert record["query"] == "level:S year:2009" and record["ms"] >= 0
    assert all(i.startswith("09") for i in record["ids"])


def test_find_reads_one_query_per_line(fixtures_library: Path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("berln1167\nlevel:Q\nnothingatallhere\n"))
    status, out, err = run(capsys, "find", "--json", "--library", str(fixtures_library))
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [r["query"] for r in lines] == [
        "berln1167",
        "level:Q",
        "nothingatallhere",
    ]
    assert lines[0]["ids"][0] == "09BERLIN1167"
    assert "Q is not a level" in lines[1]["error"] and "level:Q" in err
    assert lines[2]["ids"] == []
    monkeypatch.setattr("sys.stdin", io.StringIO("berln1167\nmexco1055\n"))
    status, out, _ = run(capsys, "find", "--library", str(fixtures_library))
    assert [line.split()[0] for line in out.splitlines()] == ["09BERLIN1167", "09MEXICO1055"]


@pytest.mark.parametrize("command", ["find", "search"])
@pytest.mark.parametrize("bad", ["level:Q", "date:2009-13", "sort:random"])
def test_invalid_filters_exit_2_naming_the_problem(fixtures_library, capsys, command, bad):
    status, out, err = run(capsys, command, "iran", bad, "--library", str(fixtures_library))
    assert status == 2 and not out and bad in err and f"cables {command}: " in err


def test_search_shares_the_query_language(fixtures_library: Path, capsys):
    lib = str(fixtures_library)
    status, out, _ = run(capsys, "search", "calderon", "merida", "--json", "--library", lib)
    hits = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and hits[0]["reference_id"] == "09MEXICO1055" and hits[0]["paragraph"] == 4
    # a filter that excludes it, an exclusion that does, a filter that keeps it
    assert run(capsys, "search", "calderon merida level:S", "--library", lib)[0] == 1
    assert run(capsys, "search", "calderon merida -initiative", "--library", lib)[0] == 1
    status, out, _ = run(
        capsys, "search", "calderon", "origin:mexico", "year:2009", "--library", lib
    )
    assert status == 0 and out.startswith("09MEXICO1055")
    status, out, _ = run(capsys, "search", "cites:09BERLIN988", "--json", "--library", lib)
    assert [json.loads(x)["reference_id"] for x in out.splitlines()] == ["09BERLIN1167"]
    assert "«" not in out  # filters alone: no words to mark


def test_search_sort_and_shown_count(fixtures_library: Path, capsys):
    lib = str(fixtures_library)
    status, out, err = run(
        capsys, "search", "government", "--limit", "3", "--json", "--library", lib
    )
    new = [json.loads(x)["created"] for x in out.splitlines()]
    assert status == 0 and new == sorted(new, reverse=True)
    assert err == "" or "shown" not in err  # JSON: nothing but hits
    status, out, err = run(
        capsys, "search", "government", "sort:old", "--limit", "3", "--library", lib
    )
    dates = [line.split()[1] for line in out.splitlines() if not line.startswith(" ")]
    assert dates == sorted(dates) and dates[0] < new[-1]
    total = int(err.split(" of ")[1].split()[0].replace(",", ""))
    assert err.startswith("3 of ") and total > 3


def test_search_histogram_per_year(fixtures_library: Path, capsys):
    lib = str(fixtures_library)
    status, out, _ = run(
        capsys, "search", "government", "--histogram", "--limit", "1", "--library", lib
    )
    years = [line for line in out.splitlines() if line[:4].isdigit() and line[4] == " "]
    counts = {line[:4]: int(line.split()[-1]) for line in years}
    assert status == 0 and len(years) >= 2 and max(counts.values()) > 0
    assert [int(y) for y in counts] == list(range(int(min(counts)), int(max(counts)) + 1))
    status, out, _ = run(capsys, "search", "government", "--histogram", "--json", "--library", lib)
    by_year = json.loads(out.splitlines()[-1])["by_year"]
    assert {y: n for y, n in by_year.items() if n} == {y: n for y, n in counts.items() if n}
