"""What the user leaves behind between runs: bookmarks and recently opened cables.

Bookmarks are kept in `state.toml` in the data dir, the history in `history.json` beside it
(opening a cable rewrites only the short history, never 100,000 bookmarks); each is rewritten
whole and atomically on every change, so a crash or `kill -9` leaves the old file or the new
one. The history is JSON, which the C parser reads in a fraction of a millisecond: the browser
reads it before its first frame, and 200 visits took tomllib 4-6 ms (the bookmarks, which a
person may read or edit, stay TOML). A file that cannot be read is renamed
`<name>.corrupt-<timestamp>` (never deleted) and the app starts with what could be saved from
it, plus a warning for the user: state is a convenience and must never stop the app.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from cables import paths
from cables.atomic import write_atomic
from cables.model import Cable, Paragraph
from cables.sanitize import clean_line

HISTORY_LIMIT = 200
VERSION = 3  # 2: the history moved to its own file; 3: that file is JSON
OLD_HISTORY = "history.toml"  # (version 2's, read until the history is saved again)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Bookmark:
    """A paragraph (or, with no anchor, a whole cable) the user marked.

    The cable's creation date and synthetic flag are kept so that permalinks can be built for an
    export without the library at hand.
    """

    ref: str
    anchor: str | None = None
    paragraph: int | None = None
    subject: str = ""
    cable_created: str | None = None
    synthetic: bool = False
    note: str = ""
    added: str = field(default_factory=_now)


@dataclass(slots=True)
class Visit:
    """One recently opened cable (the latest visit only)."""

    ref: str
    subject: str = ""
    opened: str = field(default_factory=_now)


_FIELDS: dict[type, dict[str, tuple[type, ...]]] = {
    Bookmark: {
        "ref": (str,),
        "anchor": (str,),
        "paragraph": (int,),
        "subject": (str,),
        "cable_created": (str,),
        "synthetic": (bool,),
        "note": (str,),
        "added": (str,),
    },
    Visit: {"ref": (str,), "subject": (str,), "opened": (str,)},
}


def _entry(kind: type, raw: Any) -> Any:
    """One saved entry, or None where it is damaged (wrong type, missing ref, unknown field)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("ref"), str) or not raw["ref"]:
        return None
    fields = _FIELDS[kind]
    for key, value in raw.items():
        types = fields.get(key)
        if (
            types is None
            or not isinstance(value, types)
            or (int in types and isinstance(value, bool))
        ):
            return None
    return kind(**raw)


