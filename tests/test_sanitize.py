from cables.sanitize import _CONTROL, clean, clean_line


def test_escape_and_osc_removed() -> None:
    evil = "a\x1b]52;c;ZXZpbA==\x07b\x1b[31mc\x9bd\r\ne"
    out = clean(evil)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out.endswith("d\ne")


def test_clean_line_folds_whitespace() -> None:
    assert clean_line(" A\n B\tC ") == "A B C"


def test_clean_drops_the_same_characters_in_ascii_text_and_in_any_other() -> None:
    # ASCII text takes a faster path than the pattern: both must drop exactly the same ones.
    every = "".join(chr(c) for c in range(0x3000))
    for text in (every[:128], every):
        assert clean(text) == _CONTROL.sub("", text.replace("\r", "\n"))
    assert clean("plain\ttext\n") == "plain\ttext\n"
