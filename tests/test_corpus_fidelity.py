"""Corpus-wide fidelity (issue 8 "Done when"): no word of a page's telegram text lost, no page-break
line left in a text field, markings and paragraph starts as the pages' numbered anchors show, no
impossible reference id, no tag holding several tag codes.

Each check runs over tests/fixtures (always) and over ../shared/corpus (skipped, saying why, where
it is absent). The figures are printed (`pytest -s` shows them).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from conftest import CORPUS, FIXTURES, PAGES, needs_shared

from cables.formats import ParseError, RawCable
from cables.formats.html import read_html
from cables.formats.text import find_records
from cables.markings import parse_marking
from cables.model import Cable, Paragraph
from cables.parsing import parse_path, split_glued

_WORD_RE = re.compile(r"[^\W_]+")
# A page-break line as pages print it (`MEXICO 00001055 002 OF 004`, `Xxxx 0000NNNN 002 of 004`,
# `PAGE 02 CAPE T 00097 01 OF 03 182017Z`), wherever it stands in a line.
_BREAK_IN_TEXT_RE = re.compile(
    r"\b[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){0,2}\s+0\d{7}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}\b"
    r"|^\s*PAGE\s+\d{2,3}\s+[A-Z][A-Z .'-]*?\s+\d{3,8}\s+\d{2}\s+OF\s+\d{2}\s+\d{6}Z",
    re.I | re.M,
)
_BANNER_RE = re.compile(
    r"(?:^|\s{2})\s*(?:(?:TOP )?SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS|LIMITED OFFICIAL USE|"
    r"C O N F I D E N T I A L|S E C R E T)(?:\s*//?\s*NOFORN)?[ \t]*$",
    re.I | re.M,
)
# A later section's routing header inside an old-style cable's text, through the page 02 header
# that ends it (its rest repeats the subject's end).
_ROUTING_BLOCK_RE = re.compile(
    r"(?:^[ \t]*[A-Z]+ PTQ\d+[ \t]*\n)?^[ \t]*PAGE 01 [^\n]*ACTION.*?^[ \t]*PAGE 0\d [^\n]*$",
    re.M | re.S,
)
_ANCHOR_RE = re.compile(r"^\s*(?P<num>\d{1,4})\s*\.\s*(?P<rest>.*)$")
_LEAD_MARK_RE = re.compile(r"^\s*(?P<mark>\(?[^()]{1,120}\))\s*(?P<rest>.*)$")
_HALF_MARK_RE = re.compile(r"^(?P<mark>\((?:TS|S|C|U|SBU)) (?P<rest>.*)$")
# A number after a month at a line end is a date WikiLeaks anchored, no paragraph's number.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_END_RE = re.compile(rf"\b(?:{_MONTHS})\s*\n\s*$", re.I)
_TAG_CODE_RE = re.compile(r"^[A-Z]{4}$")


def pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in {".html", ".txt"})


def cables_of(path: Path) -> list[Cable]:
    return [c for c in parse_path(path) if not isinstance(c, ParseError)]


def _first_paragraph_on(text: str) -> str:
    first = re.search(r"^\s*\u00b6\s*\d{1,3}\s*\.", text, re.M)
    return "" if first is None else text[first.start() :]


def telegram_text(path: Path) -> str | None:
    """The page's telegram text from its first numbered paragraph on (and that of each record
    glued after it that has an id of its own), page-break lines and banners aside; None for text
    formats (no anchors to find the first paragraph by)."""
    if path.suffix != ".html":
        return None
    raw = read_html(path)
    own, recovered, _ = split_glued(raw)
    text = "\n".join(_first_paragraph_on(part.body) for part in (own, *recovered))
    text = _BREAK_IN_TEXT_RE.sub(" ", _ROUTING_BLOCK_RE.sub(" ", text))
    return _BANNER_RE.sub(" ", text)


def _dropped(raw: RawCable) -> list[tuple[int, int]]:
    """Where the body holds glued text that is dropped with a warning (no id of its own)."""
    return [
        (r.start, r.end)
        for r in find_records(raw.body)
        if r.reference_id is None or r.reference_id == raw.reference_id
    ]


def output_words(cables: list[Cable]) -> Counter[str]:
    """The words of the cables' paragraphs: number, marking, text, and each section heading
    where it stands (`sections` lists every heading, a repeated one each time)."""
    words: Counter[str] = Counter()
    for cable in cables:
        parts = [
            part
            for p in cable.paragraphs
            for part in (str(p.number or ""), p.marking or "", p.text)
        ]
        for part in (*parts, *cable.sections):
            words.update(_WORD_RE.findall(part))
    return words


@dataclass
class Figures:
    pages: int = 0
    words: int = 0
    missing: int = 0
    missing_pages: dict[str, list[str]] = field(default_factory=dict)
    break_fields: list[str] = field(default_factory=list)
    anchors: int = 0
    dates: int = 0  # numbered anchors on a year or a date, set aside
    marking_agree: int = 0
    start_agree: int = 0
    marking_misses: list[str] = field(default_factory=list)
    start_misses: list[str] = field(default_factory=list)
    bad_refs: list[str] = field(default_factory=list)
    bad_tags: list[str] = field(default_factory=list)
    long_sections: list[str] = field(default_factory=list)


def _anchor_checks(path: Path, cables: list[Cable], fig: Figures) -> None:
    """Each numbered `¶N.` anchor: the paragraph with that anchor (k-th occurrence for the k-th)
    has the marking written after the number, and its text starts with the words after it."""
    if path.suffix != ".html":
        return
    raw = read_html(path)
    anchors = raw.anchors or []
    body = raw.body
    records = find_records(body)
    # The k-th `¶N.` of a part (the page's own text, or a record glued after it) is the k-th
    # paragraph anchored `parN` of that part's cable.
    by_anchor: dict[tuple[str | None, str], list[Paragraph]] = {}
    for c in cables:
        for p in c.paragraphs:
            by_anchor.setdefault(
                (c.source and c.source.recovered_from and c.reference_id, p.anchor or ""), []
            ).append(p)
    seen: Counter[tuple[str | None, str]] = Counter()
    dropped = _dropped(raw)
    for index, pos in enumerate(i for i, ch in enumerate(body) if ch == "\u00b6"):
        anchor = anchors[index] if index < len(anchors) else None
        if any(start <= pos < end for start, end in dropped):
            continue
        line_start = body.rfind("\n", 0, pos) + 1
        lines = _BREAK_IN_TEXT_RE.sub(" ", body[pos + 1 : pos + 600]).split("\n")
        head = lines[0]
        if head.count("(") > head.count(")") and len(lines) > 1:  # a marking wrapped
            head += " " + lines.pop(1)
        m = _ANCHOR_RE.match(" ".join(head.split()))
        if body[line_start:pos].strip() or not anchor or not m or anchor != f"par{m['num']}":
            continue
        if int(m["num"]) >= 1000 or _DATE_END_RE.search(body[max(0, line_start - 40) : pos]):
            fig.dates += 1  # a year or a date WikiLeaks anchored (`on June` / `¶15.`)
            continue
        part = next(
            (r.reference_id for r in records if r.start <= pos < r.end and r.start > 0), None
        )
        k = seen[part, anchor]
        seen[part, anchor] += 1
        mark = _LEAD_MARK_RE.match(m["rest"])
        marking = parse_marking(mark["mark"]) if mark else None
        if marking is None and (half := _HALF_MARK_RE.match(m["rest"])):
            mark, marking = half, parse_marking(half["mark"])
        rest = mark["rest"] if mark and marking else m["rest"]
        if not _WORD_RE.search(rest):  # the text starts on the next line
            rest = next((ln for ln in lines[1:] if ln.strip()), "").split("\u00b6")[0]
        fig.anchors += 1
        found = by_anchor.get((part, anchor), [])
        par = found[k] if k < len(found) else None
        where = f"{path.name} {anchor}#{k + 1}"
        got = par.parsed if par else None
        if par is not None and (got == marking or (marking is None and par.marking is None)):
            fig.marking_agree += 1
        else:
            fig.marking_misses.append(f"{where}: page {marking}, got {got}")
        want = _WORD_RE.findall(rest)[:4]
        have = _WORD_RE.findall(par.text)[: len(want)] if par else None
        if par is not None and have == want:
            fig.start_agree += 1
        else:
            fig.start_misses.append(f"{where}: page {want!r}, got {have!r}")


def measure(folder: Path) -> Figures:
    fig = Figures()
    for path in pages(folder):
        cables = cables_of(path)
        fig.pages += 1
        text = telegram_text(path)
        if text is not None:
            want = Counter(_WORD_RE.findall(text))
            missing = want - output_words(cables)
            fig.words += sum(want.values())
            fig.missing += sum(missing.values())
            if missing:
                fig.missing_pages[path.name] = sorted(missing.elements())
        for cable in cables:
            fields = [cable.subject or "", cable.ref_text or "", *cable.sections]
            fields += [p.text for p in cable.paragraphs] + [
                p.section or "" for p in cable.paragraphs
            ]
            fig.break_fields += [
                f"{cable.reference_id}: {m.group()!r}"
                for value in fields
                for m in [_BREAK_IN_TEXT_RE.search(value)]
                if m
            ]
            fig.long_sections += [
                f"{cable.reference_id}: {s[:60]!r}..." for s in cable.sections if len(s) > 100
            ]
            fig.bad_refs += [f"{cable.reference_id} cites {r}" for r in _impossible(cable)]
            fig.bad_tags += [
                f"{cable.reference_id}: {t!r}"
                for t in cable.tags
                if sum(bool(_TAG_CODE_RE.match(w)) for w in t.split()) >= 3
            ]
        _anchor_checks(path, cables, fig)
    return fig


def _impossible(cable: Cable) -> list[str]:
    """Cited ids of the citing cable's own station and year with a higher serial (serials restart
    each year, so such a cable was not written yet)."""
    m = re.fullmatch(r"(\d{2})([A-Z]+)(\d+)", cable.reference_id)
    if not m:
        return []
    prefix, serial = m.group(1) + m.group(2), int(m.group(3))
    out = []
    for ref in cable.references:
        r = re.fullmatch(r"(\d{2}[A-Z]+)(\d+)", ref)
        if r and r.group(1) == prefix and int(r.group(2)) > serial:
            out.append(ref)
    return out


def report(name: str, fig: Figures) -> str:
    found = fig.words - fig.missing
    return (
        f"{name}: {fig.pages} pages; body words {found}/{fig.words} found "
        f"({100 * found / max(fig.words, 1):.3f}%), {len(fig.missing_pages)} pages missing some; "
        f"numbered anchors {fig.anchors} (and {fig.dates} on years or dates set aside): "
        f"marking agrees {fig.marking_agree} "
        f"({100 * fig.marking_agree / max(fig.anchors, 1):.3f}%), text starts agree "
        f"{fig.start_agree} ({100 * fig.start_agree / max(fig.anchors, 1):.3f}%); "
        f"page breaks in text fields {len(fig.break_fields)}; impossible refs "
        f"{len(fig.bad_refs)}; merged tags {len(fig.bad_tags)}; sections over 100 characters "
        f"{len(fig.long_sections)}"
    )


def _check(name: str, fig: Figures) -> None:
    print("\n" + report(name, fig))
    assert not fig.missing_pages, fig.missing_pages
    assert not fig.break_fields, fig.break_fields
    assert fig.marking_agree >= 0.9995 * fig.anchors, fig.marking_misses
    assert fig.start_agree >= 0.997 * fig.anchors, fig.start_misses
    assert not fig.bad_refs, fig.bad_refs
    assert not fig.bad_tags, fig.bad_tags
    assert not fig.long_sections, fig.long_sections  # a section is a heading, not a sentence


def test_fixture_pages_lose_no_word_and_agree_with_their_anchors() -> None:
    _check("tests/fixtures/cables", measure(FIXTURES))
    _check("tests/fixtures/corpus", measure(PAGES))


@needs_shared
def test_corpus_pages_lose_no_word_and_agree_with_their_anchors() -> None:
    _check("../shared/corpus", measure(CORPUS))


if __name__ == "__main__":  # figures and the first misses, for working on the reader
    import sys

    for folder in [Path(a) for a in sys.argv[1:]] or [FIXTURES, PAGES, CORPUS]:
        result = measure(folder)
        print(report(str(folder), result))
        for key, words in list(result.missing_pages.items())[:40]:
            print("  missing", key, len(words), words[:12])
        for item in (result.break_fields + result.marking_misses + result.start_misses)[:60]:
            print("  ", item)
        for item in (result.bad_refs + result.bad_tags)[:40]:
            print("  ", item)
