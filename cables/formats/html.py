"""WikiLeaks cablegate pages (the Dec 2010, early 2011 and 2011-08-30 generations), read with lxml.

A page holds a table `<table class='cable'>` (Reference ID, Created, Released, Classification,
Origin: the link TEXTS are right, their `title=` attributes are not), an optional "Appears in these
articles" row, then one or two `<pre>` blocks: the routing header and the telegram body (one block:
no header). Pilcrow links `<a id='par1' href='#par1'>¶</a>` stay `¶` characters in the body text,
with their ids collected in order; TAGS are links whose texts are the tags.

Nothing is stored half read: a page cut off inside the telegram text is a partial record (the
importer warns, and a whole copy replaces it later), and a page libxml2 stops reading part way
(markup nested past its depth limit, a text node past its 10 MB limit) is refused.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree, html

from cables.formats import ParseError, RawCable
from cables.model import Source

_PARSER = html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
_COLUMNS = {
    "reference id": "reference_id",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}
_PILCROW = "\u00b6"
# The page table and the <pre> blocks sit together after a large sidebar; parsing from the table
# on keeps lxml off the sidebar's markup (the 2011-08-30 pages are ~190 KB, mostly sidebar).
_START = b"<table class='cable'>"
_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_PRE_OPEN = re.compile(rb"<pre\b", re.IGNORECASE)
_PRE_CLOSE = re.compile(rb"</pre\s*>", re.IGNORECASE)
# What libxml2 says when it stops reading: the rest of the page would be silently missing.
_LIMITS = {
    "depth": "markup nested deeper than libxml2 reads",
    "buffer size": "a text longer than libxml2 reads (10 MB)",
}
TRUNCATED = "truncated: the page ends inside the telegram text (no closing </pre>)"


def read_html(data: bytes | str | Path, source: Source | None = None) -> RawCable:
    """Read one cablegate page (a path or its bytes) into a RawCable.

    Raises ParseError naming the source when the page holds no cable body.
    """
    if isinstance(data, Path | str) and not isinstance(data, bytes):
        path = Path(data)
        source = source or Source(str(path))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ParseError(source.describe(), f"cannot read: {exc.strerror or exc}") from exc
    src = source or Source("<html>")
    data = _utf8(data)
    start = data.find(_START)
    fragment = data[start:] if start >= 0 else data
    try:
        root = html.document_fromstring(fragment, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(src.describe(), f"not readable as HTML: {exc}") from exc
    if root is None:
        raise ParseError(src.describe(), "not readable as HTML: empty document")
    _refuse_what_libxml2_left_out(src)

    meta, articles = _page_table(root)
    pres = list(root.iter("pre"))
    if not pres:
        raise ParseError(src.describe(), "not a cable page: no <pre> telegram text")
    body_pre = pres[-1]
    header = _text(pres[0]) if len(pres) > 1 else None
    body, anchors = _body(body_pre)
    tags = [
        text.strip()
        for a in body_pre.iter("a")
        if (a.get("href") or "").startswith("/tag/")
        for text in (a.text, *(child.tail for child in a))  # the text() nodes of <a>
        if text and text.strip()
    ]
    return RawCable(
        source=src,
        body=body,
        header=header,
        reference_id=meta.get("reference_id") or None,
        created=_iso(meta.get("created")),
        released=_iso(meta.get("released")),
        classification=meta.get("classification") or None,
        origin=meta.get("origin") or None,
        tags=tags,
        articles=articles,
        anchors=anchors,
        partial=None if _closed(fragment) else TRUNCATED,
    )


def _utf8(data: bytes) -> bytes:
    """The page as UTF-8: a byte order mark, else the charset its <meta> declares, is honoured
    (a Latin-1 page read as UTF-8 loses every pilcrow, and with them the paragraph starts)."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, "replace").encode("utf-8", "surrogatepass")
    declared = _CHARSET.search(data, 0, 16384)
    if not declared:
        return data
    try:
        name = codecs.lookup(declared.group(1).decode("ascii")).name
    except LookupError:
        return data  # an unknown charset: read as UTF-8, as before
    if name == "utf-8" or name.startswith(("utf-16", "utf-32")):  # no BOM: not wide (WHATWG)
        return data
    if name == "iso8859-1":  # as browsers read it: the Windows superset (curly quotes)
        name = "cp1252"
    return data.decode(name, "replace").encode("utf-8")


def _refuse_what_libxml2_left_out(source: Source) -> None:
    """libxml2 stops at its resource limits and returns what it read so far, without raising:
    its error log is the only sign, so a fatal entry there refuses the page."""
    for entry in _PARSER.error_log:
        if entry.level_name == "FATAL":
            message = entry.message.lower()
            what = next((v for k, v in _LIMITS.items() if k in message), entry.message.strip())
            raise ParseError(
                source.describe(),
                f"libxml2 stopped reading the page (line {entry.line}: {what}); refused rather"
                " than stored in part",
            )


def _closed(fragment: bytes) -> bool:
    """Whether the last <pre> (the telegram body) is closed: a page cut off short is not."""
    ends = [m.end() for m in _PRE_OPEN.finditer(fragment)]
    return not ends or _PRE_CLOSE.search(fragment, ends[-1]) is not None


def _page_table(root: html.HtmlElement) -> tuple[dict[str, str], list[str]]:
    """The table's fields by column name, and the press articles listed under it."""
    tables = root.xpath("//table[@class='cable']")
    if not tables:
        return {}, []
    table = tables[0]
    heads = [" ".join(th.text_content().split()).lower() for th in table.xpath(".//th")]
    meta: dict[str, str] = {}
    articles: list[str] = []
    for row in table.xpath(".//tr[td]"):
        cells = row.xpath("./td")
        if len(cells) == 1 and "appears in" in cells[0].text_content().lower():
            articles.extend(
                " ".join(a.text_content().split())
                for a in cells[0].xpath(".//a")
                if a.text_content().strip()
            )
            continue
        if not meta and len(cells) == len(heads):
            for head, cell in zip(heads, cells, strict=True):
                key = _COLUMNS.get(head)
                if key:
                    meta[key] = " ".join(cell.text_content().split())
    return meta, articles


def _text(pre: html.HtmlElement) -> str:
    return str(pre.text_content())


def _body(pre: html.HtmlElement) -> tuple[str, list[str]]:
    """The body text with pilcrows kept, and the anchor id of each pilcrow in order.

    A pilcrow outside an anchor (or an anchor without an id) gets an empty id, so the list stays
    parallel to the `¶` characters and the body reader falls back to `par<number>`.
    """
    anchors: list[str] = []
    for node in pre.iter():
        if node.text and _PILCROW in node.text:
            ident = node.get("id", "") if node.tag == "a" else ""
            anchors.extend([ident] * node.text.count(_PILCROW))
        if node is not pre and node.tail and _PILCROW in node.tail:
            anchors.extend([""] * node.tail.count(_PILCROW))
    return pre.text_content(), anchors


def _iso(value: str | None) -> str | None:
    """`2009-09-18 16:04` -> `2009-09-18T16:04`: the page's value, in the model's form."""
    if not value:
        return None
    value = value.strip()
    if len(value) >= 16 and value[10] == " ":
        return f"{value[:10]}T{value[11:16]}"
    return value
