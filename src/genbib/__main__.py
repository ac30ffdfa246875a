"""`python -m genbib`."""

from genbib.cli import main

raise SystemExit(main())
