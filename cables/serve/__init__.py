"""`cables serve`: one library, many readers, each in a browser process of their own.

The servers never import Textual: every reader's browser is a child process started through
the `cables open` entry point, on the library read-only, with that reader's own state file.
"""
