"""``python -m jira_sandbox``: serve a generated site until interrupted (demos and tests only)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from datetime import UTC, datetime

from jira_sandbox.api_control import CREDENTIALS
from jira_sandbox.seed import generate_site
from jira_sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate the site, print how to reach it and serve."""
    parser = argparse.ArgumentParser(prog="python -m jira_sandbox", description=__doc__)
    parser.add_argument("--flavor", choices=("cloud", "datacenter"), default="cloud")
    parser.add_argument("--issues", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--now", help="the site's 'now' (ISO 8601, default: the real time)")
    parser.add_argument("--bot-time-zone", default="America/New_York")
    parser.add_argument("--time-zone", default="Europe/Berlin", help="the site's time zone")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    site = generate_site(
        seed=args.seed, issues=args.issues, now=now, time_zone=args.time_zone, bot_time_zone=args.bot_time_zone
    )
    gc.freeze()  # this process only serves the site: keep its millions of objects out of collections
    server = SandboxServer(site, flavor=args.flavor, host=args.host, port=args.port).start()
    print(f"kpiokr Jira sandbox (test/demo only) - {args.flavor}, {len(site.issues)} issues, seed {args.seed}")
    print(f"URL: {server.url}")
    for login, secret in CREDENTIALS[args.flavor].items():
        print(f"  {login}: {secret}")
    print(f"Control: {server.url}/_sandbox/... (faults, requests, clock, settings); Ctrl-C stops")
    sys.stdout.flush()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
