"""Pilot tests of the sidebar's query language in the real app over the real fixtures: each
filter, titles and text modes, the level counts and timeline, the error line, text hits opened
at their paragraph with the words highlighted, n past the last match to the next listed cable."""

from __future__ import annotations

import pytest
from rich.text import Text
from test_tui_app import count, running
from textual.widgets import Input, Label, Static
from textual.worker import WorkerCancelled
from tui_support import LayoutCount, messages, shown

from cables.library import Level
from tui.widgets.cable_view import CableView
from tui.widgets.sidebar import SPARKS, CableList, Sidebar, snippet_text, timeline


async def typed(app, pilot, query: str) -> Sidebar:
    sidebar = app.query_one(Sidebar)
    await pilot.press("ctrl+f")
    sidebar.query_one(Input).value = query
    await shown(app, pilot, query)
    await settled(app, pilot)
    return sidebar


async def settled(app, pilot) -> None:
    """Wait until no search worker runs (a page loaded as the list fills cancels another)."""
    for _ in range(200):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        break
    await pilot.pause()


async def opened_text_hit(app, pilot, query: str) -> CableView:
    """The view once the first text-mode (ctrl+t) hit of `query` is opened with enter."""
    await pilot.press("ctrl+t")
    await typed(app, pilot, query)
    await pilot.press("enter")
    await pilot.pause()
    return app.view


def listed(sidebar: Sidebar) -> list[str]:
    cable_list = sidebar.cable_list
    if cable_list.hits is not None:
        return [h.reference_id for h in cable_list.hits]
    return [sidebar.index.reference_ids[i] for i in cable_list.rows]


def note(sidebar: Sidebar) -> str:
    label = sidebar.query_one("#error", Label)
    return label.render().plain if label.display else ""


def summary(sidebar: Sidebar) -> str:
    widget = sidebar.query_one("#summary", Static)
    return widget.render().plain if widget.display else ""


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("level:S", lambda index, i: index.levels[i] == "S"),
        ("level:C,S", lambda index, i: index.levels[i] in ("C", "S")),
        ("level:>=C", lambda index, i: index.levels[i] in ("C", "S", "TS")),
        ("origin:berlin", lambda index, i: "Berlin" in index.origins[i]),
        ("year:2009", lambda index, i: index.created[i].startswith("2009")),
        ("1972", lambda index, i: index.created[i].startswith("1972")),
        ("date:2009-04..2009-06", lambda index, i: "2009-04" <= index.created[i][:7] <= "2009-06"),
        ("tag:PREL", lambda index, i: "PREL" in index.tags[i].split()),
        ("kabul -pgov", lambda index, i: "PGOV" not in index.tags[i].split()),
        ('"scenesetter for"', lambda index, i: "SCENESETTER FOR" in index.subjects[i]),
        (
            "kabul OR berlin",
            lambda index, i: index.origins[i] in ("Embassy Kabul", "Embassy Berlin"),
        ),
    ],
)
async def test_each_filter_in_titles_mode(fixtures_library, query, check):
    async with running(fixtures_library) as (app, pilot):
        sidebar = await typed(app, pilot, query)
        rows = list(sidebar.cable_list.rows)
        assert rows and all(check(sidebar.index, i) for i in rows), listed(sidebar)
        assert count(app).startswith(f"{len(rows)} of 63")
        assert summary(sidebar) and not note(sidebar)


