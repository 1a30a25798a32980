"""The command line and the composition root: the only code that prints and picks exit codes.

No other room imports it, so it exports nothing; ``kpiokr`` runs :func:`sync.cli.main.main`."""
