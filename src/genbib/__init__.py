"""genbib: one canonical BibTeX file for a lab, kept in step with everything else."""

from __future__ import annotations

__version__ = "0.1.0"
