"""The lab's workflows: library functions that wire the packages into what a command runs.

A command of the CLI parses its options and calls one function here; the function reads
the configuration and credentials, builds the adapters (HTTP, files) and chains the
stages of the packages (which know neither). `genbib.workflow.sync` is `genbib sync`.
"""
