"""`python -m publish` runs the command line."""

from publish.cli import run

run()
