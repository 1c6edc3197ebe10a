"""The compact index: columns in one block round-trip exactly, and a bad block is refused."""

from __future__ import annotations

import pytest

from cables.index import CableIndex, Column


def sample() -> CableIndex:
    return CableIndex(
        ["09MEXICO1055", "10STATE1", "66SAIGON2"],
        ["2009-04-01", "", "1966-01-02"],
        ["C", "U", "S"],
        ["Embassy Mexico", "Secretary of State", "Embassy Saigon"],
        ["MÉRIDA INITIATIVE – “CALDERÓN”", "", "A\x1fB\nC"],
        ["PREL PGOV", "KDEM", ""],
        [False, True, False],
    )


def test_round_trip_keeps_every_value():
    index = CableIndex.from_bytes(sample().to_bytes())
    assert len(index) == 3
    assert list(index.reference_ids) == ["09MEXICO1055", "10STATE1", "66SAIGON2"]
    assert index.subjects[0] == "MÉRIDA INITIATIVE – “CALDERÓN”"
    assert index.subjects[2] == "A B C"  # one line per value: separators become spaces
    assert index.created[1] == ""
    assert index.tags[-1] == ""
    assert index.subjects[1:] == ["", "A B C"]
    assert list(index.synthetic) == [False, True, False]
    assert index == CableIndex.from_bytes(index.to_bytes())
    with pytest.raises(IndexError):
        index.origins[3]


def test_empty_index_round_trips():
    index = CableIndex.from_bytes(CableIndex().to_bytes())
    assert len(index) == 0
    assert list(index.subjects) == []


def test_column_iterates_as_the_list_it_was_made_of():
    values = ["a", "", "ÿ b", ""]
    assert list(Column.of(values)) == values
    assert Column.of(values) == values


def test_column_finds_a_value_as_a_list_does_without_decoding_every_row(monkeypatch):
    values = ["09BERLIN1167", "", "09BERLIN11", "ÿ b", "09BERLIN11", "9BERLIN1", "x"]
    column = Column.of(values)
    for value in dict.fromkeys(values):
        assert column.index(value) == values.index(value)
    # A value is whole: never a part of one, nor two joined by the separator.
    for absent in ("09BERLIN1", "BERLIN11", "ÿ", "09BERLIN11\x1f", "x\x1fy", "09berlin11"):
        with pytest.raises(ValueError):
            column.index(absent)
    with pytest.raises(ValueError):
        Column.of([]).index("")
    assert column.index("09BERLIN11", 3) == 4  # a start (or stop) as a list takes one
    decoded: list[int] = []
    read = Column.__getitem__
    monkeypatch.setattr(Column, "__getitem__", lambda self, i: decoded.append(i) or read(self, i))
    many = Column.of(f"10STATE{n}" for n in range(10_000))
    assert many.index("10STATE9999") == 9999 and len(decoded) <= 1  # not 10,000 decodes


@pytest.mark.parametrize("cut", [b"", b"XXXX", None])
def test_a_damaged_block_is_refused(cut):
    block = sample().to_bytes()
    damaged = block[:-1] if cut is None else cut + block[len(cut) :]
    if cut == b"":
        damaged = block[:20]
    with pytest.raises(ValueError):
        CableIndex.from_bytes(damaged)


def test_a_column_kept_alone_holds_its_own_bytes_only():
    index = CableIndex.from_bytes(
        CableIndex(
            reference_ids=["09A1", "09B2"],
            created=["2009-01-02", ""],
            levels=["S", "U"],
            origins=["Embassy Berlin", "Été"],
            subjects=["a long subject " * 10, "another"],
            tags=["PREL", ""],
            synthetic=[False, True],
        ).to_bytes()
    )
    origins = Column.alone(index.origins)
    assert list(origins) == ["Embassy Berlin", "Été"] and origins[1] == "Été"
    assert len(origins._block) == len("Embassy Berlin\x1fÉté".encode())
    assert list(Column.alone(["x\ny", ""])) == ["x y", ""]
