"""`python -m genbib`."""

from genbib.cli import main

main()
