"""One module per `cables` subcommand, imported only when that command runs (fast start-up).

Each module defines `add_arguments(parser)` and `run(args) -> int` (the exit status).
"""
