import json
import sqlite3
import threading

import pytest

from cables import library as library_module
from cables.index import CableIndex
from cables.library import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Library,
    LibraryError,
    _encode_body,
    fts_expression,
    migrate,
    snippet,
)
from cables.model import Cable, Level, Marking, Paragraph, Source
from cables.query import Sort, parse


def par(number, text, marking=None, level=None, caveats=(), anchor="auto", section=None):
    parsed = Marking(level, tuple(caveats)) if level else None
    if anchor == "auto":
        anchor = f"par{number}" if number is not None else None
    return Paragraph(number, anchor, marking, parsed, text, section)


def cable(ref="09MEXICO1055", created="2009-04-14T16:11", released="2011-08-30T01:44", **kw):
    defaults = dict(
        level=Level.C,
        origin="Embassy Mexico",
        subject="MEXICO: THE MINISTER ON IRAN",
        tags=["PREL", "PGOV", "MX"],
        references=["09STATE1234", "08MEXICO3516"],
        ref_text="A. 09 STATE 1234 B. 08 MEXICO 3516",
        header="VZCZC\nP 141611Z APR 09",
        caveats=["NOFORN", "SIPDIS"],
        classified_by="Ambassador for reasons 1.4 (b)",
        classification="CONFIDENTIAL//NOFORN",
        created_dtg="P 141611Z APR 09",
        sections=["SUMMARY"],
        articles=["https://example.org/a"],
        paragraphs=[
            par(
                1,
                "The foreign minister met the Iranian delegation.",
                "(C)",
                Level.C,
                section="SUMMARY",
            ),
            par(
                2,
                "Crème brûlée and sanctions were discussed at length.",
                "(S//NF)",
                Level.S,
                ["NF"],
            ),
            par(None, "An unnumbered closing paragraph about oil."),
        ],
        body="1. (C) The foreign minister ...",
        source=Source("x/09MEXICO1055.html", 3, "09X1"),
    )
    defaults.update(kw)
    return Cable(reference_id=ref, created=created, released=released, **defaults)


@pytest.fixture
def lib(tmp_path):
    with Library.open(tmp_path / "lib.sqlite3", create=True) as library:
        yield library


def test_cable_reads_back_equal_in_any_case(lib) -> None:
    original = cable()
    assert lib.add([original]).imported == ["09MEXICO1055"]
    assert lib.get("09mexico1055") == original
    assert lib.get("09MEXICO1055") == original
    assert lib.get("09MEXICO1056") is None
    assert lib.count() == 1
    synthetic = cable("09PARIS1", synthetic=True, source=None, paragraphs=[], body="")
    sent_later = cable("09PARIS2", created="2009-03-16T16:04", sent="2009-03-16T16:23")
    lib.add([synthetic, sent_later])
    assert lib.get("09PARIS2") == sent_later
    assert lib.get("09PARIS1") == synthetic
    assert lib.get("09PARIS1").synthetic is True


def test_a_damaged_record_is_a_library_error_naming_it(lib) -> None:
    lib.add([cable()])
    with sqlite3.connect(lib.path) as raw:
        raw.execute("UPDATE bodies SET data = X'00112233'")
    with pytest.raises(LibraryError, match="09MEXICO1055 is damaged"):
        lib.get("09MEXICO1055")


def test_texts_with_any_characters_read_back(lib) -> None:
    odd = cable(
        body='line\n"quoted" \\ [1,2]\n¶ü€😀\ud800',
        header="h\nh",
        paragraphs=[par(1, 'a\n"b"\\\n'), par(2, ""), par(3, "😀 ü")],
    )
    lib.add([odd])
    assert lib.get("09MEXICO1055") == odd


def test_later_release_kept_earlier_ignored_reimport_unchanged(lib) -> None:
    first = cable(released="2010-11-28T10:00", subject="OLD SUBJECT ZEBRA")
    later = cable(released="2011-08-30T01:44", subject="NEW SUBJECT YAK")
    assert lib.add([first]).imported == ["09MEXICO1055"]
    result = lib.add([later])
    assert (result.imported, result.updated, result.unchanged) == ([], ["09MEXICO1055"], 0)
    assert lib.get("09MEXICO1055") == later
    result = lib.add([first, later])
    assert (result.imported, result.updated, result.unchanged) == ([], [], 2)
    assert lib.get("09MEXICO1055") == later
    # The replaced cable's words are gone from the full-text index, the new ones found.
    assert lib.search("zebra") == []
    assert [h.reference_id for h in lib.search("yak")] == ["09MEXICO1055"]
    assert lib.count() == 1