def _read(path: Path, kinds: dict[str, type]) -> tuple[dict[str, list[Any]] | None, str | None]:
    """The entries of each list `kinds` names in the file (None where there is no file), and a
    warning where it was damaged: then it is set aside and what could be read written back."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path}: cannot read saved bookmarks and history: {exc}"
    try:
        document = _parse(path, data.decode("utf-8"))
    except ValueError as exc:  # (undecodable text, and both parsers' errors, are ValueErrors)
        return {}, _set_aside(path, f"not readable ({exc})")
    raws = {key: document.get(key, []) for key in kinds} if isinstance(document, dict) else None
    if raws is None or not all(isinstance(raw, list) for raw in raws.values()):
        return {}, _set_aside(path, "not in the expected shape")
    entries = {
        key: [e for e in (_entry(kinds[key], r) for r in raw) if e] for key, raw in raws.items()
    }
    lost = sum(len(raws[key]) - len(entries[key]) for key in kinds)
    if not lost:
        return entries, None
    warning = _set_aside(path, f"{lost} damaged entries skipped")
    # What could be read goes back in place at once, or the next change (which re-reads the
    # file) would start from nothing. A failure here shows on the next save.
    with contextlib.suppress(OSError):
        _write(path, entries)
    return entries, warning


def _parse(path: Path, text: str) -> Any:
    """The document in `text`: JSON for a `.json` file, TOML otherwise."""
    if path.suffix == ".json":
        return json.loads(text)
    import tomllib  # (only where there is a file: the browser's start without one skips it)

    return tomllib.loads(text)


def _write(path: Path, entries: dict[str, list[Any]]) -> None:
    """Rewrite the whole file atomically (JSON for a `.json` file, TOML otherwise)."""

    def table(entry: Any) -> dict[str, Any]:
        return {k: v for k, v in asdict(entry).items() if v is not None}

    document = {"version": VERSION, **{k: [table(e) for e in v] for k, v in entries.items()}}
    if path.suffix == ".json":
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    else:
        import tomli_w  # (a save comes after the first frame: the start only reads)

        text = tomli_w.dumps(document)
    write_atomic(path, text.encode("utf-8"))


def _set_aside(path: Path, why: str) -> str:
    """Rename the damaged file out of the way and say where it went."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        return f"{path}: {why}; could not set it aside ({exc})"
    return f"{path}: {why}; the file was kept as {aside.name}"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(method: Callable[Concatenate[State, _P], _R]) -> Callable[Concatenate[State, _P], _R]:
    """Run a read-change-save method whole: the app saves history from a worker thread."""

    def run(state: State, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with state._lock:
            return method(state, *args, **kwargs)

    run.__doc__ = method.__doc__
    return run


@dataclass(slots=True)
class State:
    """Bookmarks (oldest first) and history (most recent first), tied to their files.

    Bookmarks live in `path` (`state.toml`), history in `history.json` beside it: opening a
    cable reads and writes the short history alone, however many bookmarks there are.
    (Older files still give their history until it is saved: `history.toml`, and before it
    `state.toml`.)
    """

    path: Path
    bookmarks: list[Bookmark] = field(default_factory=list)
    history: list[Visit] = field(default_factory=list)
    warning: str | None = None  # set when a file was damaged and set aside
    unsaved: str | None = None  # the last failure to save the history, once reported
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @property
    def history_path(self) -> Path:
        return self.path.with_name("history.json")

    @classmethod
    def load(cls, path: Path | None = None) -> State:
        """Read the state files; a damaged one is renamed aside, never fatal."""
        state = cls(path or paths.state_file())
        main, warning = _read(state.path, {"bookmarks": Bookmark, "history": Visit})
        history, history_warning = _read(state.history_path, {"history": Visit})
        if history is None:  # not saved since version 3
            history, history_warning = _read(state.path.with_name(OLD_HISTORY), {"history": Visit})
        state.bookmarks = (main or {}).get("bookmarks", [])
        state.history = (history if history is not None else main or {}).get("history", [])
        state.warning = warning or history_warning
        return state

    def _reload(self) -> None:
        """Pick up what another running cables saved since, so that it is not overwritten."""
        fresh = State.load(self.path)
        if fresh.warning:
            self.warning = fresh.warning  # ours is the best copy left: it gets saved next
        else:
            self.bookmarks, self.history = fresh.bookmarks, fresh.history

    def save(self) -> None:
        """Rewrite both files atomically (the history too: it may still be in an old file,
        and this rewrite leaves `state.toml` holding bookmarks only)."""
        self._write_history()
        _write(self.path, {"bookmarks": self.bookmarks})

    def _write_history(self) -> None:
        """Rewrite the history file; an older one (`history.toml`) goes once it is replaced."""
        _write(self.history_path, {"history": self.history})
        with contextlib.suppress(OSError):
            self.path.with_name(OLD_HISTORY).unlink(missing_ok=True)

    # --- bookmarks ----------------------------------------------------------------------

    def bookmark(self, ref: str, anchor: str | None) -> Bookmark | None:
        return next((b for b in self.bookmarks if b.ref == ref and b.anchor == anchor), None)

    @_locked
    def toggle_bookmark(self, cable: Cable, paragraph: Paragraph | None) -> bool:
        """Bookmark the paragraph (the cable where None), or remove that bookmark; saves.

        Returns True when a bookmark was added. An unnumbered paragraph has no anchor to
        return to, so it marks the cable. OSError when the file cannot be written.
        """
        self._reload()
        if paragraph is not None and not paragraph.anchor:
            paragraph = None
        anchor = paragraph.anchor if paragraph else None
        existing = self.bookmark(cable.reference_id, anchor)
        if existing:
            self.bookmarks.remove(existing)
        else:
            self.bookmarks.append(
                Bookmark(
                    ref=cable.reference_id,
                    anchor=anchor,
                    paragraph=paragraph.number if paragraph else None,
                    subject=clean_line(cable.subject or ""),
                    cable_created=cable.created,
                    synthetic=cable.synthetic,
                )
            )
        self.save()
        return existing is None

    @_locked
    def set_note(self, ref: str, anchor: str | None, note: str) -> None:
        """Attach a note to a bookmark (exported after its citation); saves."""
        self._reload()
        bookmark = self.bookmark(ref, anchor)
        if bookmark is None:
            raise KeyError(f"no bookmark on {ref}{'#' + anchor if anchor else ''}")
        bookmark.note = clean_line(note)
        self.save()

    @_locked
    def remove_bookmark(self, bookmark: Bookmark) -> None:
        self._reload()
        self.bookmarks = [
            b for b in self.bookmarks if (b.ref, b.anchor) != (bookmark.ref, bookmark.anchor)
        ]
        self.save()

    # --- history ------------------------------------------------------------------------

    @_locked
    def record_open(self, cable: Cable) -> str | None:
        """Put the cable first in the history (once), keep the newest HISTORY_LIMIT; saves.

        History is a convenience that must never stop a cable opening: a failed save is not
        raised but returned, the first time it happens, for the app to show once.
        """
        history, warning = _read(self.history_path, {"history": Visit})
        if history is not None and not warning:  # another running cables may have added some
            self.history = history["history"]
        self.history = [v for v in self.history if v.ref != cable.reference_id]
        self.history.insert(0, Visit(cable.reference_id, clean_line(cable.subject or "")))
        del self.history[HISTORY_LIMIT:]
        try:
            self._write_history()
        except OSError as exc:
            problem = f"{self.history_path}: history not saved: {exc}"
            first, self.unsaved = problem != self.unsaved, problem
            return problem if first else None
        self.unsaved = None
        return None
