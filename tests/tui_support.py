"""Cables and a library for the TUI tests.

Until the library (H3) and search (H4) land on main, a small in-test library holds real `Cable`
objects and a substring search stands in for the sidebar engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from cables.index import CableIndex
from cables.model import Cable, Level, Marking, Paragraph


def para(number: int | None, level: Level | None, text: str, *, marking: str | None = None,
         section: str | None = None, caveats: tuple[str, ...] = ()) -> Paragraph:
    parsed = Marking(level, caveats) if level is not None else None
    if marking is None and level is not None:
        marking = f"({level.value}{'//' + '/'.join(caveats) if caveats else ''})"
    anchor = f"par{number}" if number is not None else None
    return Paragraph(number, anchor, marking, parsed, text, section)


def every_level_cable() -> Cable:
    """A cable with one paragraph of every level, sections, and a REF list."""
    return Cable(
        reference_id="09BERLIN1167",
        created="2009-09-18T15:26",
        released="2010-11-28T18:12",
        classification="SECRET//NOFORN",
        level=Level.S,
        origin="Embassy Berlin",
        subject="GERMANY: FDP LEADER WESTERWELLE ON FOREIGN POLICY",
        tags=["PREL", "PGOV", "GM"],
        references=["09BERLIN1162", "09STATE15113"],
        ref_text="A. BERLIN 1162 B. STATE 15113",
        header="R 181526Z SEP 09\nFM AMEMBASSY BERLIN\nTO SECSTATE WASHDC 5281",
        body="S E C R E T SECTION 01 OF 02 BERLIN 001167\n\nNOFORN\nSIPDIS\n\n"
             "Classified By: DCM Greg Delawie for reasons 1.4 (b) and (d)",
        classified_by="DCM Greg Delawie for reasons 1.4 (b) and (d)",
        sections=["SUMMARY", "COMMENT"],
        paragraphs=[
            para(1, Level.C, "Summary: the FDP leader set out his views on NATO.",
                 section="SUMMARY", caveats=("NF",)),
            para(2, Level.S, "He said the nuclear question must be raised in the coalition talks.",
                 section="SUMMARY", caveats=("NF",)),
            para(3, Level.U, "The embassy will follow up with the party's foreign policy staff.",
                 section="SUMMARY"),
            para(4, Level.SBU, "Contacts asked that their names be protected.", section="COMMENT"),
            para(5, Level.TS, "Top secret paragraph text for the legend of levels.",
                 section="COMMENT"),
            para(6, None, "MURPHY", section="COMMENT"),
        ],
    )


def plain_cable(ref: str, created: str, subject: str, n: int = 13, *,
                synthetic: bool = False, references: list[str] | None = None) -> Cable:
    return Cable(
        reference_id=ref,
        created=created,
        released="2010-12-01T00:00",
        classification="CONFIDENTIAL",
        level=Level.C,
        origin="Embassy Mexico",
        subject=subject,
        tags=["PGOV", "MX"],
        references=references or [],
        body="\n".join(f"{i}. (C) paragraph {i} text" for i in range(1, n + 1)),
        paragraphs=[para(i, Level.C, f"Paragraph {i} of {ref}: the minister met the delegation.")
                    for i in range(1, n + 1)],
        synthetic=synthetic,
    )


class MemoryLibrary:
    """The Library methods the app reads, over Cables held in memory (until H3 lands)."""

    def __init__(self, cables: list[Cable]) -> None:
        self.cables = {c.reference_id: c for c in cables}

    def count(self) -> int:
        return len(self.cables)

    def load_index(self) -> CableIndex:
        index = CableIndex()
        for c in sorted(self.cables.values(), key=lambda c: c.created or "", reverse=True):
            index.reference_ids.append(c.reference_id)
            index.created.append((c.created or "")[:10])
            index.levels.append(c.level.value)
            index.origins.append(c.origin or "")
            index.subjects.append(c.subject or "")
            index.tags.append(" ".join(c.tags))
            index.synthetic.append(c.synthetic)
        return index

    def get(self, ref: str) -> Cable | None:
        return self.cables.get(ref.upper())

    def cites(self, ref: str) -> list[str]:
        cable = self.get(ref)
        return list(cable.references) if cable else []

    def cited_by(self, ref: str) -> list[str]:
        return [c.reference_id for c in self.cables.values() if ref in c.references]

    def close(self) -> None:
        pass


@dataclass
class Matches:
    total: int
    rows: list[int] | range


class SubstringSearch:
    """Substring search over id, subject, origin and tags (until H4's engine lands)."""

    def __init__(self, index: CableIndex) -> None:
        self.keys = [" ".join(f).lower() for f in zip(index.reference_ids, index.subjects,
                                                      index.origins, index.tags, strict=True)]

    def search(self, query, *, limit, previous=None, cancelled=None):
        q = query.lower().strip()
        if not q:
            return Matches(len(self.keys), range(len(self.keys)))
        rows = [i for i, key in enumerate(self.keys) if all(w in key for w in q.split())]
        return Matches(len(rows), rows[:limit])


def sample_library() -> MemoryLibrary:
    return MemoryLibrary([
        every_level_cable(),
        plain_cable("09MEXICO1055", "2009-03-10T22:52", "SCENESETTER FOR PRESIDENT OBAMA'S VISIT",
                    references=["09BERLIN1167"]),
        plain_cable("09BERLIN1162", "2009-09-17T10:00", "[bold]x[/] [@click=app.quit] CLICK ME",
                    n=3),
        plain_cable("08STATE1", "2008-01-01T00:00", "A SYNTHETIC CABLE", n=2, synthetic=True),
    ])
