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


@pytest.mark.parametrize("cut", [b"", b"XXXX", None])
def test_a_damaged_block_is_refused(cut):
    block = sample().to_bytes()
    damaged = block[:-1] if cut is None else cut + block[len(cut) :]
    if cut == b"":
        damaged = block[:20]
    with pytest.raises(ValueError):
        CableIndex.from_bytes(damaged)
