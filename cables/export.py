"""Every output form of a cable in one place: the JSON object, Markdown, plain text, and
citations (of a paragraph, for the clipboard; of bookmarks, as a Markdown list).

Cable and user text is cleaned of control characters in every form, and made inert where the
form has markup of its own (Markdown); links come from the user's `Permalinks`, and a cable that
is refused one (synthetic, undated, an unnumbered paragraph) gets none, never an exception.
"""

from __future__ import annotations

from typing import Any

from cables.model import Cable, Paragraph, Source
from cables.permalinks import PermalinkRefused, Permalinks
from cables.sanitize import clean, clean_line, iso_date
from cables.state import Bookmark


def cable_link(links: Permalinks, cable: Cable, paragraph: Paragraph | None = None) -> str | None:
    """The permalink of the cable, or of its paragraph; None where none can be given."""
    try:
        if paragraph is None:
            return links.link(cable.reference_id, cable.created, synthetic=cable.synthetic)
        return links.paragraph_link(
            cable.reference_id, cable.created, paragraph.anchor, synthetic=cable.synthetic
        )
    except PermalinkRefused:
        return None


# --- JSON ---------------------------------------------------------------------------------


def cable_json(cable: Cable, links: Permalinks | None = None) -> dict[str, Any]:
    """The documented JSON object (README "JSON output"), the same for every `--json`.

    Permalinks depend on the user's configured templates, so the caller passes them in;
    synthetic cables get none (they name real ids but not those cables' text), nor do
    unnumbered paragraphs or cables without a creation date (null, never an exception).
    """

    def link(paragraph: Paragraph | None) -> str | None:
        return None if links is None else cable_link(links, cable, paragraph)

    return {
        "reference_id": cable.reference_id,
        "created": cable.created,
        "released": cable.released,
        "created_dtg": cable.created_dtg,
        "sent": cable.sent,
        "classification": cable.classification,
        "level": cable.level.value,
        "origin": cable.origin,
        "subject": cable.subject,
        "tags": list(cable.tags),
        "references": list(cable.references),
        "ref_text": cable.ref_text,
        "caveats": list(cable.caveats),
        "classified_by": cable.classified_by,
        "sections": list(cable.sections),
        "articles": list(cable.articles),
        "synthetic": cable.synthetic,
        "partial": cable.partial,
        "permalink": link(None),
        "source": _source_json(cable.source),
        "paragraphs": [
            {
                "number": p.number,
                "anchor": p.anchor,
                "marking": p.marking,
                "level": p.level.value,
                "caveats": list(p.parsed.caveats) if p.parsed else [],
                "text": p.text,
                "section": p.section,
                "permalink": link(p),
            }
            for p in cable.paragraphs
        ],
    }


def _source_json(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"file": source.path, "record": source.record, "recovered_from": source.recovered_from}


# --- plain text and Markdown ---------------------------------------------------------------


def _fields(cable: Cable) -> list[tuple[str, str]]:
    fields = [
        ("Reference", cable.reference_id),
        ("Sent", cable.sent or ""),
        ("Created", cable.created or ""),
        ("Released", cable.released or ""),
        ("Classification", cable.classification or ""),
        ("Level", cable.level.label),
        ("Origin", cable.origin or ""),
        ("Subject", cable.subject or ""),
        ("Tags", ", ".join(cable.tags)),
        ("References", ", ".join(cable.references)),
        ("Partial", cable.partial or ""),  # a cut-off copy: a whole one replaces it on import
    ]
    return [(name, clean_line(value)) for name, value in fields if value]


def _synthetic_note(cable: Cable) -> list[str]:
    if not cable.synthetic:
        return []
    return ["SYNTHETIC: generated text under a real reference id; not the text of that cable.", ""]


def cable_text(cable: Cable, cited_by: list[str]) -> str:
    """Plain text: the fields, then each paragraph with its number and marking."""
    lines = _synthetic_note(cable)
    lines += [f"{name + ':':16}{value}" for name, value in _fields(cable)]
    if cited_by:
        lines.append(f"{'Cited by:':16}{', '.join(map(clean_line, cited_by))}")
    lines.append("")
    for p in cable.paragraphs:
        head = " ".join(
            filter(
                None, [f"¶{p.number}" if p.number is not None else "¶", clean_line(p.marking or "")]
            )
        )
        lines += [f"{head} {clean(p.text)}", ""]
    if not cable.paragraphs:
        lines += [clean(cable.body), ""]
    return "\n".join(lines)


