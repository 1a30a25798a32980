"""The command line and the composition root: the only code that prints and picks exit codes."""

from sync.cli.main import main

__all__ = ["main"]
