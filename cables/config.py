"""User configuration: one TOML file, read with tomllib, validated before anything starts.

(The config issue fills in loading, validation and `cables config`; the defaults below are what
every part of the product reads today.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cables.permalinks import DEFAULT_CABLE_TEMPLATE, DEFAULT_PARAGRAPH_TEMPLATE

DEFAULT_LEVEL_COLORS: dict[str, str] = {
    "U": "#007a33",  # UNCLASSIFIED banner green
    "SBU": "#502b85",  # CUI purple
    "C": "#0033a0",  # CONFIDENTIAL blue
    "S": "#c8102e",  # SECRET red
    "TS": "#ff8c00",  # TOP SECRET orange
    "unmarked": "#6c6c6c",
}


@dataclass(slots=True)
class Config:
    library: str | None = None
    cable_permalink: str = DEFAULT_CABLE_TEMPLATE
    paragraph_permalink: str = DEFAULT_PARAGRAPH_TEMPLATE
    clipboard: str = "both"  # osc52 | local | both | off
    theme: str = "textual-dark"
    level_colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LEVEL_COLORS))
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> comma-separated keys
    sidebar_columns: list[str] = field(default_factory=lambda: ["level", "ref", "created",
                                                                "subject"])
    sidebar_limit: int = 500  # how many matches the sidebar ranks
