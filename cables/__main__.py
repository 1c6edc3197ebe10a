import sys

from cables.cli import main

sys.exit(main())
