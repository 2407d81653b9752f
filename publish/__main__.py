"""`python -m publish` runs the command line."""

import sys

from publish.cli import main

sys.exit(main())
