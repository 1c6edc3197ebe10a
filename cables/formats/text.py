"""Text formats: page renderings, raw telegram text (the PDF extractions too) and record text.

Each reader finds the metadata and the telegram text and leaves paragraphs to the body reader.
Quirks fixed here are those of a format, never of a cable: the markdown of a rendered page (bold
numbers, autolinks, setext rules, the pilcrow link rendered as a leading `1`), the backslash
continuations of the record form, the Latin-1 and CRLF of the extractions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from cables.formats import ParseError, RawCable
from cables.model import Source
from cables.pagebreaks import is_page_break_line

PILCROW = "\u00b6"
TABLE_COLUMNS = ("Reference ID", "Created", "Released", "Classification", "Origin")

# A reference id as published: two-digit year (a few malformed ids carry more), station, number.
REF_ID = r"\d{2,4}[A-Z][A-Z0-9]*?\d+"
_REF_ID_RE = re.compile(REF_ID)
_REFS_ONLY_RE = re.compile(rf"{REF_ID}(?:\|{REF_ID})*")
_DATETIME_RE = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d)(?::\d\d)?")
# The record form: [id TAB] created TAB ref TAB origin TAB classification TAB refs TAB header...
_TAB_RECORD_RE = re.compile(
    r"(?:\d+\t)?(\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t"
)
# Every record start holds a date-time column or is a references line after a blank line.
# (Both patterns open with a literal character, which the regex engine scans for quickly.)
_MAYBE_RECORD_RE = re.compile(r"-\d\d-\d\d \d\d:\d\d")
_MAYBE_FRAGMENT_RE = re.compile(rf"\n[ \t\r]*\n{REF_ID}(?:\|{REF_ID})*[ \t\r]*(?:\n|$)")
_CLASSIFICATION_RE = re.compile(
    r"(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET|LIMITED OFFICIAL USE)(?://[A-Z /]+)?",
    re.IGNORECASE,
)
# A banner opens the telegram proper: the classification, spaced out or not (`C O N F ...`),
# sometimes missing its first letter or with it doubled (`E C R E T`, `SS E C R E T`).
_BANNER_WORD_RE = re.compile(
    r"(?:TOP)?S{0,2}E?CRET|C{0,2}O?NFIDENTIAL|U?NCLAS(?:SIFIED)?|LIMITEDOFFICIALUSE"
)
_SPACED_RE = re.compile(r"\s*((?:[A-Za-z]{1,2} ){3,}[A-Za-z])(?![A-Za-z])")
_PLAIN_BANNER_RE = re.compile(
    r"\s*(?:TOP SECRET|S?ECRET|C?ONFIDENTIAL|U?NCLAS(?:SIFIED)?|LIMITED OFFICIAL USE)(?![A-Za-z])"
)
# Lines that belong to the telegram text, never to a routing header.
_BODY_FIELD_RE = re.compile(
    r"\s*(?:E\.\s?O\.|EO \d|TAGS?\b|SUBJECT\b|SUBJ\b|REF\b|REFS\b|CLASSIFIED BY|SIPDIS|NOFORN"
    r"|\u00b6)",
    re.IGNORECASE,
)
_FIELD_RE = re.compile(r"\s*(?:TAGS?|TAGE|SUBJECT|SUBJ)\s*:")
_DTG_LINE_RE = re.compile(r"\s*(?:[OPRZ]\s+){1,2}\d{6}Z\s+[A-Z]{3}\s+\d{2}\b")
_ROUTING_START_RE = re.compile(r"\s*(?:VZCZC|(?:[OPRZ] ){1,2}\d{6}Z [A-Z]{3} \d{2}\b)")
_RENDERED_NUMBER_RE = re.compile(r"(\*\*)?(\u00b6)?(\d{1,4})\.(\*\*)?(?=\s|$)")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_TAG_RE = re.compile(r"<[^>]*>")


def decode(data: bytes) -> str:
    """UTF-8 where it is, else Latin-1 (the PDF extractions: 0xB6 is the pilcrow)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def is_banner(line: str) -> bool:
    """Whether `line` opens with a classification banner (in any of its published shapes)."""
    m = _SPACED_RE.match(line)
    if m:  # the spaced word may run on into a one-letter station word: `S E C R E T X 1`
        letters = m.group(1).upper().split(" ")
        if any(_BANNER_WORD_RE.fullmatch("".join(letters[:k])) for k in range(len(letters), 2, -1)):
            return True
    return bool(_PLAIN_BANNER_RE.match(line))


