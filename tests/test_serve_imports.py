"""`cables serve` brings asyncssh and textual-serve in only when its command runs."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

HEAVY = ("asyncssh", "textual_serve", "textual", "rich", "aiohttp")


def loaded_after(code: str) -> set[str]:
    """The heavy top-level modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    return set(out) & set(HEAVY)


def test_cli_import_loads_none_of_them():
    assert loaded_after("import cables.cli") == set()


def test_parsing_serve_arguments_loads_none_of_them():
    code = "from cables.cli import build_parser\nbuild_parser('serve').parse_args(['serve', 'ssh'])"
    assert loaded_after(code) == set()