def test_duplicates_within_one_batch(tmp_path) -> None:
    with Library.open(tmp_path / "l.sqlite3", create=True) as lib:
        a = cable(released=None, subject="A")
        b = cable(ref="09mexico1055", released="2010-12-01T00:00", subject="B")
        result = lib.add([a, b, a])
        assert result.imported == ["09mexico1055"] and result.unchanged == 2
        assert lib.get("09MEXICO1055").subject == "B"


def test_search_newest_first_points_at_paragraph(lib) -> None:
    lib.add(
        [
            cable("05PARIS1", created="2005-01-01T00:00", subject="OLD"),
            cable("09PARIS2", created="2009-06-01T12:00", subject="MIDDLE"),
            cable("10PARIS3", created="2010-01-01T00:00", subject="NEW"),
            cable("07PARIS4", created=None, subject="UNDATED"),
        ]
    )
    hits = lib.search("iranian delegation")
    assert [h.reference_id for h in hits] == ["10PARIS3", "09PARIS2", "05PARIS1", "07PARIS4"]
    hit = hits[0]
    assert (hit.paragraph_number, hit.anchor, hit.level) == (1, "par1", Level.C)
    assert hit.snippet == "The foreign minister met the «Iranian» «delegation»."
    assert hit.created == "2010-01-01T00:00" and hit.subject == "NEW"
    assert [h.reference_id for h in lib.search("iranian", limit=2)] == ["10PARIS3", "09PARIS2"]
    assert len(lib.search("iranian", ranked=True)) == 4


def test_search_query_forms(lib) -> None:
    lib.add([cable()])
    assert lib.search("creme")[0].paragraph_number == 2  # accents folded
    assert lib.search("CRÈME")[0].snippet.startswith("«Crème»")
    assert lib.search("sanct*")[0].snippet.count("«sanctions»") == 1
    assert lib.search('"minister met"')[0].paragraph_number == 1
    assert lib.search('"met minister"') == []
    assert lib.search("zebra OR sanctions")[0].paragraph_number == 2
    assert lib.search("oil")[0].paragraph_number is None  # the unnumbered paragraph
    subject_hit = lib.search("mexico")[0]  # only in the subject
    assert subject_hit.paragraph_number is None and "«MEXICO»" in subject_hit.snippet
    assert lib.search("pgov")[0].snippet.endswith("PREL «PGOV» MX")
    for odd in ('"', "*", "AND", "OR", "NOT", "(", "U.S.", "a:b", "-x", "''", "   "):
        lib.search(odd)  # never an FTS5 syntax error
    assert lib.search("") == [] and lib.search("   ") == []
    assert lib.search("minister", limit=0) == []


def test_one_hit_per_cable_first_matching_paragraph(lib) -> None:
    lib.add(
        [
            cable(
                paragraphs=[par(1, "nothing here"), par(2, "zebra one"), par(3, "zebra two")],
                subject="ZEBRA TOO",
            )
        ]
    )
    hits = lib.search("zebra")
    assert len(hits) == 1 and hits[0].paragraph_number == 2
    assert lib.search("zebra", ranked=True)[0].reference_id == "09MEXICO1055"


def test_body_searched_when_no_paragraphs(lib) -> None:
    lib.add([cable(paragraphs=[], body="A telegram with no numbered paragraphs: walrus.")])
    hit = lib.search("walrus")[0]
    assert hit.paragraph_number is None and "«walrus»" in hit.snippet


def test_many_paragraphs_share_the_last_row(lib) -> None:
    many = [par(i, f"word{i}") for i in range(1, 4200)]
    original = cable(paragraphs=many)
    lib.add([original])
    assert lib.get("09MEXICO1055") == original
    assert lib.search("word4199")[0].paragraph_number == 4095
    assert lib.search("word17")[0].paragraph_number == 17


def test_cites_and_cited_by(lib) -> None:
    lib.add(
        [
            cable("09STATE1234", references=[], created="2009-01-01T00:00"),
            cable("09MEXICO1055", references=["09STATE1234", "08MEXICO3516"]),
            cable("09MEXICO2000", references=["09STATE1234"], created="2009-08-01T00:00"),
        ]
    )
    assert lib.cites("09mexico1055") == ["09STATE1234", "08MEXICO3516"]
    assert lib.cites("09STATE1234") == []
    assert lib.cited_by("09state1234") == ["09MEXICO2000", "09MEXICO1055"]
    assert lib.cited_by("08MEXICO3516") == ["09MEXICO1055"]  # cited, though not in the library
    assert lib.cited_by("09MEXICO1055") == []