def has_routing_header(text: str) -> bool:
    """Whether the first line with text opens a routing header (VZCZC..., or the DTG)."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return bool(_ROUTING_START_RE.match(first))


def split_header(text: str) -> tuple[str | None, str]:
    """Routing header and telegram body of raw telegram text (no header: None and the text).

    The header is everything up to its DTG (VZCZC lines, or the old `PAGE 01 ... ACTION ...
    INFO ...` block) and the FM/TO/INFO lines after it; it ends at the banner, at a blank line,
    or at a line that can only be telegram text (mixed case, E.O., TAGS, SUBJECT, a pilcrow ...).
    Text with no DTG near its top, or with TAGS/SUBJECT before it, has no header.
    """
    lines = text.split("\n")
    dtg = next((i for i, line in enumerate(lines[:80]) if _DTG_LINE_RE.match(line)), None)
    if dtg is None or any(_BODY_FIELD_RE.match(line) for line in lines[:dtg]):
        return None, text
    for i in range(dtg + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            return _join_header(lines[:i]), "\n".join(lines[i + 1 :])
        if is_banner(line) or _BODY_FIELD_RE.match(line) or any(c.islower() for c in line):
            return _join_header(lines[:i]), "\n".join(lines[i:])
    return _join_header(lines), ""


def _join_header(lines: list[str]) -> str | None:
    """The header lines as written, less blank lines at either end."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join(lines) or None


def iso(value: str) -> str | None:
    """`2009-04-14 16:11[:00]` -> `2009-04-14T16:11`; None where it is not that shape."""
    m = _DATETIME_RE.fullmatch(value.strip())
    return f"{m.group(1)}T{m.group(2)}" if m else None


# --- raw telegram text ------------------------------------------------------------------------


def is_telegram(text: str) -> bool:
    """A DTG line near the top, or TAGS/SUBJECT lines under a banner: what telegrams carry."""
    lines = text.split("\n", 200)[:200]
    if any(_DTG_LINE_RE.match(line) for line in lines):
        return True
    return any(_FIELD_RE.match(line) for line in lines) and any(is_banner(line) for line in lines)


def read_telegram(text: str, source: Source) -> RawCable:
    """A bare telegram (as in the `<pre>` blocks, or a PDF extraction): no page metadata.

    The body reader derives the reference id from the banner and the DTG year.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header, body = split_header(text)
    return RawCable(source=source, body=body.strip("\n"), header=header)


# --- rendered pages --------------------------------------------------------------------------


def is_rendered(text: str) -> bool:
    return any(_table_columns(line) for line in text.split("\n"))


def _table_columns(line: str) -> bool:
    return tuple(cell.strip() for cell in line.split("\t")) == TABLE_COLUMNS


def read_rendered(text: str, source: Source) -> RawCable:
    """A text rendering of a cablegate page: page table, article links, header, body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    at = next((i for i, line in enumerate(lines) if _table_columns(line)), None)
    if at is None:
        raise ParseError(source.describe(), "not a rendered cable page: no page table")
    row_at = next((i for i in range(at + 1, len(lines)) if lines[i].strip()), len(lines))
    cells = (
        [_TAG_RE.sub("", c).strip() for c in lines[row_at].split("\t")]
        if (row_at < len(lines))
        else []
    )
    if len(cells) != len(TABLE_COLUMNS):
        raise ParseError(
            f"{source.describe()} line {at + 2}",
            f"page table row has {len(cells)} cells, expected {len(TABLE_COLUMNS)}",
        )
    reference_id, created, released, classification, origin = cells
    i, articles = _articles(lines, row_at + 1)
    rest = "\n".join(line.rstrip() for line in lines[i:])
    header: str | None = None
    if has_routing_header(rest):
        block, _, rest = rest.strip("\n").partition("\n\n")
        header = block
    return RawCable(
        source=source,
        body=_unmarkdown(rest.strip("\n")),
        header=header,
        reference_id=reference_id or None,
        # A date that is not one goes on as written, to be dropped with a warning (validate).
        created=(iso(created) or created) if created else None,
        released=(iso(released) or released) if released else None,
        classification=classification or None,
        origin=origin or None,
        articles=articles,
    )


