"""Format readers: each finds a cable's metadata and its raw telegram text, nothing more.

The shared body reader (`cables.body`) turns that text into header fields, sections and
paragraphs, so a paragraph quirk fixed there is fixed for every format.
"""
