"""Textual's key naming, written out so that a config can be checked without importing Textual.

A key is `[modifier+]...base`. Textual sorts the modifiers of the key events it sends
(`ctrl+shift+up`, never `shift+ctrl+up`), so a binding only fires if written that way: we
normalise the order rather than refuse it. The base is a letter or digit, a named key
(`enter`, `pageup`, `f1`-`f24` ...), or the Unicode name of a punctuation character in
Textual's form (`question_mark`, `slash`, `left_square_bracket` ...). A single punctuation
character alone (`?`) is turned into its name, as `App.set_keymap` does.
"""

from __future__ import annotations

import string
import unicodedata

MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")

# Textual renames a few Unicode names (keys.KEY_NAME_REPLACEMENTS).
_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}

NAMED_KEYS: frozenset[str] = frozenset(
    {
        "escape",
        "enter",
        "return",
        "tab",
        "space",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        "newline",
        *(f"f{n}" for n in range(1, 25)),
    }
)


def char_to_key(char: str) -> str:
    """The key name Textual gives a typed character (keys._character_to_key)."""
    if char.isalnum():
        return char
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return char
    return _REPLACEMENTS.get(name, name)


PUNCTUATION_KEYS: frozenset[str] = frozenset(char_to_key(c) for c in string.punctuation)


def normalise_key(key: str) -> str:
    """One key in Textual's canonical form; ValueError (saying what is wrong) if it is none."""
    key = key.strip()
    if len(key) == 1:
        if not key.isprintable() or key.isspace():
            raise ValueError(f"{key!r} is not a printable key")
        return char_to_key(key)
    *mods, base = key.split("+")
    if not base:
        raise ValueError(f"{key!r} ends with '+': write plus for the + key")
    for mod in mods:
        if mod not in MODIFIERS:
            raise ValueError(f"{mod!r} in {key!r} is not a modifier ({', '.join(MODIFIERS)})")
    if len(set(mods)) != len(mods):
        raise ValueError(f"{key!r} repeats a modifier")
    if len(base) == 1:
        if not base.isalnum():
            raise ValueError(f"{base!r} in {key!r}: name the key ({char_to_key(base)})")
        if mods and base.isupper():
            raise ValueError(f"{key!r}: write the letter in lower case with shift+")
    elif base not in NAMED_KEYS and base not in PUNCTUATION_KEYS:
        raise ValueError(
            f"{base!r} is not a key name (letters, digits, f1-f24, enter, tab, space, escape,"
            " up, pageup ..., or a character name such as question_mark or slash)"
        )
    return "+".join([*sorted(mods), base])


def normalise_keys(keys: str) -> str:
    """A comma-separated key list in canonical form; ValueError names the first bad key."""
    parts = [k for k in (k.strip() for k in keys.split(",")) if k]
    if not parts:
        raise ValueError("no key given")
    return ",".join(normalise_key(k) for k in parts)
