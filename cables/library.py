"""The cable library: one SQLite file (WAL, FTS5) that every command and the TUI read.

Layout, and why:
- `cables`: one narrow row per cable (the sidebar fields), so listing 251k cables never reads
  bodies; `bodies`: the rest of the cable in one zlib block: a line of JSON for the small fields
  and the paragraph metadata, then the body and the paragraph texts raw, sliced by the lengths
  the JSON gives (one compression per cable, no JSON escaping of the texts, and the paragraphs
  compress against the body). A cable is read back without re-parsing, equal to the parsed one.
- `refs`: cable -> cited id, indexed both ways, so "cites" and "cited by" are one query each.
- `fts`: a contentless FTS5 table, one row per paragraph plus one for subject and tags. Its rowid
  encodes (created minute, cable, paragraph), so rowid order is date order: "newest first" is an
  index walk that stops after the first hits instead of sorting every match of a common word.
- `index_cache`: the sidebar index as one block (`CableIndex.to_bytes`: per column the text and
  its end offsets), stamped with the `generation` counter that every write bumps; 251k cables
  load in one read, with no per-row work.
- `partial`: the cables stored from a cut-off input, with the reason; a whole copy replaces them.
Writes happen in batches, one transaction each: killed at any moment, the file stays consistent,
and WAL lets readers go on while an import runs.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import threading
import unicodedata
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

from isal import isal_zlib

from cables import index_cache
from cables.dtg import dtg_datetime
from cables.index import CableIndex
from cables.model import Cable, Level, Marking, Paragraph, Source
from cables.query import Clause, Query, Sort, parse
from cables.sanitize import clean_line, iso_date

P = ParamSpec("P")
R = TypeVar("R")

SCHEMA_VERSION = 5
APPLICATION_ID = 0x4361626C  # "Cabl": tells our files from any other SQLite database

# FTS rowid = minutes since 1950 << 37 | cable rowid << 12 | row (0 = subject and tags).
_ROW_BITS, _CABLE_BITS = 12, 25
_MAX_ROW = (1 << _ROW_BITS) - 1
_MAX_CABLE = (1 << _CABLE_BITS) - 1
_CACHE_KIB = 65536  # SQLite's page cache per connection
RANK_WINDOW = 5_000  # best-first ranks the newest this many matching paragraphs
SETTLE_LOOKUPS = 64  # cables looked up one by one before the walk by when created goes on
DATE_COLUMN = "sent"  # what `date:`/`year:` filter on: when sent (the DTG), else created


def _add_sent(conn: sqlite3.Connection) -> None:
    """Version 3: the `sent` column, from each stored DTG (else `created`), for the sidebar's
    date and the date filters."""
    conn.execute("ALTER TABLE cables ADD COLUMN sent TEXT")
    rows = conn.execute("SELECT c.id, c.created, b.data FROM cables c JOIN bodies b ON b.id = c.id")
    conn.executemany(
        "UPDATE cables SET sent = ? WHERE id = ?",
        [
            (dtg_datetime(_stored_dtg(data)) or created, cable_id)
            for cable_id, created, data in rows
        ],
    )
    conn.execute("CREATE INDEX cables_sent ON cables (sent)")
    conn.execute("DELETE FROM index_cache")  # it listed the created dates: rebuilt on next load


# Each entry takes the schema from version i to i + 1 (SQL, or a function where stored data
# must be read); a new library runs them all.
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # 1: cables, bodies, references, full text.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE cables (
        id INTEGER PRIMARY KEY,
        reference_id TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created TEXT, released TEXT, level TEXT NOT NULL, origin TEXT, subject TEXT,
        tags TEXT NOT NULL, synthetic INTEGER NOT NULL
    );
    CREATE INDEX cables_created ON cables (created);
    CREATE TABLE bodies (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE refs (
        cable_id INTEGER NOT NULL, position INTEGER NOT NULL, cited TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX refs_cited ON refs (cited);
    CREATE VIRTUAL TABLE fts USING fts5(
        subject, tags, text, content='', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO fts (fts, rank) VALUES ('pgsz', 16000);
    INSERT INTO fts (fts, rank) VALUES ('crisismerge', 64);
    INSERT INTO fts (fts, rank) VALUES ('automerge', 16);
    """,
    # 2: the cached sidebar index, invalidated by a generation counter.
    """
    CREATE TABLE index_cache (generation INTEGER NOT NULL, columns TEXT NOT NULL);
    INSERT OR IGNORE INTO meta VALUES ('generation', '0');
    """,
    # 3: when each cable was sent.
    _add_sent,
    # 4: cables stored from a cut-off input (a truncated page), so a whole copy replaces them.
    """
    CREATE TABLE partial (id INTEGER PRIMARY KEY, reason TEXT NOT NULL);
    """,
    # 5: when each cable was created beside when it was sent, in one index: the first screen of
    # a full-text search walks it by when sent, testing when created (`Library._settled`),
    # without reading each cable's row (3x quicker: 60 -> 22 ms over 130,000 cables).
    """
    DROP INDEX cables_sent;
    CREATE INDEX cables_sent ON cables (sent, created);
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION


class LibraryError(Exception):
    """A library that cannot be opened or used; the message is one line naming the file."""


LOCK_WAIT_VAR = "CABLES_LOCK_WAIT"


def lock_wait() -> float:
    """Seconds to wait for another process's write lock: $CABLES_LOCK_WAIT, else 10."""
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_VAR, "10")))
    except ValueError:
        return 10.0


def _stamp(path: Path) -> tuple[int, int, bool]:
    """What changes when a library is written: its time and size, and a -wal beside it."""
    try:
        info = path.stat()
    except OSError:
        return 0, 0, False
    return info.st_mtime_ns, info.st_size, path.with_name(path.name + "-wal").exists()


