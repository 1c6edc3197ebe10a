"""The cable view's state is three reactives (current paragraph, find query, raw mode): setting
one, and nothing else, brings everything that shows it up to date, under Pilot on real cables."""

from __future__ import annotations

from test_tui_app import footer, running
from textual.widgets import Label

from cables.library import Library
from tui.app import view_title
from tui.navigation import Find
from tui.widgets.cable_view import CableView
from tui.widgets.level_strip import LevelStrip


def title(app) -> str:
    return app.query_one("#view-title", Label).render().plain


def gutter(view: CableView, index: int) -> str:
    """The marks before paragraph `index`'s first line (scrolled into view if need be)."""
    start, _ = view._spans[index]
    return view.render_line(start - int(view.scroll_y)).text[:1]


def highlighted(view: CableView) -> list[str]:
    """The words drawn in the find style, over the whole laid-out cable."""
    style = view.get_component_rich_style("cable-view--find", partial=True)
    out = []
    for line in view._lines:
        text = line.text
        out += [text.plain[s.start : s.end] for s in text.spans if s.style == style]
    return out


async def test_setting_the_current_paragraph_moves_the_mark_the_footer_and_the_strip(
    fixtures_library,
):
    async with running(fixtures_library, open_ref="08STATE116943") as (app, pilot):
        view = app.view
        assert view.current == 0
        view.current = 9
        await pilot.pause()
        assert view.paragraph is view.cable.paragraphs[9]
        assert footer(app).endswith(f"¶ {view.paragraph.number}/50 (SBU)")
        strip = app.query_one(LevelStrip)
        assert [here for _, here in strip.rows(50)].index(True) == 9
        view.scroll_to(y=view._spans[9][0], animate=False)  # bring it on screen to look
        await pilot.pause()
        assert gutter(view, 9) == "▶"
        view.current = 999  # brought within the cable
        assert view.current == len(view.cable.paragraphs) - 1
        view.current = -3
        assert view.current == 0
        await pilot.pause()
        assert app.history.current is not None and app.history.current.index == 0


async def test_setting_the_find_query_highlights_and_titles_and_clearing_it_undoes_both(
    fixtures_library,
):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        view = app.view
        view.find_query = Find("data")
        await pilot.pause()
        count = sum(p.text.lower().count("data") for p in view.cable.paragraphs)
        assert [w.lower() for w in highlighted(view)] == ["data"] * count
        assert f"/data: {count} matches" in title(app)  # found, none shown yet
        view.focus()
        await pilot.press("n")  # the first match from the current paragraph on
        assert view.match_at == 0 and f"/data: match 1 of {count}" in title(app)
        view.find_query = Find.of_words([("privacy", False)])
        await pilot.pause()
        assert {w.lower() for w in highlighted(view)} == {"privacy"}
        assert view.match_at is None and "/privacy:" in title(app)
        view.find_query = Find()
        await pilot.pause()
        assert highlighted(view) == [] and "/" not in title(app) and view.find_status is None


async def test_setting_raw_mode_shows_the_text_as_published_where_the_reader_is(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167", size=(80, 24)) as (app, pilot):
        view = app.view
        view.current = 4
        view.original = True
        await pilot.pause()
        assert "RAW" in title(app)
        assert view.visible_text().startswith("VZCZCXRO0245\nRR RUEHAG")
        shown = " ".join(view.render_line(y).text for y in range(4))
        first_words = " ".join(view.cable.paragraphs[4].text.split()[:3])
        assert first_words in " ".join(shown.split()) and view.scroll_y > 0
        view.original = False
        await pilot.pause()
        assert "RAW" not in title(app) and view.current == 4
        assert view.visible_text().startswith("DATA PRIVACY TRUMPS SECURITY")
        assert gutter(view, 4) == "▶"


async def test_opening_a_cable_resets_all_three(fixtures_library):
    async with running(fixtures_library, open_ref="09BERLIN1167") as (app, pilot):
        view = app.view
        view.current = 5
        view.find_query = Find("data")
        view.original = True
        app.open_cable("09MEXICO1055")
        await pilot.pause()
        assert (view.current, view.find_query, view.original) == (0, Find(), False)
        assert view.visible_text().startswith(view.cable.subject.split()[0])
        assert "RAW" not in title(app) and "/" not in title(app)


def test_the_title_shortens_a_long_find_query_never_its_count(fixtures_library):
    with Library.open(fixtures_library) as library:
        cable = library.get("09MEXICO1055")
    find = ("calderon merida initiative", "match 10 of 29")
    full = view_title(cable, "Summary", find=find).plain
    assert full == "09MEXICO1055  /calderon merida initiative: match 10 of 29  § Summary"
    short = view_title(cable, "Summary", find=find, width=45).plain
    assert short[:45] == "09MEXICO1055  /calderon meri…: match 10 of 29"  # the section after
    raw = view_title(cable, "Summary", raw=True, find=("data", "no match")).plain
    assert raw.startswith("09MEXICO1055  RAW") and raw.endswith("/data: no match")
