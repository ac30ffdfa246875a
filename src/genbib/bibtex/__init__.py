"""BibTeX in and out: the lossless reader, the canonical writer, atomic writes, keys."""
