"""Start-up and the library: the three cases at start (demo, empty, a named library that is not
there), cables imported while the browser runs, `cables --version`."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES
from textual.widgets import Input
from tui_support import index_loaded, shown

from cables import __version__
from cables.cli import main
from cables.importer import import_paths
from cables.index import CableIndex
from cables.library import Library
from cables.parsing import parse_path
from tui.app import CablesApp


def toasts(app) -> list[str]:
    return [toast.render().plain for toast in app.screen.query("Toast")]


async def test_an_empty_library_says_how_to_import(tmp_path):
    path = tmp_path / "empty.sqlite3"
    Library.open(path, create=True).close()
    with Library.open(path) as library:
        app = CablesApp(library)
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await index_loaded(app, pilot)
            text = app.view.visible_text()
            assert "This library has no cables yet." in text
            command = f"cables --library {path} import cables.csv.gz"
            assert "".join(command.split()) in "".join(text.split())  # (a long path wraps)
            assert "cables demo" in text
            await pilot.press("escape", "slash")
            await pilot.pause()
            assert app.screen is app.screen_stack[0]  # no prompt: nothing to find in
            await pilot.press("colon")
            await pilot.pause()
            assert app.screen is app.screen_stack[0]
            assert any(
                "Nothing to search yet: this library has no cables" in t for t in toasts(app)
            )


async def test_cables_added_while_the_browser_runs_are_read_by_its_search_process(
    tmp_path, monkeypatch
):
    """A write that leaves the sidebar index stale (each batch of an import): the search process
    reads the rows and keeps the index, the browser maps it. Reading 251k rows in the browser
    took 1-2 s of CPU holding the GIL against the UI thread, on every batch."""
    path = tmp_path / "growing.sqlite3"
    with Library.open(path, create=True) as writer:
        import_paths(writer, [FIXTURES / "09BERLIN1167.html"])
    (mexico,) = parse_path(FIXTURES / "09MEXICO1055.rendered.txt")
    with Library.open(path) as library:
        reads: list[int] = []
        select = library._select_index
        monkeypatch.setattr(library, "_select_index", lambda: reads.append(1) or select())
        app = CablesApp(library)
        async with app.run_test(size=(120, 36)) as pilot:
            await index_loaded(app, pilot)
            with Library.open(path) as writer:
                writer.add([mexico])  # a batch: the index kept for the browser is now stale
            for _ in range(200):
                await pilot.pause(0.05)
                if app.query_one("#count").render().plain == "2 of 2" and app.search.ready:
                    break
            assert app.query_one("#count").render().plain == "2 of 2"  # (listed: then ready)
            assert app.search.generation == app.sidebar.generation
            app.sidebar.query_one(Input).value = "mexico 1055"
            await shown(app, pilot, "mexico 1055")
            rows = app.sidebar.cable_list.rows
            assert [app.sidebar.index.reference_ids[i] for i in rows] == ["09MEXICO1055"]
        assert reads == []


async def test_answers_of_another_generation_wait_for_its_index(tmp_path):
    """The list and the search process's engine each come from one generation of the library;
    an answer numbers the rows of its engine's, so it waits until the list is of the same."""
    path = tmp_path / "lib.sqlite3"
    with Library.open(path, create=True) as writer:
        import_paths(
            writer, [FIXTURES / "09BERLIN1167.html", FIXTURES / "09MEXICO1055.rendered.txt"]
        )
    with Library.open(path) as library:
        app = CablesApp(library)
        async with app.run_test(size=(120, 36)) as pilot:
            await index_loaded(app, pilot)
            index, generation = app.sidebar.index, app.sidebar.generation
            assert generation is not None and app.search.generation == generation
            older = CableIndex.from_bytes(index.to_bytes())
            app.sidebar.set_index(older, library, generation - 1)  # as if one batch behind
            app.sidebar.query_one(Input).value = "mexico 1055"
            await pilot.pause(0.5)
            assert app.sidebar.query_shown == ""  # the answer waits
            app.sidebar.set_index(index, library, generation)
            await shown(app, pilot, "mexico 1055")
            rows = app.sidebar.cable_list.rows
            assert [index.reference_ids[i] for i in rows] == ["09MEXICO1055"]


async def test_cables_imported_while_the_browser_runs_appear(tmp_path):
    path = tmp_path / "growing.sqlite3"
    with Library.open(path, create=True) as writer:
        import_paths(writer, [FIXTURES / "09BERLIN1167.html"])
    with Library.open(path) as library:
        app = CablesApp(library)
        async with app.run_test(size=(120, 36)) as pilot:
            await index_loaded(app, pilot)
            assert app.query_one("#count").render().plain == "1 of 1"
            with Library.open(path) as writer:  # another process would do the same
                import_paths(writer, [FIXTURES / "09MEXICO1055.rendered.txt"])
            for _ in range(200):
                await pilot.pause(0.05)
                if app.query_one("#count").render().plain == "2 of 2":
                    break
            assert app.query_one("#count").render().plain == "2 of 2"
            assert "09MEXICO1055" in app.sidebar.index.reference_ids
            app.sidebar.query_one(Input).value = "mexico 1055"  # the search process has it too
            await shown(app, pilot, "mexico 1055")
            rows = app.sidebar.cable_list.rows
            assert [app.sidebar.index.reference_ids[i] for i in rows] == ["09MEXICO1055"]
            assert app.view.cable.reference_id == "09BERLIN1167"  # the open cable stays


def test_a_named_library_that_is_not_there_is_an_error(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "nowhere" / "library.sqlite3"
    assert main(["--library", str(missing)]) == 2
    err = capsys.readouterr().err.strip().split("\n")
    assert len(err) == 1 and str(missing) in err[0] and "--library" in err[0]
    monkeypatch.setenv("CABLES_LIBRARY", str(missing))
    assert main(["open", "09BERLIN1167"]) == 2
    assert "$CABLES_LIBRARY" in capsys.readouterr().err
    monkeypatch.delenv("CABLES_LIBRARY")
    config = tmp_path / "config.toml"
    config.write_text(f'library = "{missing}"\n')
    assert main(["--config", str(config)]) == 2
    assert "the config's library" in capsys.readouterr().err
    assert not missing.exists()  # opening never creates it
    assert main(["--library", str(missing), "import", str(FIXTURES / "09BERLIN1167.html")]) == 0
    assert Path(missing).exists()  # import still creates a library at a named path


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exit:
        assert exit.code == 0
    assert capsys.readouterr().out.strip() == f"cables {__version__}"
