"""The Textual app that browses a cable library."""
