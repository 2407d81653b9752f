"""`python -m publish` runs the command line (Ctrl-C handled from the first import on)."""

import sys

from publish.interrupts import interruptible

with interruptible():
    from publish.cli import main

    status = main()
sys.exit(status)