async def test_cites_and_refs_filters_read_the_library(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = await typed(app, pilot, "cites:09BERLIN988")
        assert listed(sidebar) == ["09BERLIN1167"]
        sidebar = await typed(app, pilot, "refs:09BERLIN1167")
        assert set(listed(sidebar)) <= {"09BERLIN988", "08BERLIN504", "08BERLIN354"}


async def test_sort_and_fuzzy_ids(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = await typed(app, pilot, "berln1167")
        assert listed(sidebar)[0] == "09BERLIN1167"
        sidebar = await typed(app, pilot, "kabul sort:old")
        dates = [sidebar.index.created[i] for i in sidebar.cable_list.rows]
        assert dates == sorted(dates)


async def test_an_invalid_filter_is_named_under_the_box_and_then_cleared(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = await typed(app, pilot, "iran level:Q")
        assert "level:Q" in note(sidebar) and "not a level" in note(sidebar)
        assert sidebar.error
        sidebar = await typed(app, pilot, "iran level:S")
        assert note(sidebar) == "" and not sidebar.error


async def test_nothing_in_titles_says_why_and_offers_the_text(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = await typed(app, pilot, "calderon merida ")
        assert not sidebar.cable_list.rows
        for _ in range(100):  # the full-text count comes once typing pauses
            if note(sidebar):
                break
            await pilot.pause(0.05)
        assert note(sidebar).startswith("no cable title matches 'calderon' 'merida'")
        assert "ctrl+t searches the text: 1 cable" in note(sidebar)


async def test_level_counts_and_timeline_above_the_list(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = await typed(app, pilot, "year:2009")
        text = sidebar.query_one("#summary", Static).render()
        chips = {
            lv.value: n
            for lv in Level
            for n in [
                sum(1 for i in sidebar.cable_list.rows if sidebar.index.levels[i] == lv.value)
            ]
            if n
        }
        first, spark = text.plain.split("\n")[:2]
        for level, n in chips.items():
            assert f" {level} " in first or level == "unmarked"
            assert f" {n}" in first
        assert spark.startswith("1966 ") and spark.endswith(" 2010")
        assert any(c in spark for c in SPARKS[1:])
        # the chips carry the level colours (style spans on the Text, not markup)
        assert any(span.style for span in text.spans)


def test_timeline_shows_the_busiest_month_at_any_width():
    months = {"2009-04": 7, "2009-05": 1, "1972-01": 2, "2010-12": 3}
    for width in (12, 40, 80):
        line = timeline(months, width).plain
        assert len(line) == max(10, width) if width >= 20 else len(line) == width
        assert "█" in line  # the busiest month is always a full bar
    assert timeline({}, 40).plain.strip() == "1966  2010".replace("  ", " " * 32)


def test_snippets_are_text_never_markup():
    text = snippet_text("[bold]x[/bold] «Calderon» \x1b[31m «needs»")
    assert isinstance(text, Text) and "[bold]x[/bold]" in text.plain and "\x1b" not in text.plain
    marked = [text.plain[s.start : s.end] for s in text.spans]
    assert marked == ["Calderon", "needs"]


async def test_text_mode_lists_hits_and_opens_at_the_paragraph_highlighted(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = app.query_one(Sidebar)
        await pilot.press("ctrl+t")
        assert sidebar.mode == "text" and sidebar.query_one(Input).border_title == "text"
        assert isinstance(app.focused, Input)
        sidebar = await typed(app, pilot, "calderon merida")
        hits = sidebar.cable_list.hits
        assert [h.reference_id for h in hits] == ["09MEXICO1055"]
        row = sidebar.cable_list.hit_text(hits[0])
        assert "¶4" in row.plain
        assert {row.plain[s.start : s.end] for s in row.spans if s.style is not None} >= {
            "Calderon",
            "Merida",
        }
        assert count(app).startswith("1 cable of 63 (text)")
        assert " C " in summary(sidebar) and "1966" in summary(sidebar)
        await pilot.press("enter")
        await pilot.pause()
        view = app.view
        assert view.cable.reference_id == "09MEXICO1055" and view.paragraph.number == 4
        pattern = view.find_query.pattern()
        assert (
            pattern is not None
            and pattern.search("president calderon")
            and pattern.search("MERIDA")
        )
        await pilot.press("n")
        assert view.paragraph.number == 4  # ¶4's next match: match by match, not by paragraph
        await pilot.press("ctrl+t")
        assert sidebar.mode == "titles" and sidebar.query_one(Input).border_title == "titles"


def shown_match(app) -> str:
    """The text drawn in the current-match style on screen (the match n/N went to)."""
    view = app.view
    style = view.get_component_rich_style("cable-view--find-current")
    for y in range(view.scrollable_content_region.height):
        marked = "".join(
            s.text for s in view.render_line(y) if s.style and s.style.bgcolor == style.bgcolor
        )
        if marked:
            return marked
    return ""


async def test_n_after_a_text_hit_goes_match_by_match_and_says_which(fixtures_library):
    from test_tui_view_state import title

    async with running(fixtures_library) as (app, pilot):
        view = await opened_text_hit(app, pilot, "calderon merida")
        assert view.cable.reference_id == "09MEXICO1055" and view.paragraph.number == 4
        paragraphs = [match.paragraph for match in view._matches]
        total = len(paragraphs)
        in_hit = paragraphs.count(view.current)
        assert in_hit > 1 and total > in_hit  # several in ¶4, and more after it
        first = paragraphs.index(view.current)
        assert view.match_at == first  # the hit's paragraph's first match, not past them
        assert f"/calderon merida: match {first + 1} of {total}" in title(app)
        assert shown_match(app).lower() in ("calderon", "merida")
        for k in range(first + 1, total):
            await pilot.press("n")
            await pilot.pause()
            assert view.match_at == k  # each match, those sharing a paragraph too
            assert view.current == paragraphs[k] and view.cable.reference_id == "09MEXICO1055"
            assert f"match {k + 1} of {total}" in title(app)
            row = view._matches[k].row
            assert int(view.scroll_y) <= row < int(view.scroll_y) + view.size.height
            assert shown_match(app).lower() in ("calderon", "merida")
        await pilot.press("n")  # past the last, and no other cable listed
        await pilot.pause()
        assert view.cable.reference_id == "09MEXICO1055" and view.match_at == total - 1
        assert "No more text matches in the list" in messages(app, "warning")
        await pilot.press("N", "N")
        assert view.match_at == total - 3  # and back, match by match
        hit = view.find_query
        await pilot.press("slash", "d", "escape")  # a find typed, then taken back
        await pilot.pause()
        assert view.find_query == hit and view.match_at == total - 3
        assert f"match {total - 2} of {total}" in title(app)


async def test_n_past_the_last_match_opens_the_next_listed_cable_and_n_comes_back(
    fixtures_library,
):
    async with running(fixtures_library) as (app, pilot):
        await pilot.press("ctrl+t")
        sidebar = await typed(app, pilot, "westerwelle")
        ids = listed(sidebar)
        hits = sidebar.cable_list.hits
        assert len(ids) >= 2
        await pilot.press("enter")
        await pilot.pause()
        view = app.view
        assert view.cable.reference_id == ids[0]
        for _ in range(60):
            await pilot.press("n")
            await pilot.pause()
            if view.cable.reference_id != ids[0]:
                break
        assert view.cable.reference_id == ids[1]
        assert view.paragraph.anchor == hits[1].anchor  # at its best paragraph,
        assert view._matches[view.match_at].paragraph == view.current  # its first match there
        for _ in range(view.match_at):  # N back to its first match
            await pilot.press("N")
        assert view.match_at == 0 and view.cable.reference_id == ids[1]
        await pilot.press("N")  # before the first: the previous listed cable, at its last
        await pilot.pause()
        assert view.cable.reference_id == ids[0]
        assert view.match_at == len(view._matches) - 1
        assert view.current == view._matches[-1].paragraph
        assert sidebar.cable_list.selected_hit == hits[0]


async def test_text_mode_fills_as_the_list_scrolls(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        sidebar = app.query_one(Sidebar)
        sidebar.PAGE = 5
        sidebar._page = 5
        await pilot.press("ctrl+t")
        sidebar = await typed(app, pilot, "the")
        await pilot.pause(0.3)
        first = len(sidebar.cable_list.hits)
        height = sidebar.cable_list.scrollable_content_region.height
        total = int(count(app).split()[0].replace(",", ""))
        # pages of 5 until the list's height is filled, no more: never the whole result set
        assert height <= first < height + 10 < total
        sidebar.cable_list.focus()
        await pilot.press("end")
        for _ in range(100):
            await pilot.pause(0.05)
            if len(sidebar.cable_list.hits) > first:
                break
        assert len(sidebar.cable_list.hits) > first
        assert isinstance(sidebar.cable_list, CableList)


async def test_titles_list_pages_as_it_scrolls(fixtures_library):
    """Pages of the best `limit` matches until the list's height is filled, no more; scrolling
    to the end ranks and appends the next slice, the cursor stays, the count line stays true."""
    from cables.config import Config

    async def grown(sidebar: Sidebar, than: int) -> list[str]:
        for _ in range(100):
            await pilot.pause(0.05)
            if len(sidebar.cable_list.rows) > than:
                break
        return listed(sidebar)

    async with running(fixtures_library, Config(sidebar_limit=10)) as (app, pilot):
        sidebar = await typed(app, pilot, "e")
        await pilot.pause(0.3)
        total = int(count(app).split()[0].replace(",", ""))
        first = listed(sidebar)
        height = sidebar.cable_list.scrollable_content_region.height
        assert height <= len(first) <= height + 12 < total  # (it asks 2 rows before the end)
        assert len(first) % 10 == 0 and f"(best {len(first)} shown)" in count(app)
        sidebar.cable_list.focus()
        await pilot.press("end")
        at = sidebar.cable_list.cursor
        more = await grown(sidebar, len(first))
        assert len(more) == len(first) + 10 and more[: len(first)] == first
        assert len(set(more)) == len(more)  # the next best, none twice
        assert sidebar.cable_list.cursor == at == len(first) - 1  # the cursor stays
        assert count(app) == f"{total:,} of {len(sidebar.index):,} (best {len(more)} shown)"
        await pilot.press("end")
        assert len(await grown(sidebar, len(more))) == len(more) + 10
        # the whole list, paged to its end, is every match once, best first
        for _ in range(200):
            if len(sidebar.cable_list.rows) >= total:
                break
            n = len(sidebar.cable_list.rows)
            await pilot.press("end")
            await grown(sidebar, n)
        assert len(sidebar.cable_list.rows) == total == len(set(listed(sidebar)))
        assert count(app) == f"{total:,} of {len(sidebar.index):,}"
        # a new query starts again from the first page
        sidebar = await typed(app, pilot, "em")
        await pilot.pause(0.3)
        assert len(sidebar.cable_list.rows) <= height + 12


async def test_help_shows_the_query_language_and_the_text_key(fixtures_library):
    from tui.screens.help import HelpScreen

    async with running(fixtures_library) as (app, pilot):
        app.view.focus()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        footnote = screen.query_one("#info-footnote", Static).render().plain
        assert "level:S" in footnote and "date:2009-04..2009-06" in footnote and "-word" in footnote
        from test_tui_app import as_text

        assert "titles or the full text" in as_text(screen.body)  # the ctrl+t binding's row


async def test_after_a_text_hit_a_find_with_slash_wraps_within_the_cable(fixtures_library):
    async with running(fixtures_library) as (app, pilot):
        view = await opened_text_hit(app, pilot, "westerwelle")
        opened = view.cable.reference_id
        await pilot.press("slash", *"data", "enter")  # n/N follow the latest search: this one
        total = len(view._matches)
        assert total > 1 and not view.find_query.from_hit
        for _ in range(total):
            await pilot.press("n")
        await pilot.pause()
        assert view.cable.reference_id == opened  # wrapped round, not on to the next hit
        assert "Wrapped to the first match" in messages(app)


async def test_new_results_repaint_the_sidebar_without_a_layout_pass(fixtures_library):
    """A key's answer changes the list, the count and the picture: their sizes are fixed, so no
    layout pass (which repaints the whole screen, the cable view included) follows it."""
    async with running(fixtures_library) as (app, pilot):
        await typed(app, pilot, "e")
        layouts = LayoutCount(app)
        for query in ("em", "emb", "emba", "embas"):
            sidebar = await typed(app, pilot, query)
            assert len(sidebar.cable_list.rows) > 30  # the scrollbar stays
        await pilot.pause(0.1)
        assert layouts.passes == 0


async def test_find_works_in_the_text_as_published(fixtures_library):
    """`o` after a text hit: the matches are counted and highlighted in the raw text, n goes
    match by match there (the footer's paragraph following), and `/` finds in it (it crashed:
    the find looked for the current paragraph in a layout the raw view does not have)."""
    from test_tui_view_state import title

    async with running(fixtures_library) as (app, pilot):
        view = await opened_text_hit(app, pilot, "calderon merida")
        laid_out = len(view._matches)
        await pilot.press("o")
        await pilot.pause()
        assert view.original and view.match_at is None
        raw = [match.row for match in view._matches]
        assert len(raw) >= laid_out and raw == sorted(raw)
        assert f": {len(raw)} matches" in title(app)  # (the query cut beside "RAW: ...")
        paragraphs = [match.paragraph for match in view._matches]
        first = paragraphs.index(view.current)  # n starts in the current paragraph, ¶4
        assert first > 0  # (the subject and the header, above it, match too)
        for k in (first, first + 1):
            await pilot.press("n")
            await pilot.pause()
            assert view.match_at == k and f"match {k + 1} of {len(raw)}" in title(app)
            assert int(view.scroll_y) <= raw[k] < int(view.scroll_y) + view.size.height
            assert shown_match(app).lower() in ("calderon", "merida")
            assert view.paragraph.number == 4  # the paragraph the match is in
        await pilot.press("slash", *"cartel", "enter")
        await pilot.pause()
        assert view.original and app.return_code is None
        assert view.match_at is not None and shown_match(app).lower() == "cartel"
        assert f"match {view.match_at + 1} of {len(view._matches)}" in title(app)
        await pilot.press("o")  # back to the paragraphs: the find stays, counted again
        await pilot.pause()
        assert not view.original and view._matches and view.match_at is None
