"""Wrapping cable text into lines: never wider than asked, nothing lost, newlines kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tui.widgets.wrap import line_spans


def lines_of(text: str, width: int) -> list[str]:
    return [text[a:b].rstrip() for a, b in line_spans(text, width)]


def test_words_wrap_at_the_width():
    text = "the minister said that the government would consider the nuclear talks"
    lines = lines_of(text, 20)
    assert lines == [
        "the minister said",
        "that the government",
        "would consider the",
        "nuclear talks",
    ]


def test_newlines_are_kept_and_long_words_cut():
    assert lines_of("A. BERLIN 1162\nB. STATE 15113", 40) == ["A. BERLIN 1162", "B. STATE 15113"]
    assert lines_of("XXXXXXXXXXXXXXXXXXXXXXXX end", 10) == ["XXXXXXXXXX", "XXXXXXXXXX", "XXXX end"]


def test_wide_characters_count_cells():
    lines = lines_of("東京 大使館 報告 会議 " * 3, 12)
    assert all(cell_len(line) <= 12 for line in lines)


@given(
    st.text(alphabet=st.sampled_from("ab cd\n東é"), max_size=200),
    st.integers(min_value=1, max_value=30),
)
def test_spans_cover_the_text_and_fit(text, width):
    spans = line_spans(text, width)
    assert "".join(text[a:b] for a, b in spans) == text
    for a, b in spans:
        assert cell_len(text[a:b].rstrip().replace("\n", "")) <= max(width, 2)
