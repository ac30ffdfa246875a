"""Test doubles for the services genbib talks to, importable by tests, benchmarks and users.

They live in the package (not under tests/) so that `python -m genbib.testing.zotero` lets a
newcomer try a two-way sync without an account, and benchmarks can start the same servers
the tests use. Nothing in genbib's own code paths imports this package.
"""
