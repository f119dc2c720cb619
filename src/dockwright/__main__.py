"""`python -m dockwright` runs the CLI."""

import sys

from dockwright.cli import main

sys.exit(main())
