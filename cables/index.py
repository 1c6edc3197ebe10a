"""The compact cable index: what the sidebar lists and searches, for every cable at once.

Columnar (one list per field, newest first) so that 251k cables load in a fraction of a second
from the library's cached form and the search engine can scan plain lists of strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CableIndex:
    """Row i of every column describes one cable; rows are ordered newest (sent) first."""

    reference_ids: list[str] = field(default_factory=list)
    # The date each cable was sent (`Cable.sent`), "YYYY-MM-DD", or "" where unknown.
    created: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)  # Level values
    origins: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # space-joined TAGS
    synthetic: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.reference_ids)
