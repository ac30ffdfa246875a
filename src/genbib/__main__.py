"""`python -m genbib`."""

from genbib.cli import run

run()
