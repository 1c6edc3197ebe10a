"""`cables show REF [--json|--markdown|--text]`: print one cable from the library."""

from __future__ import annotations

import argparse
import sys

from cables.commands._shared import fail, open_library, read_ref
from cables.exits import EXIT_FATAL, EXIT_OK, EXIT_SKIPPED
from cables.model import Cable, Paragraph
from cables.permalinks import PermalinkRefused, Permalinks
from cables.sanitize import clean, clean_line, json_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="REF", help="reference id (any case) or permalink")
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--json",
        action="store_const",
        const="json",
        dest="form",
        help="the JSON object of the cable (as `cables parse --json`)",
    )
    form.add_argument(
        "--markdown",
        action="store_const",
        const="markdown",
        dest="form",
        help="Markdown, with permalinks",
    )
    form.add_argument(
        "--text", action="store_const", const="text", dest="form", help="plain text (the default)"
    )


def run(args: argparse.Namespace) -> int:
    ref = read_ref(args.ref, "show")
    if ref is None:
        return EXIT_FATAL
    opened = open_library(args, "show")
    if opened is None:
        return EXIT_FATAL
    config, library = opened
    with library:
        cable = library.get(ref[0])
        if cable is None:
            fail("show", f"{ref[0]} is not in the library {library.path}")
            return EXIT_SKIPPED
        cited_by = library.cited_by(cable.reference_id)
    links = config.permalinks()
    if args.form == "json":
        sys.stdout.write(json_line(cable.to_json(links)) + "\n")
    elif args.form == "markdown":
        sys.stdout.write(markdown(cable, links, cited_by))
    else:
        sys.stdout.write(text(cable, cited_by))
    return EXIT_OK


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


def text(cable: Cable, cited_by: list[str]) -> str:
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


def markdown(cable: Cable, links: Permalinks, cited_by: list[str]) -> str:
    """Markdown: a heading, the fields as a list, paragraphs with their permalinks."""

    def link(paragraph: Paragraph | None) -> str | None:
        try:
            if paragraph is None:
                return links.link(cable.reference_id, cable.created, synthetic=cable.synthetic)
            return links.paragraph_link(
                cable.reference_id, cable.created, paragraph.anchor, synthetic=cable.synthetic
            )
        except PermalinkRefused:
            return None

    title = clean_line(cable.subject or "")
    lines = [f"# {cable.reference_id}" + (f": {title}" if title else ""), ""]
    if cable.synthetic:
        lines += [f"> **{_synthetic_note(cable)[0]}**", ""]
    lines += [f"- **{name}:** {value}" for name, value in _fields(cable) if name != "Subject"]
    if cited_by:
        lines.append(f"- **Cited by:** {', '.join(map(clean_line, cited_by))}")
    url = link(None)
    if url:
        lines.append(f"- **Permalink:** <{url}>")
    lines.append("")
    for p in cable.paragraphs:
        number = f"¶{p.number}" if p.number is not None else "¶"
        url = link(p)
        label = f"[{number}]({url})" if url else number
        marking = f" {clean_line(p.marking)}" if p.marking else ""
        lines += [f"**{label}**{marking} {clean(p.text)}", ""]
    if not cable.paragraphs:
        lines += ["```", clean(cable.body), "```", ""]
    return "\n".join(lines)
