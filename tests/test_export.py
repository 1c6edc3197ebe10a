"""The output forms in `cables.export`, on cables built in the test (the commands that print
them are tested on real cables in test_library_commands and test_state)."""

from __future__ import annotations

from cables.export import cable_json, cable_link, cable_markdown, paragraph_citation
from cables.model import Cable, Paragraph
from cables.permalinks import Permalinks

LINK = "https://wikileaks.org/cable/2009/04/09MEXICO1055.html"


def cable(**kw) -> Cable:
    paragraphs = [
        Paragraph(1, "par1", "(U)", None, "First.\nSecond line \x1b[31mred\x1b[0m."),
        Paragraph(None, None, None, None, "Unnumbered closing words."),
    ]
    return Cable("09MEXICO1055", created="2009-04-14T16:11", paragraphs=paragraphs, **kw)


def test_links_are_given_or_none_never_an_exception():
    links = Permalinks()
    real = cable()
    assert cable_link(links, real) == LINK
    assert cable_link(links, real, real.paragraphs[0]) == f"{LINK}#par1"
    assert cable_link(links, real, real.paragraphs[1]) is None  # no number, no anchor
    assert cable_link(links, cable(synthetic=True)) is None


def test_json_links_follow_the_templates_and_spare_synthetic_cables():
    document = cable_json(cable(), Permalinks())
    assert document["permalink"] == LINK
    assert [p["permalink"] for p in document["paragraphs"]] == [f"{LINK}#par1", None]
    assert cable_json(cable()) == {**document, "permalink": None} | {
        "paragraphs": [{**p, "permalink": None} for p in document["paragraphs"]]
    }
    synthetic = cable_json(cable(synthetic=True), Permalinks())
    assert synthetic["synthetic"] is True and synthetic["permalink"] is None


def test_paragraph_citation_quotes_cleaned_text_and_names_its_source():
    real = cable()
    context = "2009-04-14, origin unknown, classification unknown"
    assert paragraph_citation(real, 0, f"{LINK}#par1") == (
        f"> First.\n> Second line [31mred[0m.\n>\n> — [09MEXICO1055 ¶1]({LINK}#par1), {context}\n"
    )  # no ESC
    assert paragraph_citation(real, 1, None, "09MEXICO1055 ¶– (2nd of 2)") == (
        "> Unnumbered closing words.\n>\n"
        f"> — 09MEXICO1055 ¶– (2nd of 2) (no permalink), {context}\n"
    )
    synthetic = paragraph_citation(cable(synthetic=True), 0, None)
    assert "09MEXICO1055 ¶1 (synthetic cable: generated text, no permalink)" in synthetic


def test_markdown_links_numbered_paragraphs_only():
    text = cable_markdown(cable(), Permalinks(), cited_by=["10STATE1"])
    assert f"- **Permalink:** <{LINK}>" in text
    assert f"**[¶1]({LINK}#par1)** (U) First." in text
    assert "**¶** Unnumbered closing words." in text
    assert "- **Cited by:** 10STATE1" in text
