"""What an idle pass costs Jira: a daemon pass after a run that wrote 500 issues, and `kpiokr sync`
in a fresh process, each next to its target.

    .venv/bin/python benchmarks/idle_costs.py [--flavor cloud|datacenter|both] [--issues 2500] [--seed 3]

Generates a sandbox site, serves it over real HTTP from this process with its clock stopped, and
writes mappings whose key results are every child of the projects' epics (measured as
milestones), so the first sync writes a score into at least 500 issues. Then, as ``kpiokr daemon``
does (one warm ``Runner``) with the site's clock moving one daemon interval (10 minutes) between
passes:

- write      the first sync writes the scores;
- own writes the next pass reads the daemon's own writes back (Jira stamped them all);
- idle       nothing changed: target one request returning at most one page.

Finally ``kpiokr sync`` runs as a process of its own on the same store, nothing having changed:
target at most two requests. Requests and the issues returned come from the sandbox's request log.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jira_sandbox import SandboxServer, generate_site
from sync.cli.bootstrap import build_app
from sync.cli.commands import setup
from sync.cli.demo_files import quarter, write_demo_files
from sync.config import load_config

#: An hour ago: the site's clock runs 30 minutes of daemon passes from there, and `kpiokr sync` (a process of its
#: own, on the wall clock) then finds the same day, as a daemon's clock and Jira's agree.
NOW = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
INTERVAL = timedelta(minutes=10)
ROOT = Path(__file__).resolve().parents[1]
TARGET_DAEMON, TARGET_FRESH = 1, 2

MAPPING = """\
[team]
name = "{project}"
projects = ["{project}"]
board = {board}

[cycle]
name = "{cycle}"
start = {start}
end = {end}

[objectives]
jql = "project = {project} AND issuetype = Epic"

[key_results]
source = "children"
measure = "milestone"
"""


def _write_config(directory: Path, site, url: str, flavor: str) -> Path:
    path = write_demo_files(directory, site, url, flavor, NOW)
    name, start, end = quarter(NOW.date())
    mappings = directory / "mappings"
    for old in mappings.glob("*.toml"):
        old.unlink()
    for board in site.boards.values():
        if board.project_key in {"MOB", "WEB"}:
            text = MAPPING.format(
                project=board.project_key, board=board.id, cycle=name, start=start.isoformat(), end=end.isoformat()
            )
            (mappings / f"{board.project_key.lower()}.toml").write_text(text)
    with contextlib.redirect_stdout(io.StringIO()):
        setup(load_config(path), dry_run=False)
    return path


def _searched(server: SandboxServer) -> str:
    pages = [r for r in server.request_log if "/search" in r[1]]
    return f"{len(pages)} search page(s)"


def scenario(flavor: str, issues: int, seed: int) -> list[tuple[str, int, int, str]]:
    """(step, requests, target, detail) of each measured step."""
    site = generate_site(seed=seed, issues=issues, now=NOW)
    site.clock_state.set(NOW)
    rows: list[tuple[str, int, int, str]] = []
    with SandboxServer(site, flavor=flavor) as server, tempfile.TemporaryDirectory(prefix="kpiokr-idle-") as tmp:
        config_path = _write_config(Path(tmp), site, server.url, flavor)
        app = build_app(load_config(config_path), {})
        try:
            runner = app.runner(threading.Event(), clock=site.clock)
            wrote = runner.run()
            written = sum(1 for o in wrote.outcomes if o.ok)
            site.clock_state.set(NOW + INTERVAL)
            server.clear_request_log()
            back = runner.run()
            rows.append(("own writes come back", back.requests, 0, f"{back.fetched} issues, {_searched(server)}"))
            site.clock_state.set(NOW + 2 * INTERVAL)
            server.clear_request_log()
            idle = runner.run()
            detail = f"after writing {written} issues: {idle.fetched} issues returned, {_searched(server)}"
            rows.append(("daemon pass, idle", idle.requests, TARGET_DAEMON, detail))
        finally:
            app.close()
        site.clock_state.set(NOW + 3 * INTERVAL)
        server.clear_request_log()
        command = [sys.executable, "-m", "sync.cli", "--config", str(config_path), "sync"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        paths = ", ".join(f"{m} {p.split('?')[0]}" for m, p, _ in server.request_log)
        rows.append(
            (
                "kpiokr sync, fresh process, idle",
                len(server.request_log),
                TARGET_FRESH,
                f"exit {done.returncode}: {paths}",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the idle costs of each flavour next to their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flavor", choices=("cloud", "datacenter", "both"), default="both")
    parser.add_argument("--issues", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the count advice on these wide objectives is not the figure
    flavors = ("cloud", "datacenter") if args.flavor == "both" else (args.flavor,)
    print(f"{'flavor':<11} {'step':<34} {'requests':>8} {'target':>6}  detail")
    for flavor in flavors:
        for step, requests, target, detail in scenario(flavor, args.issues, args.seed):
            shown = str(target) if target else "-"
            print(f"{flavor:<11} {step:<34} {requests:>8} {shown:>6}  {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
