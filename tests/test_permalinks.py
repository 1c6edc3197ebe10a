import pytest

from cables.model import Cable, Paragraph
from cables.permalinks import PermalinkRefused, Permalinks, parse_ref


def _cable(**kw) -> Cable:
    return Cable(reference_id="09MEXICO1055", created="2009-04-14T16:11", **kw)


def test_default_links() -> None:
    links = Permalinks()
    cable = _cable()
    par = Paragraph(3, "par3", "(SBU)", None, "text")
    assert links.cable(cable) == "https://wikileaks.org/cable/2009/04/09MEXICO1055.html"
    assert links.paragraph(cable, par) == (
        "https://wikileaks.org/cable/2009/04/09MEXICO1055.html#par3"
    )


def test_synthetic_refused() -> None:
    with pytest.raises(PermalinkRefused, match="synthetic"):
        Permalinks().cable(_cable(synthetic=True))


def test_unnumbered_paragraph_refused() -> None:
    with pytest.raises(PermalinkRefused, match="no number"):
        Permalinks().paragraph(_cable(), Paragraph(None, None, None, None, "x"))


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
