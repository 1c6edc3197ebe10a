"""`python -m cables`: the same as the `cables` command."""

import sys

from cables.cli import main

if __name__ == "__main__":
    sys.exit(main())
