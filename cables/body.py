"""The shared body reader: turns any format's raw telegram text into a `Cable`.

Every format reader stops at a `RawCable` (metadata plus the telegram text as published), so the
hard part, reading header fields and paragraphs out of real, messy telegrams, lives here once and a
fix helps every format. The reader is line based:

1. split the text into lines, pairing each pilcrow with its published anchor id;
2. drop page-break lines (`MEXICO 00001055 002 OF 004`, `PAGE 02 CAPE T 00097 01 OF 03 182017Z`
   and the banners around the old style), so paragraphs cut by a page break join up again;
3. read the header zone: banner, caveat lines, TAGS, SUBJECT, REF, "Classified By";
4. read the body: paragraph starts (`¶1.`, `1.`, `(C) 1.`, `1.(C)`, `(C)` after a blank line),
   section headings (underlined, or ALL CAPS lines in mixed-case cables), numbering kept only
   where it runs in sequence, so that years and sub-list numbers stay text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from cables.dtg import DTG_RE, dtg_datetime, dtg_year, find_dtg
from cables.formats import SYNTHETIC_MARKER, ParseError, RawCable
from cables.markings import CUI_CAVEATS, level_of_classification, parse_marking
from cables.model import Cable, Level, Marking, Paragraph
from cables.pagebreaks import find_break
from cables.references import canonical_references
from cables.sanitize import clean, clean_line

_BANNER_ONLY_RE = re.compile(
    r"^\s*(?:C\s*O\s*N\s*F\s*I\s*D\s*E\s*N\s*T\s*I\s*A\s*L|S\s*E\s*C\s*R\s*E\s*T|"
    r"UNCLASSIFIED|UNCLAS|LIMITED OFFICIAL USE|TOP SECRET)(?:\s*/+\s*NOFORN)?\s*$",
    re.I,
)
# The lines a later section of an old-style cable opens with, mid-text.
_ROUTING_MARK_RE = re.compile(
    r"^\s*(?:(?:TOP )?SECRET|CONFIDENTIAL|UNCLASSIFIED|LIMITED OFFICIAL USE)"
    r"\s+[A-Z]{2,4}\d{3,6}\s*$"
)
_GLUED_BANNER_RE = re.compile(r"\s{2,}(?:(?:TOP )?SECRET|CONFIDENTIAL|UNCLASSIFIED)\s*$")
_PAGE_ONE_RE = re.compile(r"^\s*PAGE\s+0?1\s.*\bACTION\b")
_SECTION_BANNER_RE = re.compile(r"^.*\bSECTION\s+\d+\s+OF\s+\d+\s+[A-Z][A-Z ]*\d+\s*$")
_ADDRESSEE_RE = re.compile(r"^\s*[A-Z0-9/&' .,-]+ FOR [A-Z0-9/&' .,-]+$")
_CLASS_WORD_RE = re.compile(
    r"^(?:TOP)?S?S?ECRET$|^C?C?ONFIDENTIAL$|^U?NCLAS(?:SIFIED)?$|^LIMITEDOFFICIALUSE$"
)
_CLASS_WORD_MAX = len("LIMITEDOFFICIALUSE")  # the longest `_CLASS_WORD_RE` matches
# The station is what stands between the classification (less a `SECTION 01 OF 02`) and the
# number, digits and a misspelt SECTION too: the published ids keep them (`75 LIBREVILLE 1895` is
# 7575LIBREVILLE1895, `SECRET 01 OF 02 RPODUBAI 000288` is 0901OF02RPODUBAI288, `SECION 01 OF 02
# HARARE 000628` is 06SECION01OF02HARARE628), so an id derived here is the one published.
_BANNER_REST_RE = re.compile(
    r"^(?:.*?\bSECTION\s+\d+\s+OF\s+\d+\s+)?"
    r"(?P<station>(?:(?:[A-Z]+\s+)?\d{1,3}\s+OF\s+\d{1,3}\s+|\d{1,3}\s+)*[A-Z][A-Z .']*?[A-Z])\s+"
    r"(?P<num>\d{1,7})(?:\s.*)?$"
)
# Caveat words and phrases as the corpus writes them under the banner (longest first, so that
# `DEA SENSITIVE` is not read as `SENSITIVE`).
_CAVEAT_WORDS = (
    "SENSITIVE BUT UNCLASSIFIED",
    "NOT FOR INTERNET DISTRIBUTION",
    "DELIBERATIVE PROCESS",
    "DEA SENSITIVE",
    "NOFORN",
    "SIPDIS",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "STADIS",
    "ROGER",
    "CHEROKEE",
    "NOCONTRACT",
    "ORCON",
    "PROPIN",
    "FGI",
    "SBU",
    "FOUO",
    "SENSITIVE",
    "EFTO",
    "AIDAC",
)
_CAVEAT_ALT = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _CAVEAT_WORDS)
_CAVEAT_LINE_RE = re.compile(r"^\s*(?:(?:" + _CAVEAT_ALT + r")[\s,/.]*)+$", re.I)
_CAVEAT_IN_RE = re.compile(r"\b(?:" + _CAVEAT_ALT + r")\b")
# Header keys that some banner lines carry after the banner (`... 000284 SIPDIS E.O. 12958 ...`).
_BANNER_KEYS_RE = re.compile(r"\b(?:E\.\s?O\.|TAGS?:|SUBJ(?:ECT)?:)", re.I)

_TAGS_RE = re.compile(r"^\s*(?:TAGS?|TAGE|TAS)\s*[:.]?\s+(?P<rest>.*)$", re.I)
_SUBJECT_RE = re.compile(r"^\s*(?:SUBJECT|SUBJ)\s*(?::|\s-|\.)\s*(?P<rest>.*)$", re.I)
_REF_RE = re.compile(
    r"^\s*(?:REFS?|REFTELS?|REFERENCES?|REF\s+[A-Z]\.)\s*(?::|\.|\s-)?\s*(?P<rest>.*)$", re.I
)
_REF_KEY_RE = re.compile(r"^\s*(?:REFS?|REFTELS?|REFERENCES?)\s*[:.-]|^\s*REF\s+[A-Z][.)]", re.I)
# "Classified By", misspelt too (`Clasified By`, `Classifed By`).
_CLASSIFIED_RE = re.compile(
    r"^\s*(?:\([A-Z/]{1,6}\)\s*)?(?:CLAS{1,2}I?FI?E?D|CLASSIFICATION)\s+BY\s*:?\s*(?P<rest>.*)$",
    re.I,
)
# Header keys run together on one line (`E.o. 12958: decl: ... Tags: prel ... Subject: ...`).
_INLINE_KEY_RE = re.compile(
    r"(?<=\S)\s+(?=(?:TAGS?|SUBJECT|SUBJ|REF|REFS|REFTEL)\s*:|CLASSIFIED\s+BY\b)", re.I
)
# A REF block glued onto the end of the subject (`... AS UK PRIMEREF: A. LONDON 1939`).
_GLUED_REF_RE = re.compile(r"(?:REFS?|REFTEL):\s")
_ROUTING_SPAN = 40  # lines: a routing header copied into the body, up to its fields
_HEADER_ZONE = 80  # lines: the header fields come well before this
_EO_RE = re.compile(r"^\s*E\.?\s?O\.?\s+\d{4,5}\b", re.I)
_BARE_NUMBER_RE = re.compile(r"^\s*\d{3,7}\s*$")
_REF_ITEM_RE = re.compile(r"^\s*(?:[A-Z]\s*[.)]|\([A-Z]\))\s", re.I)

_MARK = r"\([^()\n]{1,120}\)"
# A marking whose REL TO list wraps onto the next line: `1. (S//REL CHINA, AFGHANISTAN,`.
_OPEN_MARK_RE = re.compile(r"^\s*(?:\d{1,3}\s*\.\s*)?\([A-Za-z/ ]{1,12}//?\s*REL\b[^()]*$")
# Words after which a number at the next line's start continues the sentence (`on June\n15.`).
_CONTINUE_TEXT = (
    "JAN JANUARY FEB FEBRUARY MAR MARCH APR APRIL MAY JUN JUNE JUL JULY AUG AUGUST SEP SEPT "
    "SEPTEMBER OCT OCTOBER NOV NOVEMBER DEC DECEMBER PARA PARAS PARAGRAPH PARAGRAPHS NO NUMBER "
    "SECTION AND OR OF ON TO BY IN AT THE SOME UNTIL SINCE FROM ARTICLE REF REFTEL"
)
_CONTINUE_WORDS = frozenset(_CONTINUE_TEXT.split())
_NUM_START_RE = re.compile(
    rf"^\s*(?P<pre>{_MARK}\s*)?(?P<num>\d{{1,4}})\s*\.(?!\d)(?:\s*\.(?!\.))?\s*(?P<post>{_MARK})?"
    r"\s*(?P<rest>.*)$"
)
_LETTER_START_RE = re.compile(
    rf"^\s*(?P<label>(?P<letter>[A-Z])\s*[.)])\s*(?P<post>{_MARK})?\s*(?P<rest>.*)$"
)
# A marking that lost one parenthesis, right after a paragraph number: `1. C) Summary`,
# `6. (C XXXXXXXXXXXX, too, ...`. Only the plain level codes in capitals, so that list items
# (`a)`, `(a`) and parentheticals stay text; the open form only where no `)` closes it later.
_HALF_MARK_RE = re.compile(
    r"^(?P<mark>(?:TS|SBU|C|S|U)(?://?NF)?\)|\((?:TS|SBU|C|S|U)(?://?NF)?(?=\s+[^)]*$))\s*(?P<rest>.*)$"
)
# A first paragraph's start glued onto the end of the "Classified By" line: `... b and d 1.(C)`.
_GLUED_START_RE = re.compile(rf"\s(\d{{1,2}}\s*\.\s*{_MARK})\s*$")
# A marking that lost its level (`(/Rel XX)`): a marking as written, of no level.
_MALFORMED_MARK_RE = re.compile(r"^\(\s*/+\s*REL\b[^()]*\)$", re.I)
_NOT_AFTER_MARK_RE = re.compile(r"^(?:,|and\b|or\b)", re.I)
_MARK_START_RE = re.compile(rf"^\s*(?P<mark>{_MARK})\s*(?P<rest>\S.*)$")
_MARK_END_RE = re.compile(rf"\s(?P<mark>{_MARK})\s*$")
_WHOLE_TEXT_RE = re.compile(
    r"(?im)^\W*(?:\d+\.\s*)?\(?\s*(?P<level>TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|"
    r"LIMITED OFFICIAL USE|SBU|TS|C|S|U)\s*[-\u2013\u2014]+\s*ENTIRE\s+TEXT"
)
_UNDERLINE_RE = re.compile(r"^\s*(?:-{3,}|-(?: -){3,})[\s-]*$")
_MAX_HEADING = 100  # a longer line is a sentence, never a heading
_LONE_DASH_RE = re.compile(r"^\s*-\s*$")
_BULLET_RE = re.compile(r"^(?:-|\*|o\s|\(?[a-zA-Z0-9]{1,3}[.)]\s|[A-Z]\.\s)")
_BULLET_LINE_RE = re.compile("\n" + _BULLET_RE.pattern[1:])  # `_BULLET_RE` after a line end
_SENTENCE_END_RE = re.compile(r"[.:;!?\"')\]]\s*$")


@dataclass(slots=True)
class _Line:
    text: str
    pilcrow: bool = False
    anchor: str | None = None

    @property
    def blank(self) -> bool:
        return not self.text.strip()


_PILCROW_OF = attrgetter("pilcrow")


@dataclass(slots=True)
class _Header:
    banner_station: str | None = None
    banner_number: str | None = None
    banner_class: str | None = None
    subject: str | None = None
    tags: list[str] = field(default_factory=list)
    ref_text: str | None = None
    classified_by: str | None = None
    caveats: list[str] = field(default_factory=list)


def build_cable(raw: RawCable) -> Cable:
    """Read `raw` into a Cable; ParseError only when nothing usable (no id, no text) is there."""
    body = clean(raw.body)
    header_text = clean(raw.header) if raw.header else None
    synthetic = raw.synthetic or SYNTHETIC_MARKER in body
    lines = _split_lines(body.replace(SYNTHETIC_MARKER, ""), raw.anchors)
    lines = _presplit(_drop_page_breaks(lines))
    dtg = find_dtg(header_text) or find_dtg("\n".join(line.text for line in lines[:40]))
    head, start = _read_header(lines)
    whole = _whole_text_level(body)

    reference_id = clean_line(raw.reference_id) if raw.reference_id else None
    year = dtg_year(dtg) or _ref_year(reference_id)
    if not reference_id and head.banner_station and head.banner_number and year:
        reference_id = f"{year % 100:02d}{head.banner_station}{int(head.banner_number)}"
    if not reference_id:
        raise ParseError(
            raw.source.describe(),
            "no reference id: no page table, and no banner "
            "station and number with a DTG year to derive one from",
        )
    if year is None:
        year = _ref_year(reference_id)

    classification = clean_line(raw.classification) if raw.classification else None
    if not classification and head.banner_class:
        classification = _banner_classification(head.banner_class, head.caveats)
    sent = dtg_datetime(dtg)
    created = raw.created or sent
    tags = [clean_line(t) for t in raw.tags] if raw.tags else []
    paragraphs, sections = _read_paragraphs(lines[start:], whole)
    if not paragraphs and not head.subject and not body.strip():
        raise ParseError(raw.source.describe(), "empty cable: no telegram text")
    return Cable(
        reference_id=reference_id,
        created=created,
        released=raw.released,
        created_dtg=dtg,
        sent=sent,
        classification=classification,
        level=level_of_classification(classification)
        if classification
        else (level_of_classification(head.banner_class)),
        origin=clean_line(raw.origin) if raw.origin else None,
        subject=head.subject,
        tags=_merge_tags(head.tags, tags),
        references=canonical_references(head.ref_text, year, reference_id) if head.ref_text else [],
        ref_text=head.ref_text,
        header=header_text,
        caveats=head.caveats,
        classified_by=head.classified_by,
        sections=sections,
        articles=[clean_line(a) for a in raw.articles],
        paragraphs=paragraphs,
        body=body,
        source=raw.source,
        synthetic=synthetic,
    )


# --- lines -----------------------------------------------------------------------------------


def _split_lines(body: str, anchors: list[str] | None) -> list[_Line]:
    """Split into lines, pairing each `¶` with its published anchor id (in order), minus the `¶`."""
    if "\u00b6" not in body:  # most cables (every cables.csv row): plain lines
        return list(map(_Line, body.split("\n")))
    out: list[_Line] = []
    index = 0
    for text in body.split("\n"):
        count = text.count("\u00b6")
        if not count:
            out.append(_Line(text))
            continue
        first = anchors[index] if anchors is not None and index < len(anchors) else None
        index += count
        stripped = text.lstrip()
        leading = stripped.startswith("\u00b6")
        out.append(
            _Line(text.replace("\u00b6", ""), pilcrow=leading, anchor=first if leading else None)
        )
    return out


def _drop_page_breaks(lines: list[_Line]) -> list[_Line]:
    """Remove page-break lines and the banner/blank lines around them, joining cut paragraphs;
    a break inside a line (its line ends lost) is cut out of it."""
    out: list[_Line] = []
    first_rest: str | None = None  # what followed the first old-style page header
    i = 0
    n = len(lines)
    maybe = _break_lines(lines)  # only these need a look: the others are copied in runs
    while i < n:
        ahead = next((k for k in maybe if k >= i), n)
        if ahead > i:
            out.extend(lines[i:ahead])
            i = ahead
            continue
        line = lines[i]
        text = line.text
        # Cheap test first (this runs on every line): every break names its page "NNN OF NNN".
        m = find_break(text) if "OF" in text or "of" in text else None
        while m and not m.old and (m.before.strip() or m.after.strip()):
            # Cut out of the line; the words either side join (`... a` + `visit by ...`).
            text = f"{m.before.rstrip()} {m.after.lstrip()}".strip()
            m = find_break(text)
        if m is None:
            out.append(line if text is line.text else _Line(text, line.pilcrow, line.anchor))
            i += 1
            continue
        rest = m.after.strip()
        section_end = _section_header_end(lines, i) if m.old and out else None
        # Drop the repeated banner lines and blanks the old style puts before a page header
        # (and, before a new section's routing header, its `CONFIDENTIAL PTQ1865` line).
        while (
            out
            and not out[-1].pilcrow
            and (
                out[-1].blank
                or _BANNER_ONLY_RE.match(out[-1].text)
                or (section_end and _ROUTING_MARK_RE.match(out[-1].text))
            )
        ):
            out.pop()
        if m.old and out and (glued := _GLUED_BANNER_RE.search(out[-1].text)):
            # `... TSVANGIRAI CLAIMED.  CONFIDENTIAL` right before the page header
            last = out[-1]
            out[-1] = _Line(last.text[: glued.start()], last.pilcrow, last.anchor)
        if section_end is not None:
            # A later section's routing header mid-text: its page 02 header repeats the end of
            # the subject that followed the first section's page 02 header.
            i = section_end
            page = find_break(lines[i].text) if i < n else None
            if page is None or not page.old:
                continue
            rest = page.after.strip()
            rest = "" if rest == first_rest else rest
        elif m.old and first_rest is None:
            first_rest = rest
        i += 1
        while i < n and lines[i].blank:
            i += 1
        # A break after a finished sentence, or before a rule line, keeps a blank line: it
        # parted two blocks (and a rule after a blank underlines nothing).
        rule_next = i < n and bool(_UNDERLINE_RE.match(lines[i].text))
        if out and not rest and (rule_next or _SENTENCE_END_RE.search(out[-1].text)):
            out.append(_Line(""))
        if rest:
            out.append(_Line(rest))
    return out


# `NNN OF NNN` from its first blank on, one pattern per literal start: the regex engine finds a
# literal as fast as `str.find`, where a pattern opening with `\d` is tried at every character.
_PAGE_OF_RES = tuple(re.compile(re.escape(w) + r"[ \t]+\d") for w in (" OF", " of", "\tOF", "\tof"))


def _break_lines(lines: list[_Line]) -> list[int]:
    """The lines that may hold a page break: `NNN OF NNN` (`MAYBE_BREAK_RE`) in them, found in
    the text joined once (no break spans a line end) rather than line by line."""
    joined = "\n".join([line.text for line in lines])
    starts = sorted(m.start() for pattern in _PAGE_OF_RES for m in pattern.finditer(joined))
    found: list[int] = []
    line = at = 0
    for start in starts:
        k = start
        while k > 0 and joined[k - 1] in " \t":
            k -= 1
        if k == 0 or not joined[k - 1].isdecimal():  # `\d` before the blanks: a page number
            continue
        line += joined.count("\n", at, start)
        at = start
        if not found or found[-1] != line:
            found.append(line)
    return found


def _section_header_end(lines: list[_Line], i: int) -> int | None:
    """Where the routing header of a later section ends, when `lines[i]` (an old-style page
    header) opens one mid-text (`PAGE 01 HARARE 06677 02 OF 03 291401Z ACTION AF-00`, routing
    lines, the section's banner, its addressee and E.O./TAGS/SUBJECT lines); else None."""
    if not _PAGE_ONE_RE.match(lines[i].text):
        return None
    for k in range(i + 1, min(i + 30, len(lines))):
        if _SECTION_BANNER_RE.match(lines[k].text):
            k += 1
            while k < len(lines) and (
                _is_key(lines[k].text)
                or _CAVEAT_LINE_RE.match(lines[k].text)
                or _ADDRESSEE_RE.match(lines[k].text)
            ):
                k += 1
            return k
    return None


# --- dates -----------------------------------------------------------------------------------


def _ref_year(reference_id: str | None) -> int | None:
    if not reference_id or not reference_id[:2].isdigit():
        return None
    yy = int(reference_id[:2])
    return 1900 + yy if yy >= 60 else 2000 + yy


# --- header ----------------------------------------------------------------------------------


def _banner(text: str) -> tuple[str, str | None, str | None] | None:
    """(classification as written, station, number) when `text` is a banner line."""
    words = text.upper().split()
    for k in range(1, min(len(words), 14) + 1):
        squeezed = "".join(words[:k])
        if len(squeezed) > _CLASS_WORD_MAX:  # it only grows: no longer k can match
            return None
        if _CLASS_WORD_RE.match(squeezed):
            # Take the longest run of single letters (`C O N F I D ...`) as the word.
            cls = " ".join(words[:k])
            rest = " ".join(words[k:])
            rest = re.sub(r"^(?:/+\s*\w+\s*)+", "", rest).strip()
            m = _BANNER_REST_RE.match(rest)
            if m:
                station = re.sub(r"[^A-Z0-9]", "", m.group("station"))
                if station not in {"SECTION", "OF"}:
                    return cls, station, m.group("num")
            if k == len(words) or not _CLASS_WORD_RE.match("".join(words[: k + 1])):
                return cls, None, None
    return None


def _banner_classification(banner_class: str, caveats: list[str]) -> str | None:
    """A header-style value from the banner (`SECRET//NOFORN`), for formats without a page table."""
    level = level_of_classification(banner_class)
    word = {
        Level.TS: "TOP SECRET",
        Level.S: "SECRET",
        Level.C: "CONFIDENTIAL",
        Level.U: "UNCLASSIFIED",
        Level.SBU: "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    }.get(level)
    if word is None:
        return None
    if level is Level.U and (CUI_CAVEATS & set(caveats)):
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    if "NOFORN" in caveats and level in (Level.C, Level.S, Level.TS):
        return f"{word}//NOFORN"
    return word


def _is_key(text: str) -> bool:
    return bool(
        _TAGS_RE.match(text)
        or _SUBJECT_RE.match(text)
        or _REF_KEY_RE.match(text)
        or _CLASSIFIED_RE.match(text)
        or _EO_RE.match(text)
    )


def _is_par_start(line: _Line) -> bool:
    m = _NUM_START_RE.match(line.text)
    if m and int(m.group("num")) < 200:
        return True
    m = _MARK_START_RE.match(line.text)
    # `(c), and (d).` continues "Classified By ... 1.4 (b)": a letter, not a marking.
    return bool(m and parse_marking(m.group("mark")) and not _NOT_AFTER_MARK_RE.match(m["rest"]))


def _presplit(lines: list[_Line]) -> list[_Line]:
    """The lines with what the header zone (up to the first paragraph) glues onto one line split
    into lines of their own: keys run together (`E.o. 12958: decl: ... Tags: prel ... Subject:`),
    a REF block glued onto the subject (`... AS UK PRIMEREF: A. LONDON 1939`), "Classified By"
    after a REF entry, and a first paragraph's start after "Classified By" (`... 1.4 b and d
    1.(C)`)."""
    out: list[_Line] = []
    for k, line in enumerate(lines):
        if line.pilcrow or k >= _HEADER_ZONE or _NUM_START_RE.match(line.text):
            out.extend(lines[k:])
            break
        parts = _INLINE_KEY_RE.split(line.text)
        if len(parts) == 1 and not (_GLUED_REF_RE.search(line.text, 1) or ")" in line.text):
            out.append(line)  # the common case, kept as it is
            continue
        for part in parts:
            glued = _GLUED_REF_RE.search(part, 1)
            if glued and not _REF_KEY_RE.match(part):
                out += [_Line(part[: glued.start()]), _Line("REF: " + part[glued.end() :])]
            elif _CLASSIFIED_RE.match(part) and (start := _GLUED_START_RE.search(part)):
                out += [_Line(part[: start.start()]), _Line(start.group(1))]
            else:
                out.append(_Line(part))
    return out


def _read_header(lines: list[_Line]) -> tuple[_Header, int]:
    """Read banner, caveats, TAGS, SUBJECT, REF, Classified By; return where the body starts."""
    head = _Header()
    n = len(lines)
    i = 0
    seen_block = False
    banner_limit = 15
    while i < n:
        line = lines[i]
        text = line.text
        if line.blank:
            i += 1
            continue
        if head.banner_class is None and i < banner_limit and not seen_block:
            found = _banner(text)
            if found:
                head.banner_class, head.banner_station, head.banner_number = found
                _add_caveats(head, _BANNER_KEYS_RE.split(text, 1)[0])
                # Some pages put the whole header on the banner line (`... TAGS: MASS MARR`).
                m = re.search(r"\bTAGS?:\s*(?P<rest>.*)$", text, re.I)
                if m:
                    head.tags = _split_tags(m.group("rest"))
                i += 1
                continue
        if m := _TAGS_RE.match(text):
            parts, i = _block(lines, i, m.group("rest"))
            head.tags = _split_tags("\n".join(parts))
            seen_block = True
            continue
        if m := _SUBJECT_RE.match(text):
            parts, i = _block(lines, i, m.group("rest"))
            subject = clean_line(" ".join(parts))
            head.subject = _strip_marking(subject) or None
            seen_block = True
            continue
        if _REF_KEY_RE.match(text) and (m := _REF_RE.match(text)):
            parts, i = _ref_block(lines, i, text.strip())
            head.ref_text = "\n".join(parts)
            seen_block = True
            continue
        if m := _CLASSIFIED_RE.match(text):
            parts, i = _block(lines, i, m.group("rest"))
            head.classified_by = clean_line(" ".join(parts)) or None
            seen_block = True
            continue
        if _EO_RE.match(text):
            seen_block = True
            i += 1
            continue
        if _CAVEAT_LINE_RE.match(text):
            _add_caveats(head, text)
            i += 1
            continue
        if _is_corrected(text):
            i += 1
            continue
        if (
            DTG_RE.match(text)
            and not seen_block
            and head.banner_class is None
            and _key_ahead(lines, i + 1, _ROUTING_SPAN)
        ):
            # The body opens with a copy of the routing header: its banner and fields follow.
            banner_limit = i + _ROUTING_SPAN
            i += 1
            continue
        if DTG_RE.match(text) or _is_par_start(line) or line.pilcrow:
            break
        if _key_ahead(lines, i + 1, _ROUTING_SPAN if not seen_block else 15):
            i += 1  # an addressee or note line between header fields
            continue
        if i + 1 < n and _UNDERLINE_RE.match(lines[i + 1].text):
            break
        if _UNDERLINE_RE.match(text) or seen_block:
            break
        i += 1
    return head, i


def _add_caveats(head: _Header, text: str) -> None:
    """The caveats written in `text`, each once, in order (`SIPDIS SIPDIS` is one)."""
    for m in _CAVEAT_IN_RE.finditer(text.upper()):
        word = " ".join(m.group().split())
        if word not in head.caveats:
            head.caveats.append(word)


def _is_corrected(text: str) -> bool:
    """`C O R R E C T E D C O P Y`, as the top of a corrected cable's pages reads."""
    return "".join(text.split()).upper() == "CORRECTEDCOPY"


def _is_banner_or_caveat(text: str) -> bool:
    return bool(_BANNER_ONLY_RE.match(text) or _CAVEAT_LINE_RE.match(text)) or _is_corrected(text)


def _key_ahead(lines: list[_Line], i: int, span: int) -> bool:
    """Whether a header field (TAGS, SUBJECT ...) still follows before the first paragraph,
    within `span` lines."""
    for line in lines[i : i + span]:
        if line.pilcrow or _is_par_start(line):
            return False
        if _is_key(line.text):
            return True
    return False


def _block(lines: list[_Line], i: int, first: str) -> tuple[list[str], int]:
    """A header field: its first line's rest plus continuation lines up to a blank, a new key,
    or what the next page repeats at its top (a banner, a caveat line, `C O R R E C T E D C O P
    Y`) where a page break came inside the field."""
    parts = [first.strip()] if first.strip() else []
    i += 1
    while i < len(lines):
        line = lines[i]
        if line.blank or line.pilcrow or _is_key(line.text) or _is_par_start(line):
            break
        if _UNDERLINE_RE.match(line.text) or (
            i + 1 < len(lines) and _UNDERLINE_RE.match(lines[i + 1].text)
        ):
            break
        if _is_banner_or_caveat(line.text):
            break
        parts.append(line.text.strip())
        i += 1
    return parts, i


def _ref_block(lines: list[_Line], i: int, first: str) -> tuple[list[str], int]:
    """The REF block as written: its lettered items may carry pilcrows that are not paragraphs."""
    parts = [first]
    i += 1
    n = len(lines)
    while i < n:
        line = lines[i]
        text = line.text
        if line.blank:
            j = i
            while j < n and lines[j].blank:
                j += 1
            if (
                j < n
                and (
                    (_REF_ITEM_RE.match(lines[j].text) and not _NUM_START_RE.match(lines[j].text))
                    # an entry's number after a blank line: `(C) SECSTATE`, blank, `36633`
                    or (_BARE_NUMBER_RE.match(lines[j].text) and parts[-1][-1:].isalpha())
                )
            ):
                i = j
                continue
            break
        if _CLASSIFIED_RE.match(text) or _SUBJECT_RE.match(text) or _TAGS_RE.match(text):
            break
        mark = _MARK_START_RE.match(text)
        if mark and parse_marking(mark.group("mark")) and len(mark.group("rest").split()) >= 8:
            break  # a marked paragraph right under the REF line, not a lettered item `(C) ...`
        if _NUM_START_RE.match(text) and (line.pilcrow or not _REF_ITEM_RE.match(text)):
            m = _NUM_START_RE.match(text)
            if m and int(m.group("num")) < 30:
                break
        parts.append(text.strip())
        i += 1
    return parts, i


_SUBJECT_TAG_RE = re.compile(r"^[AEKMOPST][A-Z]{3}$")


def _strip_marking(subject: str) -> str:
    """`(C) WAR BY ANY OTHER NAME` -> `WAR BY ANY OTHER NAME`: a marking (either end) is not
    part of the subject."""
    m = _MARK_START_RE.match(subject)
    if m and parse_marking(m.group("mark")):
        subject = m.group("rest")
    m = _MARK_END_RE.search(subject)
    if m and parse_marking(m.group("mark")):
        subject = subject[: m.start()].rstrip()
    return subject


_PERSON_RE = re.compile(r"\(([^()]*)\)")
_PERSON = "\ue000"  # stands for a bracketed name while a TAGS line is split


def _split_tags(text: str) -> list[str]:
    """One string per TAGS entry, each once: commas or semicolons separate where a line has
    them, else spaces (lines differ: `PREL FR PGOV` then `YI, UNO`); `OVIP` names whole, with
    brackets or without (`OVIP (CLINTON, HILLARY)`, `OVIP CLINTON HILLARY`: `CLINTON, HILLARY`)."""
    people = [" ".join(name.split()) for name in _PERSON_RE.findall(text)]
    numbers = itertools.count()
    text = _PERSON_RE.sub(lambda _: f" {_PERSON}{next(numbers)} ", text)
    out: list[str] = []
    for raw_line in text.split("\n"):
        line = clean_line(raw_line).upper().rstrip(".")
        if ("," in line or ";" in line) and not line.startswith("OVIP"):
            pieces = re.split(r"[,;]", line)
        else:
            pieces = [line.replace(",", " ")]
        for piece in pieces:
            for entry in _split_words(piece.split()):
                out.append(people[int(entry[1:])] if entry.startswith(_PERSON) else entry)
    return list(dict.fromkeys(t for t in out if t))


def _split_words(words: list[str]) -> list[str]:
    """Space-separated entries: tag codes one each, a name after `OVIP` or a run of long words
    (`COUNTER TERRORISM`) as one, glued codes (`MASSMNUC`) split."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "OVIP" and i + 1 < len(words) and not _looks_like_tag(words[i + 1]):
            out.append(word)
            j = i + 1
            name: list[str] = []
            while j < len(words) and not _looks_like_tag(words[j]):
                name.append(words[j])
                j += 1
            out.append(f"{name[0]}, {' '.join(name[1:])}" if len(name) > 1 else name[0])
            i = j
            continue
        run = 0
        while (
            i + run < len(words) and len(words[i + run]) > 4 and not _looks_like_tag(words[i + run])
        ):
            run += 1
        if run > 1:  # `COUNTER TERRORISM`: one entry written in two words
            out.append(" ".join(words[i : i + run]))
            i += run
            continue
        if len(word) == 8 and _SUBJECT_TAG_RE.match(word[:4]) and _SUBJECT_TAG_RE.match(word[4:]):
            out.extend([word[:4], word[4:]])
        else:
            out.append(word)
        i += 1
    return out


def _looks_like_tag(word: str) -> bool:
    return (
        word.startswith(_PERSON)
        or len(word) <= 2
        or bool(_SUBJECT_TAG_RE.match(word))
        or word in {"NATO", "UNGA", "EUN"}
    )


def _merge_tags(body_tags: list[str], page_tags: list[str]) -> list[str]:
    """The body's TAGS line read entry by entry; the page's tag links where the body has none."""
    return body_tags if body_tags else list(dict.fromkeys(page_tags))


def _whole_text_level(body: str) -> Level | None:
    head = body[:6000]
    if "ENTIRE" not in head.upper():  # a cheap test first: few cables mark the whole text
        return None
    m = _WHOLE_TEXT_RE.search(head)
    if not m:
        return None
    parsed = parse_marking(m.group("level"))
    return parsed.level if parsed else None


# --- paragraphs ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Par:
    number: int | None
    anchor: str | None
    marking: str | None
    section: str | None
    lines: list[str] = field(default_factory=list)
    breaks: list[bool] = field(default_factory=list)  # a blank line came before this line


class _Start(NamedTuple):
    """A line that starts a paragraph: its number, its marking as written, the rest of the line
    and the published anchor id."""

    number: int | None
    marking: str | None
    rest: str
    anchor: str | None


@dataclass(slots=True)
class _Sequence:
    """The paragraph numbering read so far, which decides whether a number at a line start
    starts a paragraph or is text (a year, a date, a sub-list item)."""

    pilcrow_digits: bool  # WikiLeaks anchored numbered paragraphs in this cable
    last: int | None = None
    outer: list[int] = field(default_factory=list)  # numbering a sub-list restarted from
    letter: str | None = None  # the last lettered paragraph (`¶A.`)

    def start(
        self, line: _Line, m: re.Match[str] | None, blank_before: bool, soft: bool
    ) -> _Start | None:
        """The paragraph `line` starts, if it starts one; `m` is its `_NUM_START_RE` match,
        `soft` says the line before does not run on into this one (a blank, or no `on June`
        ending). Only a numbered line, one with a pilcrow or one after a blank can start one."""
        text = line.text
        if m:
            marked = any(g and parse_marking(g) for g in (m["pre"], m["post"]))
            number = self._plausible(int(m.group("num")), line, blank_before, soft, marked)
            if number is not None and not (m.group("rest") or m.group("post") or m.group("pre")):
                # A bare `15.` is the end of a wrapped sentence (`... by March\n15.`).
                number = None if number != (self.last or 0) + 1 or not blank_before else number
            if number is not None:
                marking, rest = _marking_of(m.group("pre"), m.group("post"), m.group("rest"))
                if marking is None and (half := _HALF_MARK_RE.match(rest)):
                    marking, rest = half.group("mark"), half.group("rest")
                if self.last is not None and number <= self.last and number == 1:
                    self.outer.append(self.last)
                self.last = number
                return _Start(number, marking, rest, line.anchor)
        if (
            line.pilcrow
            and (m := _LETTER_START_RE.match(text))
            and (blank_before or self._next_letter(m["letter"]))
        ):
            self.letter = m["letter"]
            marking, rest = _marking_of(None, m.group("post"), m.group("rest"))
            # The letter stays in the text: it is a word of the telegram (`A. Terrorism`).
            anchor = line.anchor or f"par{m['letter']}"
            return _Start(None, marking, f"{m['label']} {rest}".strip(), anchor)
        if (blank_before or line.pilcrow) and (m := _MARK_START_RE.match(text)):
            mark = m.group("mark")
            rest = m.group("rest")
            if parse_marking(mark) and not _NOT_AFTER_MARK_RE.match(rest):
                return _Start(None, " ".join(mark.split()), rest, None)
        return None

    def _next_letter(self, letter: str) -> bool:
        """Lettered paragraphs run A, B, C ... (or open a Roman `I.`): an `R.` out of sequence
        and inside a sentence is an initial (`We met` / `R. Smith`)."""
        return letter in "AI" or (self.letter is not None and ord(letter) == ord(self.letter) + 1)

    def _plausible(self, n: int, line: _Line, blank: bool, soft: bool, marked: bool) -> int | None:
        """`n` if it fits the paragraph sequence; None when it is just text (a year, a date).

        A pilcrow (WikiLeaks anchored the number) allows repeats, restarts and small gaps, the
        latter only where the line before does not run on into the number; a published anchor
        naming this very number (`par214`) makes it a paragraph however high. Without a pilcrow
        a portion marking after the number does the same for a repeat or a small gap (a number
        skipped after a redaction or a heading: `XXXXXXXXXXXX`, blank, `6. (C)`).
        """
        last, outer, pilcrow = self.last, self.outer, line.pilcrow
        if n == 0:
            return None
        if n >= 200 and not (pilcrow and line.anchor == f"par{n}" and soft):
            return None
        if last is None:
            return n if n == 1 or (pilcrow and soft and n <= 30) else None
        if n == last + 1 or (outer and n == outer[-1] + 1):
            return n
        if (pilcrow or (marked and blank)) and (n == last or (soft and last < n <= last + 5)):
            return n
        if pilcrow and n == 1:
            return n
        if pilcrow and soft and line.anchor == f"par{n}" and n > last and n < 1000:
            return n  # a published anchor on a number that jumps (after a redaction)
        if pilcrow and blank and n < last:
            return n  # numbered out of order by the drafter (`14.` then `12.`): kept as published
        if not pilcrow and n == 1 and blank and not self.pilcrow_digits:
            return n
        return None


def _read_paragraphs(lines: list[_Line], whole: Level | None) -> tuple[list[Paragraph], list[str]]:
    """Read the body lines into paragraphs and the section headings, in order."""
    pars: list[_Par] = []
    sections: list[str] = []
    section: str | None = None
    text = "\n".join([ln.text for ln in lines])  # whole-text tests run in C, not line by line
    sequence = _Sequence(
        any(map(_PILCROW_OF, lines))
        and any(ln.pilcrow and _NUM_START_RE.match(ln.text) for ln in lines)
    )
    mixed_case = text != text.upper()
    blank_before = True
    if "REL" in text:  # a wrapped marking needs it (`_OPEN_MARK_RE`)
        lines = _merge_wrapped_markings(lines)
    n = len(lines)
    prev = ""
    # This loop runs on every line of every cable: the cheap tests go first and what is only
    # needed on a rare path (the next line, whether the line before runs on) is found there.
    for idx, line in enumerate(lines):
        text = line.text.rstrip()
        if not text or ("-" in text and _LONE_DASH_RE.match(text)):  # blank, or a lone dash
            blank_before = True
            continue
        if "-" in text and _UNDERLINE_RE.match(text):
            heading = None if blank_before else _underlined(pars, lines, idx)
            if heading:
                section = heading
                sections.append(heading)
            blank_before = True
            continue
        before, prev = prev, text
        m = _NUM_START_RE.match(line.text)
        if m or blank_before or line.pilcrow:
            soft = blank_before or not _continues(before)
            start = sequence.start(line, m, blank_before, soft)
        else:
            start = None
        if start is not None:
            par = _Par(start.number, start.anchor, start.marking, section)
            if start.rest:
                par.lines.append(start.rest)
                par.breaks.append(False)
            pars.append(par)
            blank_before = False
            continue
        if (
            blank_before
            and (idx + 1 >= n or lines[idx + 1].blank)
            and not line.pilcrow
            and (
                (mixed_case and _is_caps_heading(text))
                or (_is_title(text) and _paragraph_next(lines, idx))
            )
            and any(not ln.blank for ln in lines[idx + 1 :])
        ):
            section = clean_line(text)
            sections.append(section)
            continue
        cur = pars[-1] if pars else None
        if cur is None or (blank_before and cur.number is None and cur.anchor is None):
            cur = _Par(None, None, None, section)
            pars.append(cur)
        cur.lines.append(text.lstrip())
        cur.breaks.append(blank_before)
        blank_before = False
    out: list[Paragraph] = []
    for par in pars:
        text = _join(par.lines, par.breaks)
        if not text and par.number is None:
            continue
        parsed = parse_marking(par.marking) if par.marking else None
        if parsed is None and whole is not None:
            parsed = Marking(whole)
        anchor = par.anchor or (f"par{par.number}" if par.number is not None else None)
        out.append(Paragraph(par.number, anchor, par.marking, parsed, text, par.section))
    return out, sections


def _underlined(pars: list[_Par], lines: list[_Line], idx: int) -> str | None:
    """The section heading the rule at `lines[idx]` underlines, if it makes one.

    A lone paragraph line becomes the section name. A rule over a heading (`-----`, `Title`,
    `-----`) underlines nothing above it. A heading inside a numbered paragraph whose text goes
    on after it (`Participants:` / `U.S.` / `----` / names) stays in that paragraph's text as a
    line of its own. A long line is text, never a heading.
    """
    cur = pars[-1] if pars else None
    if cur is None or not cur.lines or _overline(lines, idx):
        return None
    if len(cur.lines) == 1 and (cur.number is not None or cur.marking):
        if len(cur.lines[0]) > _MAX_HEADING:
            return None
        cur.section = clean_line(cur.lines[0])  # `¶5. WMD Proliferation Issues` underlined
        return cur.section
    if not (cur.breaks[-1] or len(cur.lines) == 1) or len(cur.lines[-1]) > _MAX_HEADING:
        return None
    if cur.number is not None and len(cur.lines) > 1 and _text_goes_on(lines, idx):
        return None  # a heading line of the paragraph: the text after it is a block of its own
    heading = clean_line(cur.lines.pop())
    cur.breaks.pop()
    if not cur.lines and cur.number is None:
        pars.pop()
    return heading


def _overline(lines: list[_Line], idx: int) -> bool:
    """Whether the rule at `idx` is the upper of two around a heading (`---`, `Title`, `---`)."""
    after = [k for k in range(idx + 1, min(idx + 4, len(lines))) if not lines[k].blank][:2]
    return (
        len(after) == 2
        and len(lines[after[0]].text.strip()) <= _MAX_HEADING
        and bool(_UNDERLINE_RE.match(lines[after[1]].text))
    )


def _text_goes_on(lines: list[_Line], idx: int) -> bool:
    """Whether plain text (no paragraph start, no further heading) follows the rule at `idx`."""
    for k in range(idx + 1, len(lines)):
        line = lines[k]
        if line.blank:
            continue
        if line.pilcrow or _is_par_start(line) or _UNDERLINE_RE.match(line.text):
            return False
        return not (k + 1 < len(lines) and _UNDERLINE_RE.match(lines[k + 1].text))
    return False


def _continues(prev: str) -> bool:
    """Whether `prev` runs on into the next line (`... on June`, `... paras 3,`)."""
    words = prev.rsplit(None, 1)
    if not words:
        return False
    last = words[-1]
    return last[-1] in ",-" or last.upper() in _CONTINUE_WORDS


def _merge_wrapped_markings(lines: list[_Line]) -> list[_Line]:
    """Join a paragraph's first line to the next where its marking wraps across them."""
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            "REL" in line.text  # cheap first: `_OPEN_MARK_RE` needs it
            and _OPEN_MARK_RE.match(line.text)
            and i + 1 < len(lines)
            and ")" in lines[i + 1].text[:80]
        ):
            joined = f"{line.text.rstrip()} {lines[i + 1].text.strip()}"
            out.append(_Line(joined, pilcrow=line.pilcrow, anchor=line.anchor))
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _marking_of(pre: str | None, post: str | None, rest: str) -> tuple[str | None, str]:
    """The marking as written (before or after the number) and the rest of the line."""
    for candidate in (pre, post):
        if candidate and (parse_marking(candidate) or _MALFORMED_MARK_RE.match(candidate)):
            other = post if candidate is pre else None
            text = f"{other} {rest}" if other else rest
            return " ".join(candidate.strip().split()), text.strip()
    lead = " ".join(p for p in (pre, post) if p)
    return None, f"{lead} {rest}".strip()


def _is_title(text: str) -> bool:
    """A short line that names what follows (`Summary`, `Background:`), no sentence."""
    stripped = text.strip()
    return (
        0 < len(stripped) <= 40
        and len(stripped.split()) <= 4
        and stripped[0].isalpha()
        and not stripped.endswith((".", ",", ";"))
        and set(stripped.upper()) - {"X", " "} != set()
        and not _is_key(stripped)
    )


def _paragraph_next(lines: list[_Line], idx: int) -> bool:
    """Whether the next non-blank line after `idx` starts a numbered or anchored paragraph."""
    after = next((ln for ln in lines[idx + 1 :] if not ln.blank), None)
    return after is not None and (after.pilcrow or bool(_NUM_START_RE.match(after.text)))


def _is_caps_heading(text: str) -> bool:
    stripped = text.strip()
    if not (3 <= len(stripped) <= 70) or stripped.endswith((".", ",", ";")):
        return False
    letters = [c for c in stripped if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and set(letters) != {"X"}


def _join(lines: list[str], breaks: list[bool]) -> str:
    """Rejoin lines split by the telegram's width: a blank line or a bullet starts a new line."""
    if all(lines) and not any(breaks[1:]):
        # Most paragraphs: no blank line, no line ending in a hyphen, no bullet after the first
        # line; then every line joins the one before with a space (the loop below, in C).
        text = "\n".join(lines)
        if "-\n" not in text and not _BULLET_LINE_RE.search(text):
            return " ".join(lines).strip()
    out = ""
    for text, brk in zip(lines, breaks, strict=True):
        if not out:
            out = text
        elif brk and not (text[:1].islower() and not _SENTENCE_END_RE.search(out)):
            # A blank line mid-sentence (a lowercase line after an unfinished one) is where a
            # page break was rendered away: the sentence goes on.
            out += "\n\n" + text
        elif (
            # cheap first: a bullet opens with `-`, `*` or `o`, or has `.` or `)` near its start
            (text[:1] in "-*o" or "." in text[1:5] or ")" in text[1:5])
            and _BULLET_RE.match(text)
            and (not text[:1].isdigit() or _SENTENCE_END_RE.search(out))
        ):
            out += "\n" + text
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and text[:1].isalpha():
            out += text
        else:
            out += " " + text
    return out.strip()