def test_index_newest_first_and_cache_follows_writes(lib) -> None:
    assert len(lib.load_index()) == 0
    lib.add(
        [
            cable("05PARIS1", created="2005-01-01T00:00", level=Level.S, tags=["A", "B"]),
            cable("10PARIS3", created="2010-01-01T09:00", origin=None, synthetic=True),
        ]
    )
    index = lib.load_index()
    assert index.reference_ids == ["10PARIS3", "05PARIS1"]
    assert index.created == ["2010-01-01", "2005-01-01"]
    assert index.levels == ["C", "S"]
    assert index.origins == ["", "Embassy Mexico"]
    assert index.tags == ["PREL PGOV MX", "A B"]
    assert index.synthetic == [True, False]
    generation = lib.generation()
    assert lib.load_index() == index  # from the cache
    lib.add([cable("11PARIS9", created="2011-01-01T00:00")])
    assert lib.generation() > generation
    assert lib.load_index().reference_ids == ["11PARIS9", "10PARIS3", "05PARIS1"]
    lib.refresh_index()
    assert lib.load_index().reference_ids[0] == "11PARIS9"


def test_index_lists_the_date_sent_newest_sent_first(lib) -> None:
    """The sidebar's date is when the cable was sent (its DTG), not the page's Created cell."""
    lib.add(
        [
            cable("09PARIS1", created="2009-03-17T00:05", sent="2009-03-16T23:55"),
            cable("09PARIS2", created="2009-03-16T23:58", sent="2009-03-16T23:58"),
        ]
    )
    index = lib.load_index()
    assert index.reference_ids == ["09PARIS2", "09PARIS1"]
    assert index.created == ["2009-03-16", "2009-03-16"]


def test_index_survives_separator_characters(lib) -> None:
    lib.add([cable(subject="A\x1fB\nC")])
    assert len(lib.load_index()) == 1
    lib.refresh_index()
    assert lib.load_index().subjects == ["A B C"]


def test_stats(lib) -> None:
    lib.add(
        [
            cable("05PARIS1", created="2005-01-01T00:00", level=Level.S, synthetic=True),
            cable("05PARIS2", created="2005-03-01T00:00", origin="Embassy Paris"),
            cable("10PARIS3", created=None),
        ]
    )
    stats = lib.stats()
    assert (stats.count, stats.synthetic) == (3, 1)
    assert stats.by_level == {"C": 2, "S": 1}
    assert stats.by_origin == {"Embassy Mexico": 2, "Embassy Paris": 1}
    assert stats.by_year == {"": 1, "2005": 2}
    assert stats.to_json()["count"] == 3


def test_previous_schema_is_migrated(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, 1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "index_cache" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    # A cable as the version 1 code wrote it (the same tables: version 2 only added the cache,
    # version 3 the `sent` column, version 4 the `partial` table, version 5 an index).
    conn.execute("INSERT INTO meta VALUES ('note', 'written by schema 1')")
    conn.close()
    with Library.open(path) as lib:
        original = cable()
        lib.add([original])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("DROP TABLE index_cache")
    conn.execute("DROP INDEX cables_sent")
    conn.execute("ALTER TABLE cables DROP COLUMN sent")
    conn.execute("DROP TABLE partial")
    conn.execute("DELETE FROM meta WHERE key = 'generation'")
    conn.commit()
    conn.close()
    with Library.open(path) as lib:
        assert lib.get("09MEXICO1055") == original
        assert lib.load_index().reference_ids == ["09MEXICO1055"]
        assert lib.search("iranian")[0].reference_id == "09MEXICO1055"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
    assert conn.execute("SELECT value FROM meta WHERE key = 'note'").fetchone()[0]
    assert _indexed(conn, "cables_sent") == ["sent", "created"]


def test_version_4_indexes_when_created_beside_when_sent(tmp_path) -> None:
    """The first screen of a text search walks cables by when sent and tests when created:
    version 5 keeps both in one index, so the walk need not read each cable's row."""
    path = tmp_path / "v4.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, 4)
    assert _indexed(conn, "cables_sent") == ["sent"]
    conn.close()
    with Library.open(path) as lib:
        lib.add([cable()])
        assert lib.search("iranian")[0].reference_id == "09MEXICO1055"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    assert _indexed(conn, "cables_sent") == ["sent", "created"]


def _indexed(conn: sqlite3.Connection, index: str) -> list[str]:
    return [row[2] for row in conn.execute(f"PRAGMA index_info({index})")]


def test_version_2_gains_sent_from_the_stored_dtgs(tmp_path) -> None:
    """The in-place step to version 3 reads each stored DTG (else keeps `created`)."""
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, 2)
    with_dtg = cable("09PARIS381", created="2009-03-16T16:04", created_dtg="P 161623Z MAR 09")
    without = cable("00HARARE6677", created="2000-11-29T13:01", created_dtg=None)
    for cable_id, one in enumerate([with_dtg, without], start=1):
        row = (cable_id, one.reference_id, one.created, None, "C", None, None, "", 0)
        conn.execute("INSERT INTO cables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        conn.execute("INSERT INTO bodies VALUES (?, ?)", (cable_id, _encode_body(one)))
    # The sidebar index version 2 cached, current for its generation, with the created dates.
    stale = CableIndex(["00HARARE6677"], ["2000-11-29"], ["C"], [""], ["STALE"], [""], [False])
    conn.execute("INSERT INTO index_cache VALUES (0, ?)", (stale.to_bytes(),))
    conn.close()
    with Library.open(path) as lib:
        assert lib.get("09PARIS381").sent == "2009-03-16T16:23"
        assert lib.get("09PARIS381").created == "2009-03-16T16:04"
        assert lib.get("00HARARE6677").sent == "2000-11-29T13:01"
        index = lib.load_index()
        assert index.created == ["2009-03-16", "2000-11-29"]
        assert index.reference_ids == ["09PARIS381", "00HARARE6677"]  # rebuilt, not the cache
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_open_errors_name_the_file(tmp_path) -> None:
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(LibraryError, match=r"none\.sqlite3: no library here"):
        Library.open(missing)
    assert not missing.exists()
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database at all " * 100)
    with pytest.raises(LibraryError, match=r"junk\.sqlite3: not a usable cables library"):
        Library.open(junk)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(LibraryError, match=r"other\.sqlite3: not a cables library"):
        Library.open(other, create=True)
    newer = tmp_path / "newer.sqlite3"
    Library.open(newer, create=True).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LibraryError, match=r"newer\.sqlite3: written by a newer cables"):
        Library.open(newer)


