"""Fuzzing the whole path (issue 11): real pages and cables.csv rows, mutated, go through
`parse`, `import`, `show`, `link` and `search`, the real commands in this process.

Whatever the mutation: no traceback, no control character in any output (JSON escapes them),
and every input comes out parsed or skipped with a reason naming the file. Bounded: a few dozen
examples each, derandomized so that a failure reproduces.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from dataclasses import astuple
from pathlib import Path

from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.cli import main
from cables.formats import ParseError
from cables.formats.csvdump import CsvRow, write_rows
from cables.model import Cable
from cables.parsing import ParseWarning, parse_path

PAGE = (FIXTURES / "09PARIS381.html").read_bytes()
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Where one field of the page is: the id cell, dates, classification, origin, an anchor, a TAG,
# the subject, a paragraph's words, the marking of one.
FIELDS = [
    b">09PARIS381<",
    b"2009-03-16 16:04",
    b"2010-11-30 16:04",
    b"SECRET//NOFORN</a>",
    b"Embassy Paris",
    b"par2",
    b">PREL<",
    b"S/WCI OFFICIALS DISCUSS",
    b"France accepted four former",
    b"(S/NF)",
]
PAYLOADS = [
    "\x1b[201~\ntouch /tmp/PWNED\n",
    "\x1b]52;c;QUJD\x07",
    "\x1b]0;TITLE\x07\x1b[2J",
    "\u009b31m\u0085\u202e",
    "[bold]x[/] [@click=app.quit]",
    "../../../../evil.example/09PARIS9109",
    "09PARIS9905 https://evil.example/phish?x=",
    "{ref!r}{year:x}",
    "2009-02-30 25:61",
    "\u00b6\u00b6 1. (S) ",
    "</pre></table><pre>",
    '"","\\"\n"',
]
hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        max_size=40,
    ),
)


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    """The real page with one field replaced, a cut, or bytes thrown in."""
    kind = draw(st.sampled_from(["field", "field", "cut", "insert"]))
    if kind == "field":
        field = draw(st.sampled_from(FIELDS))
        text = draw(hostile_text).encode("utf-8")
        keep = field[:1] if field.startswith(b">") else b""
        tail = field[-1:] if field.startswith(b">") else b""
        tail = b"</a>" if field.endswith(b"</a>") else tail
        return PAGE.replace(field, keep + text + tail, 1)
    at = draw(st.integers(0, len(PAGE)))
    if kind == "cut":
        return PAGE[:at]
    return PAGE[:at] + draw(st.binary(max_size=30)) + PAGE[at:]


def _row() -> CsvRow:
    (cable,) = (c for c in parse_path(FIXTURES / "09PARIS381.html") if isinstance(c, Cable))
    return CsvRow(
        "1",
        "3/16/2009 16:04",
        cable.reference_id,
        cable.origin or "",
        cable.classification or "",
        "|".join(cable.references),
        cable.header or "",
        cable.body,
    )


ROW = _row()


@st.composite
def mutated_rows(draw: st.DrawFn) -> bytes:
    """A real cable as a cables.csv row with one column replaced, or the file's bytes hit."""
    values = list(astuple(ROW))
    column = draw(st.integers(0, len(values) - 1))
    values[column] = draw(hostile_text)
    stream = io.StringIO(newline="")
    write_rows(stream, [ROW, CsvRow(*values)])
    data = stream.getvalue().encode("utf-8")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=20)) + data[at:]
    return data


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def clean(*outputs: str) -> None:
    for text in outputs:
        assert "Traceback" not in text, text
        assert not CONTROL.search(text.replace("\n", "").replace("\t", "")), repr(text)


def through_every_command(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        file = folder / name
        file.write_bytes(data)
        items = list(parse_path(file))
        cables = [i for i in items if isinstance(i, Cable)]
        skipped = [
            i for i in items if isinstance(i, ParseError) and not isinstance(i, ParseWarning)
        ]
        assert cables or skipped, "neither parsed nor skipped"
        for problem in items:
            if isinstance(problem, ParseError):
                assert problem.where.startswith(str(file)) and problem.reason.strip()

        status, out, err = run("parse", "--json", str(file))
        clean(out, err)
        assert status == (2 if not cables else 1 if skipped else 0)
        assert [json.loads(line)["reference_id"] for line in out.splitlines()] == [
            c.reference_id for c in cables
        ]
        library = str(folder / "library.sqlite3")
        status, out, err = run("--library", library, "import", str(file))
        clean(out, err)
        assert status in (0, 1, 2)
        assert out.startswith("read ") or not cables
        for cable in cables[:2]:
            ref = cable.reference_id
            anchor = next((p.anchor for p in cable.paragraphs if p.anchor), None)
            word = next(iter(re.findall(r"[A-Za-z]{4,}", cable.subject or "")), "detainees")
            for argv in (
                ("show", ref, "--json"),
                ("show", ref, "--markdown"),
                ("show", ref),
                ("link", ref),
                ("link", f"{ref}#{anchor}" if anchor else ref),
                ("search", word),
                ("search", word, "--json"),
                ("stats",),
            ):
                status, out, err = run("--library", library, *argv)
                clean(out, err)
                assert status in (0, 1), (argv, err)


FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(mutated_pages())
def test_mutated_pages_through_every_command(page: bytes) -> None:
    through_every_command(page, "09PARIS381.html")


@FUZZ
@given(mutated_rows())
def test_mutated_csv_rows_through_every_command(dump: bytes) -> None:
    through_every_command(dump, "cables.csv")