def _writable(path: Path) -> bool:
    """Whether this process can write the library and make its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


_MISSING = ("no such table", "no such column")  # a dropped table: a plain SQLITE_ERROR


def _explain(path: Path, exc: sqlite3.Error, wait: float, opening: bool = False) -> str:
    """One line naming the library, what went wrong and what to do about it."""
    message = str(exc)
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF
    if _is_busy(exc):
        return (
            f"{path}: another process has held the library's write lock for over {wait:g} s"
            f" (another import?); wait for it to finish and run this again"
        )
    if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return (
            f"{path}: cannot write ({message}): free some disk space (or raise the file size"
            " limit) and run this again"
        )
    if code == sqlite3.SQLITE_READONLY:
        return (
            f"{path}: the library is read-only here ({message}); use a library you can"
            " write (--library PATH)"
        )
    if code == sqlite3.SQLITE_NOTADB and opening:
        return f"{path}: not a usable cables library ({message})"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or message.startswith(_MISSING):
        return (
            f"{path}: the library is damaged ({message}); move it aside and import your"
            " cables again"
        )
    if opening:
        return f"{path}: not a usable cables library ({message})"
    return f"{path}: {message}"


def _translated(
    method: Callable[Concatenate[Library, P], R],
) -> Callable[Concatenate[Library, P], R]:
    """Any SQLite failure in `method` becomes a LibraryError: one line naming the file."""

    @functools.wraps(method)
    def wrapper(self: Library, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise LibraryError(_explain(self.path, exc, self.wait)) from exc

    return wrapper


@dataclass(slots=True)
class SearchHit:
    """One full-text hit: the cable, the paragraph it points at, and a plain-text snippet.

    `paragraph_number`/`anchor` are None where the hit is in the subject or tags, or in an
    unnumbered paragraph. The snippet marks matches with « » and is plain text, never markup.
    """

    reference_id: str
    created: str | None
    subject: str | None
    level: Level
    paragraph_number: int | None
    anchor: str | None
    snippet: str
    synthetic: bool = False


@dataclass(slots=True)
class TextResults:
    """A page of full-text hits, how many cables match (`capped`: at least that many), and
    matching cables per month ("YYYY-MM") when asked."""

    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    months: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)  # level value -> cables, with months
    cancelled: bool = False


@dataclass(slots=True)
class Stats:
    """Counts over the whole library (years from the creation date; "" where unknown)."""

    count: int
    synthetic: int
    by_level: dict[str, int] = field(default_factory=dict)
    by_origin: dict[str, int] = field(default_factory=dict)
    by_year: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "synthetic": self.synthetic,
            "by_level": self.by_level,
            "by_origin": self.by_origin,
            "by_year": self.by_year,
        }


@dataclass(slots=True)
class BatchResult:
    """What one `Library.add` did: ids newly imported, ids replaced by a later release, and
    how many were already there (same release, or the library holds a later one)."""

    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


class Prepared(NamedTuple):
    """A cable encoded for storage: made where the cable was parsed (an import's parsing
    processes), so the process writing the library only writes."""

    reference_id: str
    rank: tuple[bool, str]  # which copy of a cable is kept (`_rank`)
    row: tuple[Any, ...]  # the `cables` row after its id
    body: bytes  # the `bodies` blob
    partial: str | None
    references: list[str]
    minutes: int  # the date part of its full-text rowids
    texts: list[tuple[str, str, str]]  # its full-text rows (subject, tags, text)
    size: int  # characters of telegram text, for batch sizes


def prepare(cable: Cable) -> Prepared:
    return Prepared(
        cable.reference_id,
        _rank(cable),
        _row(cable),
        _encode_body(cable),
        cable.partial,
        list(cable.references),
        _minutes(cable.created),
        _fts_texts(cable),
        len(cable.body) + len(cable.header or ""),
    )


class Library:
    """The one way into a library file; safe to share between threads (calls are serialised)."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, *, read_only: bool = False, wait: float = 10
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.wait = wait  # seconds to wait for another process's write lock
        self._conn = conn
        self._lock = threading.RLock()
        self._snapshot: tuple[int, int, bool] | None = None  # set where opened `immutable`

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False, wait: float | None = None) -> Library:
        """Open (or with `create`, make) a library, migrating an older schema in place.

        Without `create` (every reader), a library this process cannot write (a read-only file,
        folder or mount, another user's corpus) opens read-only; `immutable` only where SQLite
        cannot even share its memory file there, so a reader of a writable library still sees
        new imports. `wait`: seconds to wait for another process's write lock (default
        $CABLES_LOCK_WAIT, else 10).
        """
        path = Path(path)
        wait = lock_wait() if wait is None else wait
        if not path.exists():
            if not create:
                raise LibraryError(f"{path}: no library here (import cables with `cables import`)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(
                    f"{path}: cannot make the library's folder ({exc.strerror or exc});"
                    " choose another place with --library PATH"
                ) from None
        elif create and not _writable(path):
            raise LibraryError(
                f"{path}: the library is read-only here (no write permission on it or its"
                " folder); import into a library you can write (--library PATH)"
            )
        if create or _writable(path):
            return cls._connect(path, str(path), False, create, wait)
        uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro"
        try:
            return cls._connect(path, uri, True, create, wait)
        except LibraryError:  # no -shm can be made beside it, so nothing is writing it now
            library = cls._connect(path, uri + "&immutable=1", True, create, wait)
            library._snapshot = _stamp(path)
            return library

    @classmethod
    def _connect(
        cls, path: Path, target: str, read_only: bool, create: bool, wait: float
    ) -> Library:
        try:
            conn = sqlite3.connect(
                target, uri=read_only, isolation_level=None, check_same_thread=False
            )
        except sqlite3.DatabaseError as exc:
            raise LibraryError(f"{path}: not a usable cables library ({exc})") from None
        library = cls(path, conn, read_only=read_only, wait=wait)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            library._prepare(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise LibraryError(_explain(path, exc, wait, opening=True)) from None
        except BaseException:
            conn.close()
            raise
        return library

    def _prepare(self, create: bool) -> None:
        conn = self._conn
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and (tables or not create):
            raise LibraryError(f"{self.path}: not a cables library (another SQLite database)")
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: written by a newer cables (schema {version}, this "
                f"one reads up to {SCHEMA_VERSION}); upgrade cables"
            )
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        if self.read_only:
            if version < SCHEMA_VERSION:
                raise LibraryError(
                    f"{self.path}: written by an older cables (schema {version}) and read-only"
                    " here; open it once with write access to upgrade it"
                )
            conn.execute("SELECT count(*) FROM cables").fetchone()  # fails here, not later
            return
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            migrate(conn, SCHEMA_VERSION)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    @_translated
    def count(self) -> int:
        with self._lock:
            count: int = self._conn.execute("SELECT count(*) FROM cables").fetchone()[0]
            return count

    @_translated
    def generation(self) -> int:
        """Bumped by every write: a reader holding an index compares it to know it is stale.

        An `immutable` reader sees no writes, so where the file has changed since it opened (its
        owner imported into it) it opens the library again first.
        """
        with self._lock:
            if self._snapshot is not None and _stamp(self.path) != self._snapshot:
                try:
                    fresh = Library.open(self.path, wait=self.wait)
                except LibraryError:
                    pass  # mid-write, say: go on with the snapshot, and look again next time
                else:
                    self._conn.close()
                    self._conn, self._snapshot = fresh._conn, fresh._snapshot
                    self.read_only = fresh.read_only
            return _generation(self._conn)

    def load_index(self) -> CableIndex:
        """Every cable's sidebar fields, newest first (`current_index`)."""
        return self.current_index()[1]

    @_translated
    def current_index(self) -> tuple[int, CableIndex]:
        """The generation the library is at and every cable's sidebar fields then, newest first:
        mapped from the file kept in the user's cache directory when it is current
        (`index_cache`: a process then holds only the rows it reads), else from the library's
        cache table or its rows, and kept. The generation says which index a search engine
        was made from: the browser lists rows by their number in it."""
        with self._lock:
            generation = _generation(self._conn)
            kept = index_cache.load(self.path, generation)
            if kept is not None:
                return generation, kept
            # A small page cache while the block is read: its pages would otherwise stay in
            # SQLite's cache (up to 64 MB) beside the index they were read into.
            self._conn.execute("PRAGMA cache_size = -2000")
            try:
                cached = self._cached_index(generation)
                if cached is not None:
                    index = cached
                else:
                    generation, index = self._index_now()
                    self._store_index(generation, index)
            finally:
                self._conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        return generation, index_cache.keep(self.path, generation, index)

    def _cached_index(self, generation: int) -> CableIndex | None:
        row = self._conn.execute("SELECT generation, columns FROM index_cache").fetchone()
        if row and row[0] == generation and isinstance(row[1], bytes):
            try:
                return CableIndex.from_bytes(row[1])
            except ValueError:
                pass  # an older layout: rebuilt
        return None

    def _index_now(self) -> tuple[int, CableIndex]:
        """The index of the rows as they are and the generation they are at, read in one
        transaction: an import's batch landing between the two reads would label the rows
        before it with its own generation, and that stale index would be cached as current."""
        self._conn.execute("BEGIN")
        try:
            return _generation(self._conn), self._select_index()
        finally:
            self._conn.execute("COMMIT")

    def _select_index(self) -> CableIndex:
        refs, created, levels, origins, subjects, tags, synthetic = [], [], [], [], [], [], []
        rows = self._conn.execute(
            "SELECT reference_id, sent, level, origin, subject, tags, synthetic FROM cables"
            " ORDER BY sent DESC, reference_id"
        )
        for ref, sent, level, origin, subject, tag, synth in rows:
            refs.append(ref)
            created.append((iso_date(sent) or "")[:10])
            levels.append(level)
            origins.append(origin or "")
            subjects.append(subject or "")
            tags.append(tag)
            synthetic.append(bool(synth))
        # compact: one block per column, as `load_index` returns it from the cache
        return CableIndex.from_bytes(
            CableIndex(refs, created, levels, origins, subjects, tags, synthetic).to_bytes()
        )

    def _store_index(self, generation: int, index: CableIndex) -> None:
        """Cache the index; skipped (not an error) while another process holds the write lock,
        or where the library is read-only."""
        if self.read_only:
            return
        try:
            with _transaction(self._conn, busy_ms=50, restore_ms=int(self.wait * 1000)):
                self._conn.execute("DELETE FROM index_cache")
                self._conn.execute(
                    "INSERT INTO index_cache VALUES (?, ?)", (generation, index.to_bytes())
                )
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise

    @_translated
    def get(self, reference_id: str) -> Cable | None:
        """The cable with this reference id (any case), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id FROM cables WHERE reference_id = ?", (reference_id,)
            ).fetchone()
            return None if row is None else self._load(row[0])

    def _load(self, cable_id: int) -> Cable:
        row = self._conn.execute(
            "SELECT c.reference_id, c.created, c.sent, c.released, c.level, c.origin, c.subject,"
            " c.synthetic, b.data, p.reason FROM cables c LEFT JOIN bodies b ON b.id = c.id"
            " LEFT JOIN partial p ON p.id = c.id WHERE c.id = ?",
            (cable_id,),
        ).fetchone()
        if row is None:
            raise LibraryError(f"{self.path}: the search index names a cable that is not there")
        try:
            return _decode_cable(row)
        except (zlib.error, ValueError, TypeError) as exc:
            raise LibraryError(
                f"{self.path}: the stored record of {row[0]} is damaged ({exc});"
                f" re-import it with `cables import`"
            ) from exc

    def _intact(self, cable_id: int) -> bool:
        """Whether the stored record is there and decompresses (zlib checks its checksum): a
        damaged one is replaced by any copy. Cheaper than reading it back whole."""
        row = self._conn.execute("SELECT data FROM bodies WHERE id = ?", (cable_id,)).fetchone()
        try:
            return row is not None and bool(zlib.decompress(row[0]))
        except (zlib.error, TypeError):
            return False

    @_translated
    def cites(self, reference_id: str) -> list[str]:
        """The ids this cable's REF block cites, in order (in the library or not)."""
        with self._lock:
            return [
                r[0]
                for r in self._conn.execute(
                    "SELECT r.cited FROM refs r JOIN cables c ON c.id = r.cable_id"
                    " WHERE c.reference_id = ? ORDER BY r.position",
                    (reference_id,),
                )
            ]

    @_translated
    def subjects(self, reference_ids: Iterable[str]) -> dict[str, str]:
        """The subject of each of these cables that is in the library, keyed by the id as
        asked (ids match in any case); one query per 500 ids, and no cable decoded."""
        asked = {ref.upper(): ref for ref in reference_ids}
        wanted = list(asked)
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = self._conn.execute(
                    "SELECT reference_id, subject FROM cables WHERE reference_id IN"
                    f" ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                for ref, subject in rows:
                    found[asked[ref.upper()]] = subject or ""
        return found

    @_translated
    def cited_by(self, reference_id: str) -> list[str]:
        """The ids of library cables whose REF block cites this one, newest first."""
        with self._lock:
            return [
                r[0]
                for r in self._conn.execute(
                    "SELECT DISTINCT c.reference_id, c.created FROM refs r"
                    " JOIN cables c ON c.id = r.cable_id WHERE r.cited = ?"
                    " ORDER BY c.created DESC, c.reference_id",
                    (reference_id,),
                )
            ]

    @_translated
    def search(self, query: str, *, limit: int = 50, ranked: bool = False) -> list[SearchHit]:
        """Full-text search of a query typed whole: `text_search` of its parsed form, newest first
        (best first with `ranked`); a query with errors finds nothing."""
        sort = Sort.BEST if ranked else Sort.NEW
        return self.text_search(parse(query, submitted=True), limit=limit, sort=sort).hits

    def _hit(self, cable_id: int, row: int, terms: list[tuple[str, bool]]) -> SearchHit:
        ref, created, level, subject, tags, synthetic = self._conn.execute(
            "SELECT reference_id, created, level, subject, tags, synthetic FROM cables"
            " WHERE id = ?",
            (cable_id,),
        ).fetchone()
        number = anchor = None
        if row == 0:
            text = " ".join(filter(None, [subject, tags]))
        else:
            cable = self._load(cable_id)
            if cable.paragraphs:  # the overflow row holds every paragraph from there on
                found = (
                    cable.paragraphs[row - 1 : row]
                    if row < _MAX_ROW
                    else cable.paragraphs[row - 1 :]
                )
                number, anchor = found[0].number, found[0].anchor
                text = " ".join(p.text for p in found)
            else:  # a cable with no paragraphs: its body is row 1
                text = cable.body
        return SearchHit(
            ref,
            iso_date(created),
            subject,
            Level(level),
            number,
            anchor,
            snippet(text, terms),
            bool(synthetic),
        )

    @_translated
    def text_search(
        self,
        query: Query,
        *,
        limit: int = 50,
        sort: Sort = Sort.NEW,
        count_cap: int = 0,
        timeline: bool = False,
        cancelled: Callable[[], bool] | None = None,
    ) -> TextResults:
        """Full-text search for a parsed query, one hit per cable, with its filters applied.

        Sorted newest or oldest first by when sent (`_by_sent`: a walk of the rowids, ordered
        by when created, that stops soon after the first hits), or best first: bm25 over the
        newest RANK_WINDOW matching paragraphs, a bound on the cost of ranking the commonest
        words. Up to `count_cap` matching cables are
        counted (0: just the hits); with `timeline`, also per month ("YYYY-MM"). A bare year is a
        `year:` filter here (a paragraph cannot be a year). Queries with errors find nothing.
        `cancelled()` is asked every few thousand rows: when true, the results so far come back
        with `cancelled` set (a newer keystroke wants the library).
        """
        results = TextResults()
        if query.errors or (limit <= 0 and not count_cap and not timeline):
            return results
        limit = max(0, limit)
        expression, terms = fts_expression(query)
        with self._lock:
            if expression is None:
                return self._list_filtered(query, limit, sort, count_cap, timeline)
            allowed = self._allowed_cables(query)
            if sort is Sort.BEST:
                sql = (
                    "SELECT rowid FROM (SELECT rowid, bm25(fts) AS score FROM fts"
                    " WHERE fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score"
                )
                params: tuple[object, ...] = (expression, RANK_WINDOW)
            else:
                direction = "DESC" if sort is Sort.NEW else "ASC"
                sql = f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid {direction}"
                params = (expression,)
            rows = self._conn.execute(sql, params)
            chosen: dict[int, int] = {}
            seen: set[int] = set()
            try:
                for n, (rowid,) in enumerate(rows):
                    if cancelled is not None and not n % 4096 and cancelled():
                        results.cancelled = True
                        return results
                    cable_id, row = (rowid >> _ROW_BITS) & _MAX_CABLE, rowid & _MAX_ROW
                    if allowed is not None and cable_id not in allowed:
                        continue
                    if cable_id in seen:
                        # a cable's rows come together, highest row first: keep its first
                        # paragraph, the subject row only if no other (best: the best row)
                        if (
                            sort is not Sort.BEST
                            and cable_id in chosen
                            and 0 < row < chosen[cable_id]
                        ):
                            chosen[cable_id] = row
                        continue
                    seen.add(cable_id)
                    if len(chosen) < limit:
                        chosen[cable_id] = row
                    elif len(seen) > max(count_cap, limit):
                        results.capped = True
                        break
            finally:
                rows.close()  # ends the read: an open statement would hold back checkpoints
            results.total = len(seen) - results.capped
            if sort is not Sort.BEST and chosen:  # (the walk went by when created)
                by_sent = self._by_sent(expression, allowed, limit, sort is Sort.NEW, cancelled)
                if by_sent is None:
                    results.cancelled = True
                    return results
                chosen = by_sent
            results.hits = [self._hit(cable_id, row, terms) for cable_id, row in chosen.items()]
            if timeline:
                self._count_by(
                    results, "id IN (SELECT value FROM json_each(?))", [json.dumps(list(seen))]
                )
            return results

    def _by_sent(
        self,
        expression: str,
        allowed: set[int] | None,
        limit: int,
        newest: bool,
        cancelled: Callable[[], bool] | None,
    ) -> dict[int, int] | None:
        """The first `limit` matching cables by when sent (newest or oldest first, as the
        filters-only list orders them), each with the row to show; None if cancelled.

        FTS rowids run by when created, minutes from when sent for nearly every cable: the walk
        in rowid order stops once no cable it has not reached can come before the limit-th found.
        Those it has not reached that might (sent after, created before) come from the `sent`
        index and are looked up one by one, so the first screen reads a page or so of rows.
        """
        direction = "DESC" if newest else "ASC"
        walk = self._conn.execute(
            f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid {direction}", (expression,)
        )
        found: dict[int, int] = {}
        check = limit
        try:
            for n, (rowid,) in enumerate(walk):
                if cancelled is not None and not n % 4096 and cancelled():
                    return None
                cable_id, row = (rowid >> _ROW_BITS) & _MAX_CABLE, rowid & _MAX_ROW
                if allowed is not None and cable_id not in allowed:
                    continue
                if cable_id in found:  # its first paragraph; the subject row only if no other
                    if row and (not found[cable_id] or row < found[cable_id]):
                        found[cable_id] = row
                    continue
                if len(found) >= check:
                    if self._settled(found, limit, cable_id, newest, expression, allowed):
                        break
                    check *= 2
                found[cable_id] = row
        finally:
            walk.close()
        order = _by_when_sent(self._sent_keys(found), newest)[:limit]
        return {cable_id: found[cable_id] for cable_id in order}

    def _settled(
        self,
        found: dict[int, int],
        limit: int,
        reached: int,
        newest: bool,
        expression: str,
        allowed: set[int] | None,
    ) -> bool:
        """Whether no cable the walk has not passed (from cable `reached` on) can come before
        the limit-th of `found`; those that might are looked up (and added) a few at a time."""
        keys = self._sent_keys(found)
        last = keys[_by_when_sent(keys, newest)[limit - 1]]
        (created,) = self._conn.execute(
            "SELECT created FROM cables WHERE id = ?", (reached,)
        ).fetchone()
        # not passed yet: created no later (newest first) or no earlier than `reached` was
        condition = (
            "created IS NULL OR substr(created || 'T00:00', 1, 16) <= ?"
            if newest
            else "created IS NULL OR created < '1950' OR substr(created || 'T00:00', 1, 16) >= ?"
        )
        rows = self._conn.execute(
            f"SELECT id, {DATE_COLUMN}, reference_id, created FROM cables WHERE {condition}"
            f" ORDER BY {DATE_COLUMN} {'DESC' if newest else 'ASC'}, reference_id",
            (_minute(created),),
        )
        try:
            for n, (cable_id, sent, ref, made) in enumerate(rows):
                if not _comes_before((sent, ref), last, newest):
                    return True  # neither it nor any after it can be among the first `limit`
                if n >= SETTLE_LOOKUPS:
                    return False  # many to look up: walk on instead
                if cable_id in found or (allowed is not None and cable_id not in allowed):
                    continue
                row = self._first_row(expression, cable_id, made)
                if row is not None:
                    found[cable_id] = row
                    keys[cable_id] = (sent, ref)
                    last = keys[_by_when_sent(keys, newest)[limit - 1]]
            return True
        finally:
            rows.close()

    def _sent_keys(self, cables: Iterable[int]) -> dict[int, tuple[str | None, str]]:
        """Each cable's (sent, reference id): what orders cables by when sent."""
        return {
            cable_id: (sent, ref)
            for cable_id, sent, ref in self._conn.execute(
                f"SELECT id, {DATE_COLUMN}, reference_id FROM cables"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(cables)),),
            )
        }

    def _first_row(self, expression: str, cable_id: int, created: str | None) -> int | None:
        """The row a text hit shows for this cable (its first matching paragraph, else the
        subject row), or None where the cable does not match."""
        base = (_minutes(created) << (_CABLE_BITS + _ROW_BITS)) | (cable_id << _ROW_BITS)
        rows = [
            rowid & _MAX_ROW
            for (rowid,) in self._conn.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?",
                (expression, base, base | _MAX_ROW),
            )
        ]
        if not rows:
            return None
        return min((r for r in rows if r), default=0)

    def _count_by(self, results: TextResults, condition: str, params: Sequence[object]) -> None:
        """Fill `results.levels` and `.months` (by when sent) for the cables `condition` picks."""
        for month, level, n in self._conn.execute(
            f"SELECT substr({DATE_COLUMN}, 1, 7), level, count(*) FROM cables WHERE {condition}"
            " GROUP BY 1, 2",
            params,
        ):
            results.levels[level] = results.levels.get(level, 0) + n
            if month:
                results.months[month] = results.months.get(month, 0) + n

    @_translated
    def linked_ids(self, query: Query) -> set[str] | None:
        """The reference ids that the query's `cites:`/`refs:` filters allow (None: no such
        filter): cables whose REF block cites each `cites:` id, and the ids each `refs:` cites."""
        if not query.cites and not query.refs:
            return None
        sets: list[set[str]] = []
        with self._lock:
            for ref in query.cites:
                sets.append({r.upper() for r in self.cited_by(ref)})
            for ref in query.refs:
                sets.append({r.upper() for r in self.cites(ref)})
        return set.intersection(*sets)

    def _allowed_cables(self, query: Query) -> set[int] | None:
        """Row ids of the cables the query's filters allow (None: every cable)."""
        where, params = self._filter_sql(query)
        if not where:
            return None
        sql = "SELECT id FROM cables WHERE " + " AND ".join(where)
        return {r[0] for r in self._conn.execute(sql, params)}

    def _filter_sql(self, query: Query) -> tuple[list[str], list[object]]:
        where: list[str] = []
        params: list[object] = []
        if query.levels is not None:
            where.append(f"level IN ({','.join('?' * len(query.levels))})")
            params += [lv.value for lv in query.levels]
        years = [*query.years, *((c.year, c.year) for c in query.clauses if _year_only(c))]
        for first, last in years:
            where.append(f"substr({DATE_COLUMN}, 1, 4) BETWEEN ? AND ?")
            params += [str(first), str(last)]
        for span in query.dates:
            if span.start is not None:
                where.append(f"substr({DATE_COLUMN}, 1, ?) >= ?")
                params += [len(span.start), span.start]
            if span.end is not None:
                where.append(f"substr({DATE_COLUMN}, 1, ?) <= ?")
                params += [len(span.end), span.end]
        for tag in query.tags:
            where.append("(' ' || upper(tags) || ' ') LIKE ?")
            params.append(f"% {tag} %")
        if query.origins:
            from cables.search import origins_like  # (rapidfuzz: only when asked)

            known = [r[0] for r in self._conn.execute("SELECT DISTINCT origin FROM cables")]
            for wanted in query.origins:
                places = sorted(origins_like([o or "" for o in known], wanted))
                where.append(f"coalesce(origin, '') IN ({','.join('?' * len(places))})")
                params += places
        linked = self.linked_ids(query)
        if linked is not None:
            where.append(f"upper(reference_id) IN ({','.join('?' * len(linked))})")
            params += sorted(linked)
        return where, params

    def _list_filtered(
        self, query: Query, limit: int, sort: Sort, count_cap: int, timeline: bool
    ) -> TextResults:
        """Filters (and exclusions) alone: the cables they allow, by date, subjects as snippets;
        all in SQL over the narrow `cables` table."""
        results = TextResults()
        where, params = self._filter_sql(query)
        for word in query.excluded:
            where.append(
                f"id NOT IN (SELECT (rowid >> {_ROW_BITS}) & {_MAX_CABLE} FROM fts"
                " WHERE fts MATCH ?)"
            )
            params.append('"' + " ".join(_fold(w) for w in word.words) + '"')
        if not where:
            return results  # nothing asked
        condition = " WHERE " + " AND ".join(where)
        direction = "ASC" if sort is Sort.OLD else "DESC"
        chosen = [
            r[0]
            for r in self._conn.execute(
                f"SELECT id FROM cables{condition}"
                f" ORDER BY {DATE_COLUMN} {direction}, reference_id LIMIT ?",
                (*params, limit),
            )
        ]
        results.hits = [self._hit(cable_id, 0, []) for cable_id in chosen]
        cap = max(count_cap, limit)
        results.total = self._conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM cables{condition} LIMIT ?)", (*params, cap + 1)
        ).fetchone()[0]
        if results.total > cap:
            results.total, results.capped = cap, True
        if timeline:
            self._count_by(results, condition.removeprefix(" WHERE "), params)
        return results

    @_translated
    def stats(self) -> Stats:
        with self._lock:
            conn = self._conn

            def counts(sql: str) -> dict[str, int]:
                return {key or "": n for key, n in conn.execute(sql)}

            return Stats(
                count=conn.execute("SELECT count(*) FROM cables").fetchone()[0],
                synthetic=conn.execute("SELECT count(*) FROM cables WHERE synthetic").fetchone()[0],
                by_level=counts("SELECT level, count(*) FROM cables GROUP BY 1 ORDER BY 2 DESC"),
                by_origin=counts(
                    "SELECT origin, count(*) FROM cables GROUP BY 1 ORDER BY 2 DESC, 1"
                ),
                by_year=counts(  # a library written before dates were checked may hold others
                    "SELECT CASE WHEN created GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
                    " THEN substr(created, 1, 4) END, count(*) FROM cables GROUP BY 1 ORDER BY 1"
                ),
            )

    # -- writing -------------------------------------------------------------------------------

    @_translated
    def add(self, cables: Sequence[Cable | Prepared]) -> BatchResult:
        """Store a batch in one transaction, keyed by reference id (any case).

        Where the library (or the batch) holds the same cable twice, a whole copy beats a
        partial one (a truncated page), then the one released later is kept; on a tie the one
        already kept stays, so importing the same input twice changes nothing. A stored record
        that no longer reads back (damaged) is replaced by any copy.
        """
        result = BatchResult()
        chosen: dict[str, Prepared] = {}
        for item in cables:
            cable = item if isinstance(item, Prepared) else prepare(item)
            key = cable.reference_id.upper()
            kept = chosen.get(key)
            if kept is None or cable.rank > kept.rank:
                chosen[key] = cable
        result.unchanged = len(cables) - len(chosen)
        with self._lock, _transaction(self._conn):
            conn = self._conn
            existing: dict[str, tuple[int, tuple[bool, str]]] = {}
            keys = list(chosen)
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                existing.update(
                    (ref.upper(), (cable_id, (partial is None, released or "")))
                    for ref, cable_id, released, partial in conn.execute(
                        "SELECT c.reference_id, c.id, c.released, p.reason FROM cables c"
                        " LEFT JOIN partial p ON p.id = c.id WHERE"
                        f" c.reference_id IN ({','.join('?' * len(part))})",
                        part,
                    )
                )
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cables").fetchone()[0]
            new: list[tuple[int, Prepared]] = []
            for key, cable in chosen.items():
                if key not in existing:
                    new.append((next_id, cable))
                    next_id += 1
                elif cable.rank > existing[key][1] or not self._intact(existing[key][0]):
                    self._replace(existing[key][0], cable)
                    result.updated.append(cable.reference_id)
                else:
                    result.unchanged += 1
            if new and new[-1][0] > _MAX_CABLE:
                raise LibraryError(f"{self.path}: more cables than the search index can number")
            conn.executemany(
                "INSERT INTO cables (id, reference_id, created, sent, released, level, origin,"
                " subject, tags, synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(cable_id, *cable.row) for cable_id, cable in new],
            )
            self._write_parts(new)
            result.imported = [cable.reference_id for _, cable in new]
            if result.imported or result.updated:
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        return result

    def _replace(self, cable_id: int, cable: Prepared) -> None:
        try:
            old = fts_rows(cable_id, self._load(cable_id))
        except LibraryError:  # a damaged record: its index rows were made from this same text
            created, subject, tags = self._conn.execute(
                "SELECT created, subject, tags FROM cables WHERE id = ?", (cable_id,)
            ).fetchone()
            texts = [(subject or "", " ".join(tags.split()), ""), *cable.texts[1:]]
            old = _fts_rows(cable_id, _minutes(created), texts)
        self._conn.executemany(
            "INSERT INTO fts (fts, rowid, subject, tags, text) VALUES ('delete', ?, ?, ?, ?)", old
        )
        self._conn.execute("DELETE FROM refs WHERE cable_id = ?", (cable_id,))
        self._conn.execute("DELETE FROM partial WHERE id = ?", (cable_id,))
        self._conn.execute(
            "UPDATE cables SET reference_id = ?, created = ?, sent = ?, released = ?, level = ?,"
            " origin = ?, subject = ?, tags = ?, synthetic = ? WHERE id = ?",
            (*cable.row, cable_id),
        )
        self._write_parts([(cable_id, cable)])

    def _write_parts(self, cables: list[tuple[int, Prepared]]) -> None:
        conn = self._conn
        conn.executemany(
            "INSERT OR REPLACE INTO bodies VALUES (?, ?)",
            [(cable_id, cable.body) for cable_id, cable in cables],
        )
        conn.executemany(
            "INSERT INTO partial VALUES (?, ?)",
            [(cable_id, cable.partial) for cable_id, cable in cables if cable.partial],
        )
        conn.executemany(
            "INSERT INTO refs VALUES (?, ?, ?)",
            [
                (cable_id, i, ref)
                for cable_id, cable in cables
                for i, ref in enumerate(cable.references)
            ],
        )
        conn.executemany(
            "INSERT INTO fts (rowid, subject, tags, text) VALUES (?, ?, ?, ?)",
            [
                row
                for cable_id, cable in cables
                for row in _fts_rows(cable_id, cable.minutes, cable.texts)
            ],
        )

    @_translated
    def refresh_index(self) -> None:
        """Rebuild the cached sidebar index now (an import ends with it, so the next open is
        instant), and fold the full-text segments together for faster searches."""
        with self._lock:
            self._store_index(*self._index_now())
            self._conn.execute("INSERT INTO fts (fts, rank) VALUES ('merge', 500)")

    @_translated
    def checkpoint(self) -> None:
        """Fold the write-ahead log back into the file (a large import leaves a large WAL)."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- schema ------------------------------------------------------------------------------------


def migrate(conn: sqlite3.Connection, target: int) -> None:
    """Bring the schema up to version `target`, each step in its own transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for step in range(version, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step_sql = MIGRATIONS[step]
            if callable(step_sql):
                step_sql(conn)
            else:
                for statement in _statements(step_sql):
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {step + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


@contextmanager
def _transaction(
    conn: sqlite3.Connection, busy_ms: int | None = None, restore_ms: int = 10000
) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included)."""
    if busy_ms is not None:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        if busy_ms is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(restore_ms)}")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _generation(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])


# -- encoding ----------------------------------------------------------------------------------


def _rank(cable: Cable) -> tuple[bool, str]:
    """Which copy of a cable to keep: a whole one over a partial one, then the later release
    (an unknown release counts as oldest)."""
    return cable.partial is None, cable.released or ""


def _row(cable: Cable) -> tuple[Any, ...]:
    return (
        cable.reference_id,
        cable.created,
        cable.sent,
        cable.released,
        cable.level.value,
        cable.origin,
        cable.subject,
        " ".join(cable.tags),
        int(cable.synthetic),
    )


def _encode_body(cable: Cable) -> bytes:
    source = cable.source
    meta = [
        cable.created_dtg,
        cable.classification,
        cable.tags,
        cable.references,
        cable.ref_text,
        cable.header,
        cable.caveats,
        cable.classified_by,
        cable.sections,
        cable.articles,
        None if source is None else [source.path, source.record, source.recovered_from],
        len(cable.body),
        [
            [
                p.number,
                p.anchor,
                p.marking,
                None if p.parsed is None else [p.parsed.level.value, p.parsed.caveats],
                p.section,
                len(p.text),
            ]
            for p in cable.paragraphs
        ],
    ]
    # ASCII JSON holds no raw newline, so the first newline ends it; the texts follow raw.
    payload = "".join(
        [
            json.dumps(meta, separators=(",", ":")),
            "\n",
            cable.body,
            *(p.text for p in cable.paragraphs),
        ]
    )
    # ISA-L's deflate: standard zlib data (read back with `zlib`), made in a third of the time of
    # zlib's level 1 and a little smaller; compression was a tenth of an import's parsing time.
    return isal_zlib.compress(payload.encode("utf-8", "surrogatepass"), 2)


def _decode_cable(row: Sequence[Any]) -> Cable:
    ref, created, sent, released, level, origin, subject, synthetic, data, partial = row
    head, _, texts = zlib.decompress(data).decode("utf-8", "surrogatepass").partition("\n")
    (
        dtg,
        classification,
        tags,
        references,
        ref_text,
        header,
        caveats,
        classified_by,
        sections,
        articles,
        source,
        body_length,
        paragraphs,
    ) = json.loads(head)
    pos = body_length
    decoded = []
    for number, anchor, marking, parsed, section, length in paragraphs:
        marks = None if parsed is None else Marking(Level(parsed[0]), tuple(parsed[1]))
        decoded.append(
            Paragraph(number, anchor, marking, marks, texts[pos : pos + length], section)
        )
        pos += length
    return Cable(
        reference_id=ref,
        created=iso_date(created),  # a library written before dates were checked may hold others
        released=iso_date(released),
        created_dtg=dtg,
        sent=iso_date(sent),
        classification=classification,
        level=Level(level),
        origin=origin,
        subject=subject,
        tags=tags,
        references=references,
        ref_text=ref_text,
        header=header,
        caveats=caveats,
        classified_by=classified_by,
        sections=sections,
        articles=articles,
        paragraphs=decoded,
        body=texts[:body_length],
        source=None if source is None else Source(*source),
        synthetic=bool(synthetic),
        partial=partial,
    )


def _stored_dtg(data: bytes) -> str | None:
    """The DTG of a stored body, decompressing only the start (it leads the JSON line)."""
    head = zlib.decompressobj().decompress(data, 1024).decode("utf-8", "replace")
    try:
        dtg = json.JSONDecoder().raw_decode(head, 1)[0]
    except ValueError:
        return None
    return dtg if isinstance(dtg, str) else None


def _minute(created: str | None) -> str:
    """`created` to the minute as stored ("YYYY-MM-DDTHH:MM"), where `_minutes` is counted
    from (1950, the first minute counted, for unknown or earlier dates)."""
    if not created or created[:4] < "1950":
        return "1950-01-01T00:00"
    return (created + "T00:00")[:16]


def _comes_before(a: tuple[str | None, str], b: tuple[str | None, str], newest: bool) -> bool:
    """Whether (sent, reference id) `a` comes before `b` as SQLite orders them by sent
    (descending if `newest`: unknown last; else unknown first), then id (NOCASE)."""
    if a[0] != b[0]:
        if a[0] is None or b[0] is None:
            return (a[0] is None) != newest
        return a[0] > b[0] if newest else a[0] < b[0]
    return a[1].lower() < b[1].lower()


def _by_when_sent(keys: dict[int, tuple[str | None, str]], newest: bool) -> list[int]:
    """The cables of `keys` in the order `_comes_before` says."""

    def compare(a: int, b: int) -> int:
        return -1 if _comes_before(keys[a], keys[b], newest) else 1

    return sorted(keys, key=functools.cmp_to_key(compare))


def _minutes(created: str | None) -> int:
    """Minutes from 1950 to `created` (0 where unknown or earlier): the top bits of FTS rowids."""
    if not created or len(created) < 10 or not created[:4].isdigit():
        return 0
    try:
        year, month, day = int(created[0:4]), int(created[5:7]), int(created[8:10])
        hour = int(created[11:13]) if len(created) >= 13 else 0
        minute = int(created[14:16]) if len(created) >= 16 else 0
    except ValueError:
        return 0
    if year < 1950:
        return 0
    days = (year - 1950) * 366 + (month - 1) * 31 + (day - 1)  # monotonic, not calendar-exact
    return min(days * 1440 + hour * 60 + minute, (1 << 26) - 1)


def fts_rows(cable_id: int, cable: Cable) -> list[tuple[int, str, str, str]]:
    """The full-text rows of a cable, each with its rowid."""
    return _fts_rows(cable_id, _minutes(cable.created), _fts_texts(cable))


def _fts_rows(
    cable_id: int, minutes: int, texts: list[tuple[str, str, str]]
) -> list[tuple[int, str, str, str]]:
    base = (minutes << (_CABLE_BITS + _ROW_BITS)) | (cable_id << _ROW_BITS)
    return [(base | i, *row) for i, row in enumerate(texts)]


def _fts_texts(cable: Cable) -> list[tuple[str, str, str]]:
    """The full-text rows of a cable: row 0 subject and tags, then one per paragraph (or the
    body where the parser found none); paragraphs past the last row number share that row."""
    texts = [p.text for p in cable.paragraphs] or ([cable.body] if cable.body else [])
    if len(texts) >= _MAX_ROW:
        texts = [*texts[: _MAX_ROW - 1], " ".join(texts[_MAX_ROW - 1 :])]
    return [(cable.subject or "", " ".join(cable.tags), ""), *(("", "", t) for t in texts)]


# -- queries -----------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _fold(word: str) -> str:
    """Case and accents folded, as FTS5's unicode61 tokenizer folds them."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def snippet(text: str, terms: list[tuple[str, bool]], width: int = 160) -> str:
    """A one-line window of `text` around the first matching word, matches marked « »."""
    text = clean_line(text)
    spans = _spans(text, terms) if terms else []
    if not spans:
        return text[:width] + ("…" if len(text) > width else "")
    start = max(0, spans[0][0] - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + width)
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [text[pos:s], "«", text[s:e], "»"]
        pos = e
    out.append(text[pos:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def _spans(text: str, terms: list[tuple[str, bool]]) -> list[tuple[int, int]]:
    """Where the terms occur as words. A case-insensitive regex finds them fast; folding every
    word (accents, as FTS5 does) is the fallback for text the regex cannot match."""
    pattern = "|".join(re.escape(t) + (r"\w*" if prefix else r"\b") for t, prefix in terms)
    spans = [m.span() for m in re.finditer(rf"\b(?:{pattern})", text, re.IGNORECASE)]
    if spans or text.isascii():
        return spans
    return [m.span() for m in _WORD.finditer(text) if _matches(_fold(m.group()), terms)]


def _matches(word: str, terms: list[tuple[str, bool]]) -> bool:
    return any(word.startswith(t) if prefix else word == t for t, prefix in terms)


def fts_expression(query: Query) -> tuple[str | None, list[tuple[str, bool]]]:
    """A parsed query's words as an FTS5 expression (every word quoted, so no input is a syntax
    error) and its terms (word, is_prefix) for marking snippets; None when it has no words.
    Bare years are filters here, not words."""
    parts: list[str] = []
    terms: list[tuple[str, bool]] = []
    for clause in query.clauses:
        if _year_only(clause):
            continue
        items = []
        for word in clause.words:
            words = [_fold(w) for w in word.words]
            terms.extend((w, word.prefix and i == len(words) - 1) for i, w in enumerate(words))
            items.append('"' + " ".join(words) + '"' + (" *" if word.prefix else ""))
        parts.append("(" + " OR ".join(items) + ")")
    if not parts:
        return None, terms
    expression = " AND ".join(parts)
    for word in query.excluded:
        expression = f"({expression}) NOT " + '"' + " ".join(_fold(w) for w in word.words) + '"'
    return expression, terms


def _year_only(clause: Clause) -> bool:
    """A bare year, alone in its clause: in the full text it is a `year:` filter."""
    return clause.year is not None and len(clause.words) == 1


def _is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY or SQLITE_LOCKED, extended codes too)."""
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
