"""The layers the README claims, enforced: `cables` never loads Textual, Rich or `tui`.

Each `cables` module is imported alone in a fresh interpreter (an import in one module must not
hide behind another's), and an `ast` contract pins the one lazy door into `tui`.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys

import pytest
from conftest import ROOT

import cables

FORBIDDEN = ("textual", "rich", "tui")
# The one module of `cables` allowed to name `tui`, and only inside a function.
BROWSER_DOOR = ROOT / "cables" / "browser.py"
BROWSER_MODULES = ("tui.app", "tui.serve_web")  # the browser, and the browser in web pages
CABLES_MODULES = sorted(
    info.name for info in pkgutil.walk_packages(cables.__path__, prefix="cables.")
)
_CHECK = """
import importlib, sys
importlib.import_module({module!r})
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({forbidden!r}))
print(" ".join(loaded))
"""


def test_the_walk_finds_the_whole_package():
    assert {"cables.cli", "cables.browser", "cables.commands.open", "cables.formats.html"} <= set(
        CABLES_MODULES
    )


@pytest.mark.parametrize("module", CABLES_MODULES)
def test_module_loads_no_ui_library(module):
    loaded = _loaded_ui(module)
    assert loaded == "", f"importing {module} loads {loaded}"


def _imported_names(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """Every module name an import statement in `tree` names, with the statement."""
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
    return found


def _module_level(tree: ast.Module) -> set[ast.AST]:
    """The statements that run at import time (not inside a function body)."""
    top: set[ast.AST] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        top.add(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))
    return top


def test_cables_names_the_ui_only_through_the_browser_door():
    offenders = []
    for path in sorted((ROOT / "cables").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        top = _module_level(tree)
        for name, node in _imported_names(tree):
            if name.split(".")[0] not in FORBIDDEN:
                continue
            lazy_door = path == BROWSER_DOOR and name in BROWSER_MODULES and node not in top
            if not lazy_door:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []


def test_the_browser_door_is_what_open_and_demo_use():
    for command in ("open", "demo"):
        tree = ast.parse((ROOT / "cables" / "commands" / f"{command}.py").read_text())
        names = {name for name, _ in _imported_names(tree)}
        assert "cables.browser" in names, f"cables {command} does not go through cables.browser"


def _loaded_ui(module: str) -> str:
    code = _CHECK.format(module=module, forbidden=FORBIDDEN)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_fresh_interpreter_check_can_fail():
    assert _loaded_ui("tui.app") == "rich textual tui"


def test_python_dash_m_cables_runs_only_as_main():
    tree = ast.parse((ROOT / "cables" / "__main__.py").read_text())
    calls = [
        node
        for node in tree.body
        if not isinstance(node, ast.Import | ast.ImportFrom | ast.If | ast.Expr)
        or (isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant))
    ]
    assert calls == [], "cables/__main__.py does work outside `if __name__ == '__main__'`"
    [guard] = [node for node in tree.body if isinstance(node, ast.If)]
    assert ast.unparse(guard.test) == "__name__ == '__main__'"
    # Importing it (as runpy or a test collector might) must not run the command line.
    result = subprocess.run(
        [sys.executable, "-c", "import cables.__main__; print('imported')"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.stdout == "imported\n", result.stderr


def test_tui_may_import_cables():
    """The other direction is the allowed one: the check above is not vacuous."""
    tree = ast.parse((ROOT / "tui" / "app.py").read_text())
    assert any(name.startswith("cables.") for name, _ in _imported_names(tree))


def _cables_imports(path) -> set[str]:
    """The `cables` modules a file imports anywhere (lazy and TYPE_CHECKING imports too)."""
    names = set()
    for name, node in _imported_names(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and name == "cables":
            names |= {f"cables.{alias.name}" for alias in node.names}
        elif name.startswith("cables."):
            names.add(name)
    return names & set(CABLES_MODULES)


def test_cables_has_no_import_cycles():
    graph = {}
    for path in sorted((ROOT / "cables").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[module] = _cables_imports(path) - {module}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in done:
                visit(target, [*trail, target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        visit(module, [module])
    assert cycles == []


def test_only_python_dash_m_imports_the_command_line():
    """`cables.cli` loads the commands (by name, lazily), so no command may import it back."""
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "cables").rglob("*.py")
        if "cables.cli" in _cables_imports(path)
    )
    assert importers == ["cables/__main__.py"]