def _articles(lines: list[str], i: int) -> tuple[int, list[str]]:
    """The "Appears in these articles" links after the page table, and where the text goes on."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not lines[i].strip().startswith("Appears in these articles"):
        return i, []
    articles: list[str] = []
    i += 1
    while i < len(lines):
        line = lines[i].strip()
        if line:
            m = _AUTOLINK_RE.fullmatch(line)
            if not m:
                break
            articles.append(m.group(1))
        i += 1
    return i, articles


def _unmarkdown(body: str) -> str:
    """Undo the rendering's markdown where it changed the telegram text."""
    lines = [_AUTOLINK_RE.sub(r"\1", line) for line in body.split("\n")]
    lines = _renumber(lines)
    return "\n".join(_setext(lines))


def _renumber(lines: list[str]) -> list[str]:
    """Restore paragraph starts: `**11.**`, `12.` ... `110.` are `¶1.` ... `¶10.`.

    The rendering turned the pilcrow link into a leading `1`; a number is read that way only where
    the sequence says so (expected 3, found `13.`), so true paragraphs 11, 12 ... stay.
    """
    expected = 1
    out: list[str] = []
    for line in lines:
        m = _RENDERED_NUMBER_RE.match(line)
        if not m:
            out.append(line)
            continue
        bold, pilcrow, digits = m.group(1), m.group(2), m.group(3)
        rest = line[m.end() :]
        if pilcrow or digits == str(expected):
            expected = int(digits) + 1
            out.append(f"{pilcrow or ''}{digits}.{rest}" if bold else line)
        elif digits.startswith("1") and digits[1:] == str(expected):
            out.append(f"{PILCROW}{digits[1:]}.{rest}")
            expected += 1
        else:
            out.append(f"{digits}.{rest}" if bold else line)
    return out


def _setext(lines: list[str]) -> list[str]:
    """`Heading`, blank, `---` (a markdown rule) back to the heading underlined as written."""
    out: list[str] = []
    for line in lines:
        if (
            line.strip() == "---"
            and len(out) >= 2
            and not out[-1].strip()
            and out[-2].strip()
            and len(out[-2]) <= 80
            and not out[-2].rstrip().endswith((".", ":", ";", ","))
            and not is_page_break_line(out[-2])
        ):
            out.pop()
            out.append("-" * len(out[-1].strip()))
            continue
        out.append(line)
    return out


# --- records: the dump's columns written into text ---------------------------------------------


@dataclass(slots=True)
class Record:
    """A cable record in text: tab-separated columns, one column a line, or a tail fragment.

    `start`/`end` are character offsets of the record in the text it was found in, `line` the
    1-based line it starts on. A fragment (refs line, then a telegram) has no reference id.
    """

    start: int
    end: int
    line: int
    reference_id: str | None
    created: str | None
    origin: str | None
    classification: str | None
    references: list[str] = field(default_factory=list)
    header: str | None = None
    body: str = ""

    def to_raw(self, source: Source, anchors: list[str] | None = None) -> RawCable:
        """The record's columns as a RawCable: its metadata and its telegram text."""
        return RawCable(
            source=source,
            body=self.body,
            header=self.header,
            reference_id=self.reference_id,
            created=self.created,
            classification=self.classification,
            origin=self.origin,
            references=self.references or None,
            anchors=anchors,
        )


def find_records(text: str) -> list[Record]:
    """Every record in `text`, in order; each runs to the next one or to the end."""
    if not (_MAYBE_RECORD_RE.search(text) or _MAYBE_FRAGMENT_RE.search(text)):
        return []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    kinds = {i: kind for i in range(len(lines)) if (kind := _record_kind(lines, i))}
    starts = list(kinds)
    records = []
    for k, i in enumerate(starts):
        j = starts[k + 1] if k + 1 < len(starts) else len(lines)
        start, end = offsets[i], min(offsets[j], len(text))
        kind = kinds[i]
        chunk = lines[i:j]
        if kind is RecordKind.TAB:
            records.append(_tab_record(chunk, start, end, i + 1))
        else:
            records.append(_line_record(chunk, kind, start, end, i + 1))
    return records


class RecordKind(StrEnum):
    """The shapes a record of the text dumps comes in."""

    TAB = "tab"  # one line of tab-separated columns
    LINES = "lines"  # created, id, origin, classification: one a line
    FRAGMENT = "fragment"  # a REF line and a banner: the rest of a record cut by a page break


