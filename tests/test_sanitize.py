from cables.sanitize import clean, clean_line


def test_escape_and_osc_removed() -> None:
    evil = "a\x1b]52;c;ZXZpbA==\x07b\x1b[31mc\x9bd\r\ne"
    out = clean(evil)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out.endswith("d\ne")


def test_clean_line_folds_whitespace() -> None:
    assert clean_line(" A\n B\tC ") == "A B C"
