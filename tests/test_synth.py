import gzip
import random
import re
from collections import Counter

from conftest import ALL_IDS, IDS_SAMPLE, needs_shared

from cables.cli import main
from cables.formats import SYNTHETIC_MARKER
from cables.formats.csvdump import read_rows
from cables.synth import _Ident, _Writer, generate, read_ids, vocabulary, write_corpus


def test_vocabulary_is_large_fixed_and_has_real_words() -> None:
    words = vocabulary()
    assert len(words) >= 20000
    assert len(set(words)) == len(words)
    for word in ("government", "iran", "minister"):
        assert word in words[:1000]
    assert vocabulary() == words


def test_same_seed_same_file_other_seed_other_file(tmp_path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_corpus(a, 30, seed=7)
    write_corpus(b, 30, seed=7)
    write_corpus(c, 30, seed=8)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_rows_read_back_as_the_csv_format_with_marker(tmp_path) -> None:
    out = tmp_path / "s.csv.gz"
    write_corpus(out, 200, seed=1)
    with gzip.open(out, "rt", encoding="utf-8", newline="") as stream:
        rows = list(read_rows(stream))
    assert len(rows) == 200
    assert all(not isinstance(r, Exception) for r in rows)
    ids = [r.reference_id for r in rows]
    assert len(set(ids)) == 200
    assert [r.id for r in rows] == [str(i) for i in range(1, 201)]
    for row in rows:
        assert row.body.startswith(SYNTHETIC_MARKER + "\n")
        assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d", row.created)
        assert "TAGS: " in row.body and "SUBJECT: " in row.body
        assert row.origin and row.classification
        for cited in filter(None, row.references.split("|")):
            assert cited in ids[: ids.index(row.reference_id)]  # cites earlier corpus cables
    assert sum(bool(r.references) for r in rows) > 50


def test_sizes_markings_and_page_breaks() -> None:
    rows = list(generate(1500, seed=3))
    sizes = [len(r.body.encode()) for r in rows]
    assert 4500 < sum(sizes) / len(sizes) < 8000
    assert max(sizes) > 25000
    assert max(sizes) <= 62000
    markings = Counter(
        m for r in rows for m in re.findall(r"^\d+\. (\([A-Za-z/ ]+\))", r.body, re.MULTILINE)
    )
    assert markings.most_common(1)[0][0] == "(C)"
    assert {"(S)", "(U)", "(SBU)", "(S/NF)", "(C/NF)"} <= set(markings)
    assert any(re.search(r"^[A-Z]+ \d{8}  002 OF \d{3}$", r.body, re.MULTILINE) for r in rows)


def test_word_frequencies_are_zipf_like() -> None:
    counts = Counter(
        w.lower()
        for r in generate(300, seed=5)
        for w in re.findall(r"[a-z]+", r.body.split("\n\n", 3)[-1])
    )
    words = vocabulary()
    assert counts[words[0]] > counts[words[9]] > counts[words[99]] > counts[words[999]]
    assert counts["government"] > 0 and counts["iran"] > 0
    assert len(counts) > 5000


def test_a_few_bodies_over_128k() -> None:
    # One cable in 25,000 is over 128 KB: the 25,000th of any corpus that long.
    writer = _Writer(random.Random(0), pool=50)
    assert writer.body_size(24999) > 128 * 1024
    assert writer.body_size(49999) > 128 * 1024
    assert max(writer.body_size(i) for i in range(24990, 24999)) <= 60000
    ident = _Ident("09MEXICO1055", 2009, 4)
    assert len(writer.cable(24999, ident, []).body) > 128 * 1024


def test_real_ids_and_months(tmp_path) -> None:
    every = read_ids(IDS_SAMPLE)
    assert len(every) == 3000
    rows = list(generate(50, seed=0, ids=IDS_SAMPLE))
    real = {i.reference_id: i for i in every}
    for row in rows:
        ident = real[row.reference_id]
        month, _, year = row.created.split()[0].split("/")
        assert (int(year), int(month)) == (ident.year, ident.month)


def test_command(tmp_path, capsys) -> None:
    out = tmp_path / "c.csv"
    assert main(["synth", "5", "--out", str(out), "--seed", "4"]) == 0
    assert "wrote 5 synthetic cables" in capsys.readouterr().out
    assert out.read_text().count(SYNTHETIC_MARKER) == 5
    assert main(["synth", "5", "--out", str(out), "--ids", str(tmp_path / "none.gz")]) == 2
    assert "none.gz" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*.tmp"))


@needs_shared
def test_the_id_sample_is_an_even_spread_of_the_full_list() -> None:
    """So a 300-cable corpus built from the sample (tests' synth_library) is the full list's."""
    every = read_ids(ALL_IDS)
    assert len(every) == 251287
    assert read_ids(IDS_SAMPLE) == [every[(j * len(every)) // 3000] for j in range(3000)]
    assert list(generate(300, seed=3, ids=IDS_SAMPLE)) == list(generate(300, seed=3, ids=ALL_IDS))
