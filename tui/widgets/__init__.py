"""Widgets of the browser: sidebar list, cable view, level strip, footer."""