def test_readers_keep_working_while_a_write_is_open(tmp_path) -> None:
    path = tmp_path / "l.sqlite3"
    with Library.open(path, create=True) as lib:
        lib.add([cable("05PARIS1")])
        lib.load_index()
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        with Library.open(path) as reader:
            assert reader.count() == 1
            assert reader.get("05PARIS1") is not None
            assert reader.search("iranian")[0].reference_id == "05PARIS1"
            assert reader.load_index().reference_ids == ["05PARIS1"]
        writer.execute("ROLLBACK")
        writer.close()


def test_interrupted_batch_leaves_nothing(lib) -> None:
    lib.add([cable("05PARIS1")])
    bad = cable("05PARIS2", level="not a level")  # fails while the batch is being written
    with pytest.raises(AttributeError):
        lib.add([cable("05PARIS3"), bad])
    assert lib.count() == 1
    assert lib.search("iranian")[0].reference_id == "05PARIS1"
    assert len(lib.search("iranian")) == 1


def test_threads_share_one_library(lib) -> None:
    lib.add([cable(f"09PARIS{i}") for i in range(50)])
    errors = []

    def read() -> None:
        try:
            for i in range(50):
                assert lib.get(f"09PARIS{i}") is not None
                assert lib.search("iranian", limit=5)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_parse_query_and_snippet() -> None:
    expression, terms = fts_expression(parse('Iran "nuclear program" sanc* OR oil U.S. -x 2009'))
    assert expression == (
        '(("iran") AND ("nuclear program") AND ("sanc" * OR "oil") AND ("u") AND ("s")) NOT "x"'
    )
    assert ("sanc", True) in terms and ("iran", False) in terms
    assert fts_expression(parse("  ")) == (None, [])
    long = "word " * 100 + "target " + "word " * 100
    cut = snippet(long, [("target", False)], width=60)
    assert cut.startswith("…") and cut.endswith("…") and "«target»" in cut
    assert len(cut) < 70
    assert snippet("no match here", [("zzz", False)]) == "no match here"
    assert snippet("line\none\x1b[31m", [("one", False)]) == "line «one»[31m"


def test_text_search_stops_when_cancelled(tmp_path) -> None:
    with Library.open(tmp_path / "lib.sqlite3", create=True) as lib:
        lib.add(
            [Cable(f"09PARIS{n}", created="2009-01-01", subject="walrus") for n in range(1, 5000)]
        )
        done = lib.text_search(parse("walrus"), limit=10, count_cap=10**6)
        assert done.total == 4999 and not done.cancelled
        stopped = lib.text_search(
            parse("walrus"), limit=10, count_cap=10**6, cancelled=lambda: True
        )
        assert stopped.cancelled and stopped.total == 0 and stopped.hits == []


