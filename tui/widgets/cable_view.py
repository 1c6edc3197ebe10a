"""The cable view: header, then every paragraph with its number, marking and level colour.

A line-API widget: the cable is wrapped once per width into lines, and only the lines on
screen are drawn, so a 60 KB cable opens as fast as a short one. Each paragraph line has a
gutter bar in its level colour and the first line carries the marking label as text, so colour
is never the only signal; the current paragraph is marked `▶` as well as highlighted.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple
from urllib.parse import urlsplit

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cables.keymap import Scope
from cables.model import Cable, Level, Paragraph
from cables.sanitize import clean, clean_line
from tui import navigation
from tui.keys import bindings, key_hint
from tui.navigation import Find, Word
from tui.widgets.footer import marking_label
from tui.widgets.levels import LevelStyles
from tui.widgets.wrap import line_spans

GUTTER = 3  # level bar (`▶` on the current paragraph), bookmark mark, space
BOOKMARK_MARK = "•"
STRIP_CACHE_LINES = 1000


class _Match(NamedTuple):
    """One find match: its paragraph, the laid-out line it starts on, and the cells it covers
    on that line (from the text's first cell, after the gutter)."""

    paragraph: int
    row: int
    start: int
    end: int


@dataclass(slots=True)
class _Line:
    """One laid-out line: its paragraph (None for header lines) and where it is in `source`."""

    paragraph: int | None
    first: bool
    source: Text
    start: int
    end: int

    @property
    def text(self) -> Text:
        if self.start == 0 and self.end == len(self.source):
            line = self.source.copy()
        else:
            line = self.source[self.start : self.end]
        line.rstrip()
        line.end = ""
        return line


def _raw_text(cable: Cable) -> str:
    """What the raw view shows: the header as published, a blank line, the body."""
    return (clean(cable.header) + "\n\n" if cable.header else "") + clean(cable.body)


def _matches_in(
    plain: str, wrapped: list[tuple[int, int]], find: re.Pattern[str], paragraph: int, first: int
) -> list[_Match]:
    """Each match of `find` in a text wrapped as `wrapped` from row `first`: the row it starts
    on and the cells it covers there."""
    found = []
    for match in find.finditer(plain):
        row = next(
            (k for k, (_, end) in enumerate(wrapped) if match.start() < end), len(wrapped) - 1
        )
        start, end = wrapped[row]
        cells = cell_len(plain[start : match.start()])
        covered = cell_len(plain[match.start() : min(match.end(), end)])
        found.append(_Match(paragraph, first + row, cells, cells + covered))
    return found


class CableView(ScrollView, can_focus=True):
    """Shows one cable; keeps the current paragraph and moves it from the keyboard.

    The reader's state is three reactives: setting one is the only way to change it, and its
    watcher lays out, redraws and tells the app (`Moved`). `show` sets them for a new cable
    without their watchers, and lays the cable out once.
    """

    current: var[int] = var(0, init=False)
    """The paragraph the reader is on (index into the cable's paragraphs)."""
    find_query: var[Find] = var(Find(), init=False)
    """What is highlighted and n/N go through."""
    original: var[bool] = var(False, init=False)
    """Whether the text as published is shown instead of the paragraphs."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.CABLE)

    # A new cable's length sets the scrollbar, not the layout (a layout pass of the whole
    # screen took 8-15 ms of opening a cable at 251k): the vertical scrollbar is always there
    # and the lines are wrapped to the width (see cables.tcss), so no other widget moves.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cable-view--current",
        "cable-view--heading",
        "cable-view--find",
        "cable-view--find-current",
        "cable-view--synthetic",
    }

    class Moved(Message):
        """The open cable or its current paragraph changed."""

        def __init__(self, cable: Cable | None, index: int) -> None:
            super().__init__()
            self.cable = cable
            self.index = index

    class PastLastMatch(Message):
        """n/N found no further match of a full-text hit's words in this cable."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    def __init__(
        self, styles: LevelStyles, keymap: dict[str, str] | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.levels = styles
        self.keymap = keymap or {}  # the user's, for hints that name keys
        self.cable: Cable | None = None
        self.last_query = ""  # what `/` offers again, across cables
        self.match_at: int | None = None  # index into _matches of the match shown
        self._matches: list[_Match] = []
        self._raw_rows: list[int] = []  # raw view: per line of the text, its first laid-out row
        self.target_level: Level | None = None
        self._lines: list[_Line] = []
        self._spans: list[tuple[int, int]] = []  # per paragraph: first line, end line
        self._starts: list[int] = []  # per paragraph: first line (sorted, for bisecting)
        self._leads: list[int] = []  # per paragraph: its section heading's line, else its first
        self.bookmarked: frozenset[int] = frozenset()  # paragraph indices bookmarked
        self.message: list[str] = []  # shown while no cable is open
        self._held = False  # True while the view scrolls itself to show `current`
        self._laid_out_width = -1
        # Rendered lines by number, bounded: scrolling a 60 KB cable end to end keeps a few
        # screens' worth, not every line.
        self._strips: LRUCache[int, Strip] = LRUCache(STRIP_CACHE_LINES)
        self._base_style = Style()
        self._current_style = Style()
        self._match_style = Style()

    # -- showing -------------------------------------------------------------------------

    def show(self, cable: Cable, index: int = 0) -> None:
        """Open `cable` at paragraph `index`."""
        self.cable = cable
        self.message = []
        self._reset(self.validate_current(index))
        self.target_level = None
        self._held = True  # the scroll below is ours: the current paragraph stays
        if self.scrollable_content_region.width:
            self._relayout()
        else:  # no size yet (the start's cable): laid out once, at its width, by its first paint
            self._lines, self._spans, self._leads, self._starts = [], [], [], []
            self._laid_out_width = -1
        self.scroll_to(x=0, y=0, animate=False)
        self._held = False
        self._reveal()
        self._moved()

    def show_message(self, lines: list[str]) -> None:
        """No cable: show `lines` (plain text) instead, e.g. how to fill an empty library."""
        self.cable = None
        self.message = lines
        self._reset(0)
        self._relayout()
        self._moved()

    def _reset(self, current: int) -> None:
        """A new cable (or none): no find, no raw text, paragraph `current`. Set without the
        watchers: the caller lays the new text out once and says it moved."""
        self.set_reactive(CableView.original, False)
        self.set_reactive(CableView.find_query, Find())
        self.set_reactive(CableView.current, current)
        self.match_at = None

    def validate_current(self, index: int) -> int:
        """Any index is brought within the cable's paragraphs."""
        count = len(self.cable.paragraphs) if self.cable is not None else 0
        return max(0, min(index, count - 1))

    def watch_current(self) -> None:
        """The highlight and the `▶` move with it; the footer and strip follow (`Moved`)."""
        self.refresh()
        self._moved()

    def watch_find_query(self) -> None:
        """Highlight the new find's matches (a new layout); none of them is shown yet."""
        self.match_at = None
        self._relayout()
        self._moved()  # the title's find status

    def validate_original(self, original: bool) -> bool:
        """Raw mode needs a cable: with none, the message stays as it is."""
        return original and self.cable is not None

    def watch_original(self, original: bool) -> None:
        """Lay out the text as published (or the paragraphs again) where the reader is; the
        find's matches are counted again in the new text, none of them shown yet."""
        self._held = True
        self.match_at = None
        self._relayout()
        if original:
            self.scroll_to(x=0, y=max(0, self._raw_row_of(self.current) - 1), animate=False)
        elif self._leads:
            self.scroll_to(x=0, y=max(0, self._leads[self.current] - 1), animate=False)
        self._held = False
        self._moved()

    def restyle(self) -> None:
        """Lay out again with the level styles as they are now (the theme changed)."""
        self._relayout()

    def index_of_anchor(self, anchor: str) -> int | None:
        if self.cable is None:
            return None
        return next((i for i, p in enumerate(self.cable.paragraphs) if p.anchor == anchor), None)

    @property
    def paragraph(self) -> Paragraph | None:
        if self.cable is None or not self.cable.paragraphs:
            return None
        return self.cable.paragraphs[self.current]

    def move_to(self, index: int) -> None:
        """Make paragraph `index` current and bring it on screen."""
        if self.cable is None or not self.cable.paragraphs:
            return
        self.current = index
        self._reveal()

    def set_bookmarked(self, indices: frozenset[int]) -> None:
        """Mark these paragraphs of the open cable as bookmarked (a dot in the gutter)."""
        if indices != self.bookmarked:
            self.bookmarked = indices
            self._strips.clear()
            self.refresh()

    @property
    def section(self) -> str | None:
        """The heading of the section the current paragraph is in."""
        paragraph = self.paragraph
        return paragraph.section if paragraph is not None else None

    def _moved(self) -> None:
        self.post_message(self.Moved(self.cable, self.current))

    def _reveal(self) -> None:
        if not self._spans or self.original:
            return
        start, end = self._spans[self.current]
        lead = self._leads[self.current]
        height = self.scrollable_content_region.height
        if not height:  # not laid out yet: on_resize reveals it
            return
        top = int(self.scroll_y)
        # Scroll when the paragraph (or its section heading) starts off screen, or runs off the
        # bottom from low down (a long first paragraph leaves the cable's header in view).
        if (
            lead < top
            or start >= top + height
            or (end > top + height and start - top > height // 2)
        ):
            self.scroll_to(y=max(0, lead - 1 if lead == start else lead), animate=False)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._follow_scroll()

    def _follow_scroll(self, *, paged: bool = False) -> None:
        """Keep the current paragraph on screen however the text was scrolled (see
        `navigation.follow`)."""
        height = self.scrollable_content_region.height
        if self.original or self._held or not self._spans or not height:
            return
        self.current = navigation.follow(
            self._spans, self.current, int(self.scroll_y), height, paged=paged
        )

    def on_click(self, event: Click) -> None:
        """A click on a paragraph makes it current."""
        number = int(self.scroll_y) + event.y
        if self.original or not 0 <= number < len(self._lines):
            return
        paragraph = self._lines[number].paragraph
        if paragraph is not None:
            self.current = paragraph

    # -- layout --------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._laid_out_width:
            self._relayout()
        self._reveal()

    def _relayout(self, *, repaint: bool = True) -> None:
        width = self.scrollable_content_region.width or self.app.size.width
        self._laid_out_width = width
        self._strips.clear()
        if self.cable is None:
            self._lines, self._spans, self._leads = self._message_lines(width), [], []
        elif self.original:
            self._lines, self._raw_rows = self._original_lines(self.cable, max(10, width))
            self._spans, self._leads = [], []
        else:
            self._lines, self._spans, self._leads = self._layout(
                self.cable, max(10, width - GUTTER)
            )
        self._starts = [start for start, _ in self._spans]
        held, self._held = self._held, True  # a shorter text may scroll up: not the reader
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            self.set_reactive(CableView.virtual_size, size)
            self._scroll_update(size)  # the scrollbar and the scroll's bounds, as a layout would
        self._held = held
        if repaint:
            self.refresh()

    def _layout(
        self, cable: Cable, width: int
    ) -> tuple[list[_Line], list[tuple[int, int]], list[int]]:
        lines: list[_Line] = []

        def add(text: Text, paragraph: int | None = None) -> list[tuple[int, int]]:
            spans = line_spans(text.plain, width)
            for i, (start, end) in enumerate(spans):
                lines.append(_Line(paragraph, i == 0, text, start, end))
            return spans

        heading = self.get_component_rich_style("cable-view--heading", partial=True)
        if cable.synthetic:
            add(
                Text(
                    "SYNTHETIC CABLE: generated text under a real cable id, not that cable's"
                    " words; no permalinks",
                    style=self.get_component_rich_style("cable-view--synthetic", partial=True),
                )
            )
        add(Text(clean_line(cable.subject or "(no subject)"), style=Style(bold=True)))
        if cable.tags:
            add(Text("TAGS: " + clean_line(" ".join(cable.tags)), style=Style(dim=True)))
        if cable.articles:
            outlets = ", ".join(
                dict.fromkeys(
                    (urlsplit(url).hostname or url).removeprefix("www.") for url in cable.articles
                )
            )
            count = len(cable.articles)
            add(
                Text(
                    f"Appears in {count} press article{'s' * (count != 1)}: "
                    f"{clean_line(outlets)} (a lists them, to copy a link)",
                    style=Style(italic=True),
                )
            )
        if cable.ref_text or cable.references:
            refs = clean(cable.ref_text or " ".join(cable.references)).strip()
            label = "" if refs[:3].upper() == "REF" else "REF: "
            add(Text(label + refs, style=Style(dim=True)))
        add(Text(""))
        spans: list[tuple[int, int]] = []
        leads: list[int] = []
        section: str | None = None
        find = self.find_query.pattern()
        find_style = self.get_component_rich_style("cable-view--find", partial=True)
        self._matches = []
        for i, paragraph in enumerate(cable.paragraphs):
            lead = len(lines)
            if paragraph.section and paragraph.section != section:
                add(Text(clean_line(paragraph.section), style=heading))
                add(Text("─" * min(width, cell_len(clean_line(paragraph.section))), style=heading))
            section = paragraph.section
            start = len(lines)
            text = self._paragraph_text(paragraph, find, find_style)
            wrapped = add(text, i)
            if find is not None:
                self._matches += _matches_in(text.plain, wrapped, find, i, start)
            spans.append((start, len(lines)))
            leads.append(lead)
            add(Text(""))
        return lines, spans, leads

    def _paragraph_text(
        self, paragraph: Paragraph, find: re.Pattern[str] | None, find_style: Style
    ) -> Text:
        text = Text()
        if paragraph.number is not None:
            text.append(f"{paragraph.number}. ", style=Style(bold=True))
        text.append(marking_label(paragraph), style=self.levels.chip(paragraph.level))
        text.append(" ")
        text.append(clean(paragraph.text).strip())
        if find is not None:
            text.highlight_regex(find, find_style)
        return text

    def _original_lines(self, cable: Cable, width: int) -> tuple[list[_Line], list[int]]:
        """The text as published, long lines wrapped, the find's matches highlighted (each
        counted in the paragraph that starts above it); with each raw line's first row."""
        raw = _raw_text(cable)
        find = self.find_query.pattern()
        find_style = self.get_component_rich_style("cable-view--find", partial=True)
        starts = self._paragraph_lines(raw) if find is not None else []
        self._matches = []
        lines: list[_Line] = []
        rows: list[int] = []
        for number, line in enumerate(raw.split("\n")):
            rows.append(len(lines))
            text = Text(line.expandtabs(), end="")
            wrapped = line_spans(text.plain, width) or [(0, 0)]
            if find is not None:
                text.highlight_regex(find, find_style)
                paragraph = max(0, bisect_right(starts, number) - 1)
                self._matches += _matches_in(text.plain, wrapped, find, paragraph, len(lines))
            for start, end in wrapped:
                lines.append(_Line(None, False, text, start, end))
        return lines, rows

    def _paragraph_lines(self, raw: str) -> list[int]:
        """The raw line each paragraph starts on, in order (one not found: the one before's)."""
        lines: list[int] = []
        for index in range(len(self.cable.paragraphs) if self.cable is not None else 0):
            found = self._raw_line_of(index, raw)
            lines.append(max(found if found is not None else 0, lines[-1] if lines else 0))
        return lines

    def _message_lines(self, width: int) -> list[_Line]:
        lines = []
        for line in self.message:
            text = Text(line, end="")
            for start, end in line_spans(line, max(10, width - GUTTER)) or [(0, 0)]:
                lines.append(_Line(None, False, text, start, end))
        return lines

    def _nothing_yet(self) -> bool:
        """With no cable open, say so (`/` and `:` have nothing to search) and return True."""
        if self.cable is not None:
            return False
        why = "this library has no cables" if self.message else "no cable is open"
        self.notify(f"Nothing to search yet: {why}", severity="warning", markup=False)
        return True

    def _raw_row_of(self, index: int) -> int:
        """The raw view's row where paragraph `index` starts."""
        if self.cable is None or not self.cable.paragraphs:
            return 0
        line = self._raw_line_of(index, _raw_text(self.cable))
        return self._raw_rows[line] if line is not None and line < len(self._raw_rows) else 0

    def _raw_line_of(self, index: int, raw: str) -> int | None:
        """The raw line where paragraph `index` starts, found by its first words."""
        assert self.cable is not None
        words = re.findall(r"\w+", clean(self.cable.paragraphs[index].text))[:8]
        found = re.search(r"\W+".join(map(re.escape, words)), raw) if words else None
        return None if found is None else raw.count("\n", 0, found.start())

    # -- drawing -------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.scrollable_content_region.width != self._laid_out_width:
            # Sized anew by the layout drawing this frame: laid out for it now, not on the
            # resize event after it (a second frame: the first frame's, at 251k, while loading).
            self._relayout(repaint=False)
        # Styles looked up once per paint, not per line (each lookup walks the DOM).
        self._base_style = self.rich_style
        self._current_style = self.get_component_rich_style("cable-view--current")
        self._match_style = self.get_component_rich_style("cable-view--find-current")
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        number = int(self.scroll_y) + y
        base = self._base_style
        if number >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[number]
        strip = self._strips.get(number)
        if strip is None:
            strip = Strip(list(line.text.render(self.app.console)))
            self._strips.set(number, strip)
        shown = self._matches[self.match_at] if self.match_at is not None else None
        if self.original:
            strip = strip.crop_extend(0, width, None)
            if shown is not None and shown.row == number:
                strip = self._mark_match(strip, shown, 0)
            return strip.apply_style(base)
        gutter = self._gutter(line)
        strip = Strip.join([gutter, strip]).crop_extend(0, width, None)
        if shown is not None and shown.row == number:
            strip = self._mark_match(strip, shown, GUTTER)
        if line.paragraph is not None and line.paragraph == self.current:
            strip = strip.apply_style(self._current_style)
        return strip.apply_style(base)

    def _mark_match(self, strip: Strip, match: _Match, gutter: int) -> Strip:
        """The match n/N went to stands out from the other matches (several share a line)."""
        head, text, tail = strip.divide(
            [gutter + match.start, gutter + match.end, strip.cell_length]
        )
        marked = Strip([Segment(part, self._match_style) for part, _, _ in text], text.cell_length)
        return Strip.join([head, marked, tail])

    def _gutter(self, line: _Line) -> Strip:
        if line.paragraph is None or self.cable is None:
            return Strip([Segment(" " * GUTTER)], GUTTER)
        level = self.cable.paragraphs[line.paragraph].level
        mark = "▶" if line.first and line.paragraph == self.current else "▌"
        saved = BOOKMARK_MARK if line.first and line.paragraph in self.bookmarked else " "
        style = self.levels.fg(level)
        return Strip([Segment(mark, style), Segment(saved, style), Segment(" ")], GUTTER)

    def visible_text(self) -> str:
        """The plain text of the laid-out cable (tests and the benchmark read it)."""
        return "\n".join(line.text.plain for line in self._lines)

    # -- actions -------------------------------------------------------------------------

    def action_next_paragraph(self) -> None:
        if self.original:  # the raw view moves by lines
            self.scroll_to(y=self.scroll_y + 1, animate=False)
        else:
            self.move_to(self.current + 1)

    def action_prev_paragraph(self) -> None:
        if self.original:
            self.scroll_to(y=self.scroll_y - 1, animate=False)
        else:
            self.move_to(self.current - 1)

    def action_first_paragraph(self) -> None:
        self.move_to(0)
        self.scroll_to(y=0, animate=False)  # and the cable's header with it

    def action_last_paragraph(self) -> None:
        if self.cable is not None:
            self.move_to(len(self.cable.paragraphs) - 1)

    def action_page_down(self) -> None:
        self._page(1.0)

    def action_page_up(self) -> None:
        self._page(-1.0)

    def action_half_page_down(self) -> None:
        self._page(0.5)

    def action_half_page_up(self) -> None:
        self._page(-0.5)

    def _page(self, pages: float) -> None:
        """Scroll by (part of) a page as less does; the current paragraph follows the text.

        At either end, where the text cannot scroll, the last (or first) paragraph is made current.
        """
        if self.cable is None:
            return
        height = self.scrollable_content_region.height
        step = max(1, int(height * abs(pages)) - (1 if abs(pages) >= 1 else 0))
        target = int(self.scroll_y) + (step if pages > 0 else -step)
        target = max(0, min(target, int(self.max_scroll_y)))
        if target == int(self.scroll_y):
            if self.original:
                return
            self.move_to(len(self.cable.paragraphs) - 1 if pages > 0 else 0)
            return
        self.scroll_to(y=target, animate=False)
        self._follow_scroll(paged=True)

    def goto_number(self, value: str) -> bool:
        """Go to the paragraph numbered `value`, else the Nth; False if there is none."""
        if self.cable is None:
            return False
        target = navigation.number_target(self.cable.paragraphs, value)
        if target is None:
            return False
        self.move_to(target)
        return True

    def action_goto_paragraph(self) -> None:
        from tui.screens.prompt import PromptScreen

        if self._nothing_yet():
            return

        def done(value: str | None) -> None:
            if value and not self.goto_number(value):
                self.notify(f"No paragraph {value}", severity="warning", markup=False)

        self.app.push_screen(PromptScreen("Go to paragraph", ":", numbers=True), done)

    def _section_starts(self) -> list[int]:
        return navigation.section_starts(self.cable.paragraphs) if self.cable else []

    def action_next_section(self) -> None:
        self._jump(self._section_starts(), 1, "section")

    def action_prev_section(self) -> None:
        self._jump(self._section_starts(), -1, "section")

    def _jump(self, candidates: list[int], direction: int, what: str) -> None:
        target = navigation.jump_target(candidates, self.current, direction)
        if target is None:
            where = "after" if direction > 0 else "before"
            self.notify(f"No {what} {where} this paragraph", severity="warning", markup=False)
            return
        self.move_to(target)

    def _level(self) -> Level:
        """The level `<` and `>` jump to: the chosen one, else the cable's highest."""
        if self.target_level is not None:
            return self.target_level
        assert self.cable is not None
        return navigation.highest_level(self.cable.paragraphs)

    def _level_hits(self) -> list[int]:
        if self.cable is None:
            return []
        return navigation.level_hits(self.cable.paragraphs, self._level())

    def action_next_level(self) -> None:
        if self.cable is not None:
            self._jump(self._level_hits(), 1, f"{self._level().label} paragraph")

    def action_prev_level(self) -> None:
        if self.cable is not None:
            self._jump(self._level_hits(), -1, f"{self._level().label} paragraph")

    def action_choose_level(self) -> None:
        from tui.screens.picker import PickerScreen

        def done(value: str | None) -> None:
            if value:
                self.target_level = Level(value)
                keys = (key_hint("prev_level", self.keymap), key_hint("next_level", self.keymap))
                self.notify(
                    f"{keys[0]} and {keys[1]} now jump to {self.target_level.label} paragraphs",
                    markup=False,
                )

        choices = [(level.value, f"{level.label}") for level in Level]
        self.app.push_screen(PickerScreen("Jump between paragraphs of level", choices), done)

    def find_words(self, words: Iterable[Word], *, last: bool = False) -> None:
        """Highlight the words of a full-text hit (word, is prefix) wherever they occur and show
        the first match in the current paragraph (the hit's), or the cable's `last` match (N came
        back from the next hit); n/N then go match by match, and past the last one post
        `PastLastMatch`."""
        self.find_query = Find.of_words(words)
        paragraphs = [match.paragraph for match in self._matches]
        k = len(paragraphs) - 1 if last else navigation.first_match_in(paragraphs, self.current)
        if k is not None and k >= 0:
            self._show_match(k)

    def find_hits(self) -> list[int]:
        pattern = self.find_query.pattern()
        if pattern is None or self.cable is None:
            return []
        return [
            i
            for i, p in enumerate(self.cable.paragraphs)
            if pattern.search(p.text) or (p.marking and pattern.search(p.marking))
        ]

    def find(self, query: str) -> None:
        """Highlight `query` and show its first match at or after the current paragraph."""
        self.find_query = Find(query)
        if query:
            self.last_query = query
        if not self._matches:
            return
        start = self._raw_row_of(self.current) if self.original else self._spans[self.current][0]
        self._show_match(
            next((k for k, match in enumerate(self._matches) if match.row >= start), 0)
        )

    @property
    def find_status(self) -> str | None:
        """`/data: match 2 of 5`, `/data: no match`, or None with no find."""
        count = self.find_count
        return None if count is None else f"/{self.find_query.text}: {count}"

    @property
    def find_count(self) -> str | None:
        """`match 2 of 5`, `5 matches` (none shown yet), `no match`, or None with no find."""
        if not self.find_query.text:
            return None
        if not self._matches:
            return "no match"
        if self.match_at is None:
            return f"{len(self._matches)} matches"
        return f"match {self.match_at + 1} of {len(self._matches)}"

    def _show_match(self, k: int) -> None:
        """Bring match `k` on screen and make its paragraph current."""
        self.match_at = k
        paragraph, row = self._matches[k].paragraph, self._matches[k].row
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        if height and not top <= row < top + height:
            self.scroll_to(y=max(0, row - height // 3), animate=False)
        if paragraph == self.current:
            self._moved()  # the title's match number
        self.current = paragraph
        self.refresh()  # the match marked as the one shown

    def action_find(self) -> None:
        """`/`: find as you type; enter keeps it, escape puts back what was there."""
        from tui.screens.prompt import PromptScreen

        if self._nothing_yet():
            return
        before = (self.find_query, self.match_at, self.current, self.scroll_y)

        def done(value: str | None) -> None:
            if value is None:
                self.find_query, match_at, current, scroll_y = before
                self.match_at = match_at
                self.scroll_to(y=scroll_y, animate=False)
                self.current = current
                self._moved()  # the title's find status as it was

        self.app.push_screen(
            PromptScreen("Find in this cable", "/", value=self.last_query, on_change=self.find),
            done,
        )

    def action_find_next(self) -> None:
        self._find_step(1)

    def action_find_prev(self) -> None:
        self._find_step(-1)

    def _find_step(self, direction: int) -> None:
        find = self.find_query
        if not find.text:
            self.notify(
                f"Nothing to find yet: press {key_hint('find', self.keymap)} first",
                severity="warning",
                markup=False,
            )
            return
        if not self._matches:
            if find.from_hit:  # a full-text hit: on to the next cable
                self.post_message(self.PastLastMatch(direction))
                return
            self.notify(f"No match for {find.text!r}", severity="warning", markup=False)
            return
        paragraphs = [match.paragraph for match in self._matches]
        k, wrapped = navigation.step_match(paragraphs, self.match_at, self.current, direction)
        if wrapped:
            if find.from_hit:
                self.post_message(self.PastLastMatch(direction))
                return
            where = "first" if direction > 0 else "last"
            self.notify(f"Wrapped to the {where} match", markup=False, timeout=3)
        self._show_match(k)

    def action_toggle_original(self) -> None:
        """`o`: the text as published, opened where the current paragraph is, and back."""
        if self.cable is not None:
            self.original = not self.original
