"""cables: parse, store, search and browse US diplomatic cables. No Textual import here."""

__version__ = "0.1.0"
