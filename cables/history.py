"""Where the reader has been: back and forward over the cables opened, like a web browser's.

Pure Python (no Textual), so it is tested on its own; the browser keeps one `History`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

HISTORY_LIMIT = 200  # places kept; the oldest fall off


@dataclass(frozen=True, slots=True)
class Place:
    """A cable, and where in it: a paragraph's published anchor, or its position (index)."""

    ref: str
    anchor: str | None = None
    index: int = 0


class History:
    """A bounded list of places with a cursor: visiting drops the places ahead of it."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        if limit < 1:
            raise ValueError("a history holds at least one place")
        self.limit = limit
        self._places: list[Place] = []
        self._at = -1

    def __len__(self) -> int:
        return len(self._places)

    @property
    def current(self) -> Place | None:
        return self._places[self._at] if self._places else None

    def visit(self, place: Place) -> None:
        """Go to `place`: it becomes the newest, and what was forward of here is forgotten."""
        del self._places[self._at + 1 :]
        self._places.append(place)
        del self._places[: max(0, len(self._places) - self.limit)]
        self._at = len(self._places) - 1

    def moved(self, ref: str, index: int) -> None:
        """The reader moved within the current cable: back returns to where they left it."""
        current = self.current
        if current is not None and current.ref == ref:
            self._places[self._at] = replace(current, anchor=None, index=index)

    def back(self) -> Place | None:
        """The place before this one (now current), or None at the oldest."""
        return self._step(-1)

    def forward(self) -> Place | None:
        """The place after this one (now current), or None at the newest."""
        return self._step(1)

    def _step(self, step: int) -> Place | None:
        target = self._at + step
        if not 0 <= target < len(self._places):
            return None
        self._at = target
        return self._places[target]