def test_index_is_served_while_another_process_holds_the_write_lock(tmp_path) -> None:
    """The cache write is skipped on SQLITE_BUSY (told by its error code), not an error."""
    path = tmp_path / "lib.sqlite3"
    with Library.open(path, create=True) as lib:
        lib.add([cable()])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with Library.open(path) as lib:
            assert lib.load_index().reference_ids == ["09MEXICO1055"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with Library.open(path) as lib:  # and the next open, unlocked, caches it as usual
        assert lib.load_index().reference_ids == ["09MEXICO1055"]


def test_subjects_by_ids_any_case_absent_ones_left_out(tmp_path) -> None:
    with Library.open(tmp_path / "lib.sqlite3", create=True) as lib:
        lib.add([cable(), cable("10PARIS3", subject=None), cable("05PARIS1", subject="Paris")])
        many = [f"99NOWHERE{n}" for n in range(1200)]  # more ids than one query takes
        subjects = lib.subjects(["09mexico1055", "10PARIS3", "05PARIS1", *many])
    assert subjects == {
        "09mexico1055": cable().subject,
        "10PARIS3": "",
        "05PARIS1": "Paris",
    }


@pytest.mark.parametrize("lookups", [64, 1])
@pytest.mark.parametrize("sort", [Sort.NEW, Sort.OLD])
def test_text_hits_come_by_when_sent_however_far_from_created(
    tmp_path, monkeypatch, sort, lookups
) -> None:
    """The real fixtures, with `sent` moved far from `created` (as a DTG can be): the walk by
    FTS rowid (by when created) still lists the hits by when sent, as the filters-only list
    does (unknown last newest first, first oldest first), at every page size; whether the
    cables it has not reached are looked up or (few lookups allowed) walked to."""
    monkeypatch.setattr(library_module, "SETTLE_LOOKUPS", lookups)
    from conftest import FIXTURES
    from tui_support import build

    path = build(tmp_path / "library.sqlite3", [FIXTURES])
    with sqlite3.connect(path) as conn:
        made = [r[0] for r in conn.execute("SELECT id FROM cables ORDER BY created, id")]
        for k, cable_id in enumerate(made[:12]):  # the first created: sent after every other
            conn.execute(
                "UPDATE cables SET sent = ? WHERE id = ?", (f"2011-{1 + k % 6:02d}-01", cable_id)
            )
        for cable_id in made[-3:]:  # the last created: sent first, or unknown
            conn.execute("UPDATE cables SET sent = '1960-01-01T00:00' WHERE id = ?", (cable_id,))
        conn.execute("UPDATE cables SET sent = NULL WHERE id = ?", (made[-4],))
    conn.close()
    direction = "DESC" if sort is Sort.NEW else "ASC"
    with Library.open(path) as lib:
        for text in ["embassy", "the", "government minister", "kabul", "embassy level:C,S"]:
            query = parse(text, submitted=True)
            expression, _ = fts_expression(query)
            allowed = lib._allowed_cables(query)
            matching = {
                r[0] >> 12 & (1 << 25) - 1
                for r in lib._conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expression,))
            }
            matching = {c for c in matching if allowed is None or c in allowed}
            expected = [
                r[0]
                for r in lib._conn.execute(
                    "SELECT reference_id FROM cables WHERE id IN (SELECT value FROM json_each(?))"
                    f" ORDER BY sent {direction}, reference_id",
                    (json.dumps(sorted(matching)),),
                )
            ]
            assert len(expected) > 3, text
            for limit in (1, 3, 10, 100):
                hits = lib.text_search(query, limit=limit, sort=sort).hits
                assert [h.reference_id for h in hits] == expected[:limit], (text, limit)


def test_an_index_read_as_a_batch_lands_is_not_kept_as_the_batchs(lib, monkeypatch) -> None:
    """A browser reloading its index while an import commits a batch: the rows it read before the
    batch must not be cached under the batch's generation (it would list them until the next
    write, however many cables the batch brought)."""
    lib.add([cable()])
    select = lib._select_index

    def select_then_a_batch_lands():
        index = select()
        with Library.open(lib.path) as importer:  # another process's import, in effect
            importer.add([cable("09PARIS381")])
        return index

    monkeypatch.setattr(lib, "_select_index", select_then_a_batch_lands)
    assert lib.load_index().reference_ids == ["09MEXICO1055"]  # as it was when read
    monkeypatch.undo()
    assert sorted(lib.load_index().reference_ids) == ["09MEXICO1055", "09PARIS381"]
    with Library.open(lib.path) as another:
        assert len(another.load_index()) == 2
