"""The WikiLeaks page reader: page table, the <pre> blocks, pilcrow anchors, tags, articles."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from cables.body import build_cable
from cables.formats import ParseError
from cables.formats.html import read_html
from cables.model import Level, Source

PAGE = """<?xml version='1.0' encoding='utf-8' ?>
<html><head><title>Cable Viewer</title></head><body>
<div class='pane'><pre>sidebar pre that is not the cable</pre></div>
<table class='cable'>
<tr><th>Reference ID</th><th>Created</th><th>Released</th>
<th>Classification</th><th>Origin</th></tr>
<tr>
<td><a href='/cable/2009/04/09MEXICO1055.html'>09MEXICO1055</a></td>
<td><a href='/date/2009-04_0.html'>2009-04-14 16:11</a></td>
<td><a href='/reldate/2011-08-30_0.html'>2011-08-30 01:44</a></td>
<td><a href='/classification/2_0.html' title='secret'>CONFIDENTIAL//NOFORN</a></td>
<td><a href='/origin/1_0.html' title='wrong'>Embassy Mexico</a></td>
</tr>
<tr><td colspan='5'>Appears in these articles:<br />
<a href='http://http://example.org/a'>http://example.org/a</a><br /></td></tr>
</table>
<code><pre>O 141611Z APR 09&#x000A;FM AMEMBASSY MEXICO</pre></code>
<code><pre>C O N F I D E N T I A L SECTION 01 OF 04 MEXICO 001055 &#x000A;&#x000A;NOFORN&#x000A;\
TAGS: <a href='/tag/PGOV_0.html'>PGOV</a> <a href='/tag/PREL_0.html'>PREL</a>&#x000A;\
SUBJECT: A &lt;b&gt;BOLD&lt;/b&gt; SUBJECT &#x000A;&#x000A;\
REF: A. MEXICO 988 &#x000A;<a id='parB' href='#parB'>\u00b6</a>B. STATE 1234 &#x000A;&#x000A;\
<a id='par1' href='#par1'>\u00b6</a>1. (C) One &#x1b;[31m &#x000A;&#x000A;\
<a id='par2' href='#par2'>\u00b6</a>2. (SBU) Two.</pre></code>
</body></html>
"""


def test_page_table_pre_blocks_and_anchors() -> None:
    raw = read_html(PAGE.encode(), Source("page.html"))
    assert raw.reference_id == "09MEXICO1055"
    assert raw.created == "2009-04-14T16:11"
    assert raw.released == "2011-08-30T01:44"
    assert raw.classification == "CONFIDENTIAL//NOFORN"
    assert raw.origin == "Embassy Mexico"
    assert raw.articles == ["http://example.org/a"]
    assert raw.tags == ["PGOV", "PREL"]
    assert raw.anchors == ["parB", "par1", "par2"]
    assert raw.header == "O 141611Z APR 09\nFM AMEMBASSY MEXICO"
    assert raw.body.count("\u00b6") == 3
    assert "<b>BOLD</b>" in raw.body  # entities stay text: never markup


def test_page_through_the_body_reader() -> None:
    cable = build_cable(read_html(PAGE.encode(), Source("page.html")))
    assert [(p.number, p.anchor, p.level) for p in cable.paragraphs] == [
        (1, "par1", Level.C),
        (2, "par2", Level.SBU),
    ]
    assert cable.references == ["09MEXICO988", "09STATE1234"]
    assert cable.subject == "A <b>BOLD</b> SUBJECT"
    assert "\x1b" not in cable.paragraphs[0].text
    assert cable.created_dtg == "O 141611Z APR 09"


def test_one_pre_block_means_no_header() -> None:
    page = PAGE.replace("<code><pre>O 141611Z APR 09&#x000A;FM AMEMBASSY MEXICO</pre></code>", "")
    page = page.replace("<pre>sidebar pre that is not the cable</pre>", "")
    raw = read_html(page.encode(), Source("page.html"))
    assert raw.header is None
    assert raw.body.startswith("C O N F I D E N T I A L")


def test_not_a_cable_page_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "nothing.html"
    path.write_text("<html><body><p>hello</p></body></html>")
    with pytest.raises(ParseError, match=r"nothing\.html: not a cable page"):
        read_html(path)
    with pytest.raises(ParseError, match=r"missing\.html: cannot read"):
        read_html(tmp_path / "missing.html")


def test_three_page_generations_read(facts: dict) -> None:
    for name in ("09BERLIN1162.html", "07BERN881.html", "72TEHRAN5055.wl2011.html"):
        raw = read_html(FIXTURES / name)
        observed = facts[name]["observed"]
        assert raw.reference_id == observed["reference_id"]
        assert raw.created == observed["created"].replace(" ", "T")
        assert len(raw.anchors or []) == observed["n_paragraph_anchors"]


@settings(deadline=None, max_examples=150)
@given(st.binary(max_size=3000))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        build_cable(read_html(data, Source("fuzz.html")))
    except ParseError as exc:
        assert str(exc).startswith("fuzz.html: ")


@settings(deadline=None, max_examples=150)
@given(st.integers(0, len(PAGE) - 1), st.integers(0, 400), st.text(max_size=40))
def test_mutated_pages_never_crash(at: int, cut: int, insert: str) -> None:
    page = PAGE[:at] + insert + PAGE[at + cut :]
    try:
        cable = build_cable(read_html(page.encode("utf-8", "replace"), Source("m.html")))
    except ParseError as exc:
        assert str(exc).startswith("m.html: ")
    else:
        assert cable.reference_id
