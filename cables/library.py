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
- `index_cache`: the sidebar index serialised as one string per column, stamped with the
  `generation` counter that every write bumps; it loads 251k cables in a fraction of a second.
Writes happen in batches, one transaction each: killed at any moment, the file stays consistent,
and WAL lets readers go on while an import runs.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from cables.dtg import dtg_datetime
from cables.index import CableIndex
from cables.model import Cable, Level, Marking, Paragraph, Source
from cables.sanitize import clean_line

SCHEMA_VERSION = 3
APPLICATION_ID = 0x4361626C  # "Cabl": tells our files from any other SQLite database

# FTS rowid = minutes since 1950 << 37 | cable rowid << 12 | row (0 = subject and tags).
_ROW_BITS, _CABLE_BITS = 12, 25
_MAX_ROW = (1 << _ROW_BITS) - 1
_MAX_CABLE = (1 << _CABLE_BITS) - 1
_SEP = "\x1f"  # column separator of the cached index (sanitised text never holds it)


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
)
assert len(MIGRATIONS) == SCHEMA_VERSION


class LibraryError(Exception):
    """A library that cannot be opened or used; the message is one line naming the file."""


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


class Library:
    """The one way into a library file; safe to share between threads (calls are serialised)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> Library:
        """Open (or with `create`, make) a library, migrating an older schema in place."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise LibraryError(f"{path}: no library here (import cables with `cables import`)")
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise LibraryError(f"{path}: not a usable cables library ({exc})") from None
        library = cls(path, conn)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            library._prepare(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise LibraryError(f"{path}: not a usable cables library ({exc})") from None
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
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")
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

    def count(self) -> int:
        with self._lock:
            count: int = self._conn.execute("SELECT count(*) FROM cables").fetchone()[0]
            return count

    def generation(self) -> int:
        """Bumped by every write: a reader holding an index compares it to know it is stale."""
        with self._lock:
            return _generation(self._conn)

    def load_index(self) -> CableIndex:
        """Every cable's sidebar fields, newest first, from the cache when it is current."""
        with self._lock:
            generation = _generation(self._conn)
            row = self._conn.execute("SELECT generation, columns FROM index_cache").fetchone()
            if row and row[0] == generation:
                return _decode_index(row[1])
            index = self._select_index()
            self._store_index(generation, index)
            return index

    def _select_index(self) -> CableIndex:
        index = CableIndex()
        rows = self._conn.execute(
            "SELECT reference_id, sent, level, origin, subject, tags, synthetic FROM cables"
            " ORDER BY sent DESC, reference_id"
        )
        for ref, sent, level, origin, subject, tags, synthetic in rows:
            index.reference_ids.append(ref)
            index.created.append((sent or "")[:10])
            index.levels.append(level)
            index.origins.append(origin or "")
            index.subjects.append(subject or "")
            index.tags.append(tags)
            index.synthetic.append(bool(synthetic))
        return index

    def _store_index(self, generation: int, index: CableIndex) -> None:
        """Cache the index; skipped (not an error) while another process holds the write lock."""
        try:
            with _transaction(self._conn, busy_ms=50):
                self._conn.execute("DELETE FROM index_cache")
                self._conn.execute(
                    "INSERT INTO index_cache VALUES (?, ?)", (generation, _encode_index(index))
                )
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise

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
            " c.synthetic, b.data FROM cables c JOIN bodies b ON b.id = c.id WHERE c.id = ?",
            (cable_id,),
        ).fetchone()
        try:
            return _decode_cable(row)
        except (zlib.error, ValueError, TypeError) as exc:
            raise LibraryError(
                f"{self.path}: the stored record of {row[0]} is damaged ({exc});"
                f" re-import it with `cables import`"
            ) from exc

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

    def search(self, query: str, *, limit: int = 50, ranked: bool = False) -> list[SearchHit]:
        """Full-text search, one hit per cable: newest first, or best first with `ranked`.

        Words must all occur in one paragraph (or in the subject and tags); "quoted phrases",
        `word*` prefixes and `OR` between words are understood; punctuation is ignored.
        """
        parsed = parse_query(query)
        if parsed is None or limit <= 0:
            return []
        expression, terms = parsed
        with self._lock:
            if ranked:
                rows = self._conn.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?",
                    (expression, limit * 8),
                )
            else:  # read only as far as the first `limit` cables: rowid order is date order
                rows = self._conn.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid DESC", (expression,)
                )
            try:
                chosen = _one_per_cable(rows, limit, keep_first=ranked)
            finally:
                rows.close()  # ends the read: an open statement would hold back checkpoints
            return [self._hit(cable_id, row, terms) for cable_id, row in chosen]

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
            created,
            subject,
            Level(level),
            number,
            anchor,
            snippet(text, terms),
            bool(synthetic),
        )

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
                by_year=counts(
                    "SELECT substr(created, 1, 4), count(*) FROM cables GROUP BY 1 ORDER BY 1"
                ),
            )

    # -- writing -------------------------------------------------------------------------------

    def add(self, cables: Sequence[Cable]) -> BatchResult:
        """Store a batch in one transaction, keyed by reference id (any case).

        Where the library (or the batch) holds the same cable twice, the one released later is
        kept; on a tie the one already kept stays, so importing the same input twice changes
        nothing.
        """
        result = BatchResult()
        chosen: dict[str, Cable] = {}
        for cable in cables:
            key = cable.reference_id.upper()
            kept = chosen.get(key)
            if kept is None or _later(cable, kept):
                chosen[key] = cable
        result.unchanged = len(cables) - len(chosen)
        with self._lock, _transaction(self._conn):
            conn = self._conn
            existing: dict[str, tuple[int, str | None]] = {}
            keys = list(chosen)
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                existing.update(
                    (ref.upper(), (cable_id, released))
                    for ref, cable_id, released in conn.execute(
                        "SELECT reference_id, id, released FROM cables WHERE"
                        f" reference_id IN ({','.join('?' * len(part))})",
                        part,
                    )
                )
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cables").fetchone()[0]
            new: list[tuple[int, Cable]] = []
            for key, cable in chosen.items():
                if key not in existing:
                    new.append((next_id, cable))
                    next_id += 1
                elif (cable.released or "") > (existing[key][1] or ""):
                    self._replace(existing[key][0], cable)
                    result.updated.append(cable.reference_id)
                else:
                    result.unchanged += 1
            if new and new[-1][0] > _MAX_CABLE:
                raise LibraryError(f"{self.path}: more cables than the search index can number")
            conn.executemany(
                "INSERT INTO cables (id, reference_id, created, sent, released, level, origin,"
                " subject, tags, synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(cable_id, *_row(cable)) for cable_id, cable in new],
            )
            self._write_parts(new)
            result.imported = [cable.reference_id for _, cable in new]
            if result.imported or result.updated:
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        return result

    def _replace(self, cable_id: int, cable: Cable) -> None:
        self._conn.executemany(
            "INSERT INTO fts (fts, rowid, subject, tags, text) VALUES ('delete', ?, ?, ?, ?)",
            fts_rows(cable_id, self._load(cable_id)),
        )
        self._conn.execute("DELETE FROM refs WHERE cable_id = ?", (cable_id,))
        self._conn.execute(
            "UPDATE cables SET reference_id = ?, created = ?, sent = ?, released = ?, level = ?,"
            " origin = ?, subject = ?, tags = ?, synthetic = ? WHERE id = ?",
            (*_row(cable), cable_id),
        )
        self._write_parts([(cable_id, cable)])

    def _write_parts(self, cables: list[tuple[int, Cable]]) -> None:
        conn = self._conn
        conn.executemany(
            "INSERT OR REPLACE INTO bodies VALUES (?, ?)",
            [(cable_id, _encode_body(cable)) for cable_id, cable in cables],
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
            [row for cable_id, cable in cables for row in fts_rows(cable_id, cable)],
        )

    def refresh_index(self) -> None:
        """Rebuild the cached sidebar index now (an import ends with it, so the next open is
        instant), and fold the full-text segments together for faster searches."""
        with self._lock:
            self._store_index(_generation(self._conn), self._select_index())
            self._conn.execute("INSERT INTO fts (fts, rank) VALUES ('merge', 500)")

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
def _transaction(conn: sqlite3.Connection, busy_ms: int | None = None) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included)."""
    if busy_ms is not None:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        if busy_ms is not None:
            conn.execute("PRAGMA busy_timeout = 10000")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _generation(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])


# -- encoding ----------------------------------------------------------------------------------


def _later(cable: Cable, than: Cable) -> bool:
    """Was `cable` released strictly later than `than` (an unknown release counts as oldest)?"""
    return (cable.released or "") > (than.released or "")


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
    return zlib.compress(payload.encode("utf-8", "surrogatepass"), 1)


def _decode_cable(row: Sequence[Any]) -> Cable:
    ref, created, sent, released, level, origin, subject, synthetic, data = row
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
        created=created,
        released=released,
        created_dtg=dtg,
        sent=sent,
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
    )


def _stored_dtg(data: bytes) -> str | None:
    """The DTG of a stored body, decompressing only the start (it leads the JSON line)."""
    head = zlib.decompressobj().decompress(data, 1024).decode("utf-8", "replace")
    try:
        dtg = json.JSONDecoder().raw_decode(head, 1)[0]
    except ValueError:
        return None
    return dtg if isinstance(dtg, str) else None


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
    """The full-text rows of a cable: row 0 subject and tags, then one per paragraph (or the
    body where the parser found none); paragraphs past the last row number share that row."""
    base = (_minutes(cable.created) << (_CABLE_BITS + _ROW_BITS)) | (cable_id << _ROW_BITS)
    rows = [(base, cable.subject or "", " ".join(cable.tags), "")]
    texts = [p.text for p in cable.paragraphs] or ([cable.body] if cable.body else [])
    if len(texts) >= _MAX_ROW:
        texts = [*texts[: _MAX_ROW - 1], " ".join(texts[_MAX_ROW - 1 :])]
    rows.extend((base | i, "", "", text) for i, text in enumerate(texts, start=1))
    return rows


def _one_per_cable(
    rows: Iterable[tuple[int]], limit: int, keep_first: bool
) -> list[tuple[int, int]]:
    """(cable id, row) per cable in hit order. In date order a cable's rows come together,
    highest row first: keep its first matching paragraph, the subject row only if no other."""
    chosen: dict[int, int] = {}
    for (rowid,) in rows:
        cable_id, row = (rowid >> _ROW_BITS) & _MAX_CABLE, rowid & _MAX_ROW
        if cable_id not in chosen:
            if len(chosen) == limit:
                break
            chosen[cable_id] = row
        elif not keep_first and 0 < row < chosen[cable_id]:
            chosen[cable_id] = row
    return list(chosen.items())


def _encode_index(index: CableIndex) -> str:
    columns = (
        index.reference_ids,
        index.created,
        index.levels,
        index.origins,
        index.subjects,
        index.tags,
    )
    parts = [_SEP.join(v.replace(_SEP, " ") for v in column) for column in columns]
    parts.append("".join("1" if s else "0" for s in index.synthetic))
    return "\n".join(part.replace("\n", " ") for part in parts)


def _decode_index(text: str) -> CableIndex:
    *columns, synthetic = text.split("\n")
    if not columns[0]:
        return CableIndex()
    refs, created, levels, origins, subjects, tags = (c.split(_SEP) for c in columns)
    return CableIndex(refs, created, levels, origins, subjects, tags, [s == "1" for s in synthetic])


# -- queries -----------------------------------------------------------------------------------

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def parse_query(query: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """A user's query as an FTS5 expression (every word quoted, so no input is a syntax
    error), and its terms (word, is_prefix) for marking snippets. None if it has no words."""
    parts: list[str] = []
    terms: list[tuple[str, bool]] = []
    pending_or = False
    for phrase, bare in _TOKEN.findall(query):
        if bare == "OR":
            pending_or = bool(parts)
            continue
        text = phrase or bare
        prefix = bool(bare) and bare.endswith("*")
        words = [_fold(w) for w in _WORD.findall(text)]
        if not words:
            continue
        terms.extend((w, prefix and i == len(words) - 1) for i, w in enumerate(words))
        item = '"' + " ".join(words) + '"' + (" *" if prefix else "")
        if pending_or:
            parts[-1] = f"{parts[-1]} OR {item}"
        else:
            parts.append(item)
        pending_or = False
    if not parts:
        return None
    return " AND ".join(f"({p})" for p in parts), terms


def _fold(word: str) -> str:
    """Case and accents folded, as FTS5's unicode61 tokenizer folds them."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def snippet(text: str, terms: list[tuple[str, bool]], width: int = 160) -> str:
    """A one-line window of `text` around the first matching word, matches marked « »."""
    text = clean_line(text)
    spans = _spans(text, terms)
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


def _is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY or SQLITE_LOCKED, extended codes too)."""
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
