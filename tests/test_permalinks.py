import pytest

from cables.permalinks import PermalinkRefused, Permalinks, parse_ref

REF, CREATED = "09MEXICO1055", "2009-04-14T16:11"


def test_default_links() -> None:
    links = Permalinks()
    assert links.link(REF, CREATED) == "https://wikileaks.org/cable/2009/04/09MEXICO1055.html"
    assert links.link(REF, CREATED, "par3") == (
        "https://wikileaks.org/cable/2009/04/09MEXICO1055.html#par3"
    )
    assert links.paragraph_link(REF, CREATED, "par3") == links.link(REF, CREATED, "par3")


def test_configured_templates_take_every_placeholder() -> None:
    links = Permalinks("https://m.example/{year}-{month}/{ref}", "https://m.example/{ref}/{anchor}")
    assert links.link(REF, CREATED) == "https://m.example/2009-04/09MEXICO1055"
    assert links.link(REF, CREATED, "par12") == "https://m.example/09MEXICO1055/par12"


def test_synthetic_refused() -> None:
    with pytest.raises(PermalinkRefused, match="synthetic"):
        Permalinks().link(REF, CREATED, synthetic=True)
    with pytest.raises(PermalinkRefused, match="synthetic"):
        Permalinks().link(REF, CREATED, "par3", synthetic=True)


def test_undated_refused() -> None:
    with pytest.raises(PermalinkRefused, match="no creation date"):
        Permalinks().link(REF, None)


def test_unnumbered_paragraph_refused() -> None:
    with pytest.raises(PermalinkRefused, match="no number"):
        Permalinks().paragraph_link(REF, CREATED, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09mexico1055", ("09MEXICO1055", None)),
        ("09MEXICO1055#par3", ("09MEXICO1055", "par3")),
        ("https://wikileaks.org/cable/2009/04/09MEXICO1055.html#par3", ("09MEXICO1055", "par3")),
        ("https://wikileaks.org/plusd/cables/09MEXICO1055_a.html", ("09MEXICO1055", None)),
        ("http://cablegatesearch.example/cable/2009/04/09MEXICO1055.html", ("09MEXICO1055", None)),
        ("7575LIBREVILLE1895", ("7575LIBREVILLE1895", None)),
    ],
)
def test_parse_ref(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_ref(text) == expected


def test_parse_ref_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a reference id"):
        parse_ref("hello world")