def _record_kind(lines: list[str], i: int) -> RecordKind | None:
    """The kind of record starting at line `i`, or None where none starts."""
    line = lines[i]
    if "\t" in line and _TAB_RECORD_RE.match(line):
        return RecordKind.TAB
    nxt = lines[i + 1 : i + 5]
    if line.strip().isdigit() and nxt and _DATETIME_RE.fullmatch(nxt[0].strip()):
        return RecordKind.LINES if _line_record_shape(lines[i + 1 : i + 5]) else None
    if _DATETIME_RE.fullmatch(line.strip()) and (i == 0 or not lines[i - 1].strip().isdigit()):
        return RecordKind.LINES if _line_record_shape(lines[i : i + 4]) else None
    if (
        i > 0
        and not lines[i - 1].strip()
        and _REFS_ONLY_RE.fullmatch(line.strip())
        and i + 1 < len(lines)
        and is_banner(lines[i + 1])
    ):
        return RecordKind.FRAGMENT
    return None


def _line_record_shape(cols: list[str]) -> bool:
    """created, reference id, origin, classification: one a line."""
    return (
        len(cols) == 4
        and bool(_DATETIME_RE.fullmatch(cols[0].strip()))
        and bool(_REF_ID_RE.fullmatch(cols[1].strip()))
        and bool(cols[2].strip())
        and bool(_CLASSIFICATION_RE.fullmatch(cols[3].strip()))
    )


def _uncontinue(text: str) -> str:
    """The record form ends every line of a column with a backslash: read them as newlines."""
    text = text.replace("\\\n", "\n")
    return text[:-1] if text.endswith("\\") else text


def _tab_record(chunk: list[str], start: int, end: int, line: int) -> Record:
    text = _uncontinue("\n".join(chunk).rstrip("\n"))
    m = _TAB_RECORD_RE.match(text)
    assert m is not None  # _record_kind matched this line
    created, ref, origin, classification, refs = m.groups()
    header, tab, body = text[m.end() :].partition("\t")
    if not tab:
        header, body = "", header
    return Record(
        start,
        end,
        line,
        reference_id=ref.strip() or None,
        created=iso(created),
        origin=origin.strip() or None,
        classification=classification.strip() or None,
        references=_refs(refs),
        header=header.strip("\n") or None,
        body=body.strip("\n"),
    )


def _line_record(chunk: list[str], kind: RecordKind, start: int, end: int, line: int) -> Record:
    if kind is RecordKind.FRAGMENT:
        return Record(
            start,
            end,
            line,
            None,
            None,
            None,
            None,
            _refs(chunk[0]),
            body="\n".join(chunk[1:]).strip("\n"),
        )
    if chunk[0].strip().isdigit():
        chunk = chunk[1:]
    created, ref, origin, classification = (c.strip() for c in chunk[:4])
    rest = chunk[4:]
    references: list[str] = []
    if rest and _REFS_ONLY_RE.fullmatch(rest[0].strip()):
        references = _refs(rest[0])
        rest = rest[1:]
    banner = next((k for k, text in enumerate(rest) if is_banner(text)), None)
    header = None
    if banner is not None and has_routing_header("\n".join(rest[:banner])):
        header = _join_header(rest[:banner])
        rest = rest[banner:]
    return Record(
        start,
        end,
        line,
        ref,
        iso(created),
        origin,
        classification,
        references,
        header=header,
        body="\n".join(rest).strip("\n"),
    )


def _refs(column: str) -> list[str]:
    return [ref.strip() for ref in column.split("|") if ref.strip()]


def is_records(text: str) -> bool:
    """Whether the text opens with a record (the tab-separated form, or one column a line)."""
    lines = text.lstrip("\n").split("\n")
    return _record_kind(lines, 0) in ("tab", "lines")


def read_records(text: str, path: str) -> Iterator[RawCable | ParseError]:
    """Each record of a text in the record form as a RawCable (metadata from its columns)."""
    records = find_records(text.replace("\r\n", "\n").lstrip("\n"))
    for number, record in enumerate(records, 1):
        source = Source(path, record=number)
        if record.reference_id is None:
            yield ParseError(
                f"{path} line {record.line}",
                "record without a reference id (a fragment of a record) skipped",
            )
            continue
        yield record.to_raw(source)
