"""Back/forward history, without Textual (the app's use of it: test_tui_app)."""

from __future__ import annotations

import pytest

from cables.history import History, Place


def test_back_and_forward_walk_the_places_visited():
    history = History()
    assert (history.current, history.back(), history.forward()) == (None, None, None)
    for ref in ("A", "B", "C"):
        history.visit(Place(ref))
    assert history.back() == Place("B")
    assert history.back() == Place("A")
    assert history.back() is None and history.current == Place("A")  # stays at the oldest
    assert history.forward() == Place("B")
    assert history.forward() == Place("C")
    assert history.forward() is None and history.current == Place("C")


def test_visiting_after_going_back_forgets_what_was_forward():
    history = History()
    for ref in ("A", "B", "C"):
        history.visit(Place(ref))
    history.back()
    history.back()
    history.visit(Place("D"))
    assert len(history) == 2
    assert history.forward() is None
    assert history.back() == Place("A")


def test_moving_within_the_current_cable_is_remembered():
    history = History()
    history.visit(Place("A", anchor="par3", index=2))
    history.moved("A", 7)
    history.moved("B", 1)  # another cable's move (not the current one) changes nothing
    history.visit(Place("B"))
    assert history.back() == Place("A", index=7)


def test_bounded_the_oldest_fall_off():
    history = History(limit=3)
    for ref in "ABCDE":
        history.visit(Place(ref))
    assert len(history) == 3
    assert [history.back(), history.back(), history.back()] == [Place("D"), Place("C"), None]
    with pytest.raises(ValueError):
        History(limit=0)
