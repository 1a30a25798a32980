"""The ``kpiokr`` command line: parses arguments and runs the command; :mod:`sync.cli.exit_codes` ends it.

With :mod:`sync.cli.commands`, the only place that prints.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from types import FrameType

from sync.cli import commands
from sync.cli.bootstrap import GatewayFactory
from sync.cli.check import check, check_files, fields
from sync.cli.demo import run_demo
from sync.cli.demo_files import DASHBOARD_PORT
from sync.cli.exit_codes import exit_code
from sync.cli.log_setup import configure_logging
from sync.cli.review import review
from sync.cli.webhook_setup import setup_webhook
from sync.config import config_path, load_config
from sync.jira import JiraRestGateway
from sync.mapping import REVIEW_KINDS

log = logging.getLogger("kpiokr")


def _version() -> str:
    try:
        return version("kpiokr")
    except PackageNotFoundError:
        return "(not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpiokr", description="OKRs and KPIs that live inside Jira.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--config", help="config file (default: $KPIOKR_CONFIG, else ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details, libraries' included")
    parser.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="log lines as text, or one JSON object a line"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    sync = sub.add_parser("sync", help="one pass: fetch what changed, score, write back (`daemon` repeats it)")
    sync.add_argument("--once", action="store_true", help="accepted for older scripts: sync always makes one pass")
    sync.add_argument("--full", action="store_true", help="re-read every issue, not only those updated")
    sync.add_argument("--dry-run", action="store_true", help="print the writes it would make, make none")
    sync.add_argument(
        "--reconcile", action="store_true", help="also check the issues held against Jira (deleted, moved), now"
    )

    daemon = sub.add_parser("daemon", help="sync on the interval and reconcile nightly until SIGTERM/SIGINT")
    daemon.add_argument("--serve", action="store_true", help="also serve the dashboard ([dashboard] in the config)")

    sub.add_parser("serve", help="the read-only dashboard over the store ([dashboard] in the config)")

    report = sub.add_parser("report", help="objectives, key results and KPIs with status and trend")
    report.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    report.add_argument("--team", help="only this team")
    report.add_argument(
        "--as-of",
        metavar="DATE",
        help="computed from the stored histories as of the end of DATE in the team's time zone (2026-09-30), "
        "or of an instant with its offset (2026-09-30T18:00+02:00); asks Jira nothing",
    )
    report.add_argument("--cycle", metavar="NAME", help="as of the end of this cycle's last day, with its dates")

    check = sub.add_parser("check", help="validate mapping files, and fields, boards and JQL in Jira")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="mapping files or directories to check alone (no config, no Jira)"
    )
    check.add_argument("--offline", action="store_true", help="check the files only, do not contact Jira")

    sub.add_parser("fields", help="list the site's fields: id, type and the name a mapping file can use")

    setup = sub.add_parser("setup", help="create the custom fields scores are written to")
    setup.add_argument("--dry-run", action="store_true", help="say what it would create")
    setup.add_argument(
        "--webhook",
        metavar="URL",
        help="instead: register (or update) Jira's webhook to the daemon's URL ending in /webhooks/jira",
    )

    sub.add_parser("migrate", help="bring the store's schema up to date")

    review = sub.add_parser("review", help="the weekly KPI digest, monthly OKR check-in or quarterly review")
    review.add_argument("kind", choices=REVIEW_KINDS)
    review.add_argument("--team", help="only this team")
    review.add_argument(
        "--as-of", metavar="DATE", help="the period holding DATE (2026-11-20), as of its end; default: now"
    )
    review.add_argument("--dry-run", action="store_true", help="print the review and what it would post; write nothing")
    review.add_argument("--format", choices=("markdown", "json"), default="markdown")

    demo = sub.add_parser("demo", help="the whole product against a local Jira sandbox")
    demo.add_argument("--dir", default="kpiokr-demo", help="where the demo config, mapping and store go")
    demo.add_argument("--issues", type=int, default=600, help="size of the seeded site")
    demo.add_argument("--flavor", choices=("cloud", "datacenter"), default="cloud")
    demo.add_argument("--serve", action="store_true", help="after the demo, keep the sandbox and the dashboard up")
    demo.add_argument("--port", type=int, default=DASHBOARD_PORT, help="where `--serve` serves the dashboard")
    return parser


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current step", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def main(argv: Sequence[str] | None = None, *, gateways: GatewayFactory = JiraRestGateway) -> int:
    """Run a command (Jira reached through the gateway ``gateways`` builds); returns the process exit code.

    Failures end as :mod:`sync.cli.exit_codes` says: one line on standard error and the code of its row.
    """
    args = _parser().parse_args(argv)
    return exit_code(lambda: _run(args, gateways))


def _run(args: argparse.Namespace, gateways: GatewayFactory) -> int:
    if args.command == "demo":
        configure_logging("ERROR", verbose=args.verbose, fmt=args.log_format)
        return run_demo(args.dir, issues=args.issues, flavor=args.flavor, serve=args.serve, port=args.port)
    if args.command == "check" and args.paths:
        configure_logging(verbose=args.verbose, fmt=args.log_format)
        return check_files(args.paths)
    config = load_config(config_path(args.config, os.environ))
    configure_logging(config.log_level, verbose=args.verbose, fmt=args.log_format)
    stop = threading.Event()
    actions: dict[str, Callable[[], int]] = {
        "sync": lambda: commands.sync(
            config, full=args.full, dry_run=args.dry_run, reconcile=args.reconcile, stop=stop, gateways=gateways
        ),
        "daemon": lambda: commands.daemon(config, stop=stop, gateways=gateways, serve=args.serve),
        "serve": lambda: commands.serve(config),
        "report": lambda: commands.report(config, fmt=args.format, team=args.team, as_of=args.as_of, cycle=args.cycle),
        "check": lambda: check(config, offline=args.offline, gateways=gateways),
        "fields": lambda: fields(config, gateways),
        "setup": lambda: (
            setup_webhook(config, args.webhook, dry_run=args.dry_run, gateways=gateways)
            if args.webhook
            else commands.setup(config, dry_run=args.dry_run, gateways=gateways)
        ),
        "migrate": lambda: commands.migrate(config),
        "review": lambda: review(
            config,
            args.kind,
            team=args.team,
            as_of=args.as_of,
            dry_run=args.dry_run,
            fmt=args.format,
            gateways=gateways,
        ),
    }
    if args.command in ("sync", "daemon", "serve"):
        _stop_on_signals(stop)
    return actions[args.command]()


if __name__ == "__main__":
    sys.exit(main())
