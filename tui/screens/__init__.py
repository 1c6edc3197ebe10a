"""Modal screens: help, legend, prompts (go to paragraph, find) and pickers."""