def cable_markdown(cable: Cable, links: Permalinks, cited_by: list[str]) -> str:
    """Markdown: a heading, the fields as a list, paragraphs with their permalinks."""

    title = clean_line(cable.subject or "")
    lines = [f"# {cable.reference_id}" + (f": {title}" if title else ""), ""]
    if cable.synthetic:
        lines += [f"> **{_synthetic_note(cable)[0]}**", ""]
    lines += [f"- **{name}:** {value}" for name, value in _fields(cable) if name != "Subject"]
    if cited_by:
        lines.append(f"- **Cited by:** {', '.join(map(clean_line, cited_by))}")
    url = cable_link(links, cable)
    if url:
        lines.append(f"- **Permalink:** <{url}>")
    lines.append("")
    for p in cable.paragraphs:
        number = f"¶{p.number}" if p.number is not None else "¶"
        url = cable_link(links, cable, p)
        label = f"[{number}]({url})" if url else number
        marking = f" {clean_line(p.marking)}" if p.marking else ""
        lines += [f"**{label}**{marking} {clean(p.text)}", ""]
    if not cable.paragraphs:
        lines += ["```", clean(cable.body), "```", ""]
    return "\n".join(lines)


# --- citations -----------------------------------------------------------------------------


def paragraph_citation(cable: Cable, index: int, link: str | None, where: str | None = None) -> str:
    """The paragraph quoted in Markdown, then what a reader pasting it needs: the cable and
    paragraph (`where`, e.g. `09MEXICO1055 ¶4`), date, origin, classification and permalink,
    or why there is none (a synthetic cable says so)."""
    paragraph = cable.paragraphs[index]
    quoted = "\n".join(f"> {line}".rstrip() for line in clean(paragraph.text).strip().split("\n"))
    if where is None:
        number = paragraph.number if paragraph.number is not None else f"#{index + 1}"
        where = f"{cable.reference_id} ¶{number}"
    context = ", ".join(
        clean_line(value)
        for value in (
            (cable.created or "")[:10] or "date unknown",
            cable.origin or "origin unknown",
            cable.classification or "classification unknown",
        )
    )
    if cable.synthetic:
        source = f"{where} (synthetic cable: generated text, no permalink), {context}"
    elif link:
        source = f"[{where}]({link}), {context}"
    else:
        source = f"{where} (no permalink), {context}"
    return f"{quoted}\n>\n> — {source}\n"


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})


def _md(text: str) -> str:
    """Plain text made inert in Markdown (subjects and notes are cable or user text)."""
    return clean_line(text).translate(_MD_SPECIAL)


def bookmark_citation(bookmark: Bookmark, links: Permalinks) -> str:
    """One Markdown list item: reference and paragraph, subject, date, link and note."""
    where = bookmark.ref + (
        f" ¶{bookmark.paragraph}"
        if bookmark.paragraph is not None
        else f" #{bookmark.anchor}"
        if bookmark.anchor
        else ""
    )
    try:
        url = links.link(
            bookmark.ref,
            bookmark.cable_created,
            bookmark.anchor or None,
            synthetic=bookmark.synthetic,
        )
        head = f"[{_md(where)}](<{url.replace('>', '%3E')}>)"
    except PermalinkRefused as exc:
        head = f"{_md(where)} (no permalink: {_md(str(exc))})"
    parts = [head]
    if bookmark.subject:
        parts.append(f"*{_md(bookmark.subject)}*")
    if created := iso_date(bookmark.cable_created):
        parts.append(created[:10])
    line = "- " + ", ".join(parts)
    return line + (f": {_md(bookmark.note)}" if bookmark.note else "")


def bookmarks_markdown(bookmarks: list[Bookmark], links: Permalinks) -> str:
    """The bookmarks as a Markdown list of citations, oldest first."""
    lines = ["# Bookmarked cables", ""]
    lines += [bookmark_citation(b, links) for b in bookmarks] or ["(no bookmarks)"]
    return "\n".join(lines) + "\n"
