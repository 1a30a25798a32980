"""Several daemons on one PostgreSQL store: team-passes per minute with 1, 2 and 3 daemons at many teams.

    KPIOKR_TEST_PG_URL=postgresql://... .venv/bin/python benchmarks/multi_daemon.py [--teams 60]
        [--issues 6000] [--daemons 1,2,3] [--seconds 60] [--lease 10]

Generates a sandbox site of ``--teams`` Scrum teams (one project each, so as many lease groups),
serves it over real HTTP from this process, and fills a scratch PostgreSQL schema with one
``kpiokr sync``. Then for each daemon count it starts that many ``kpiokr daemon`` processes
(``sync.interval_minutes`` ~0: a pass as soon as the last one ends), waits until the teams are split
among them, and counts for ``--seconds`` the passes each daemon runs and the teams each pass scores
(the ``teams`` of its run records): team-passes per minute in all and per daemon, and how many teams
each daemon leases. While it measures, a PM edits one issue of a random team every second, so
passes fetch, score and write as they do in production. The daemons are stopped with SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from jira_sandbox import SandboxServer, Site, Team, generate_site
from sync.cli.demo_files import write_demo_files
from sync.store.store import Store, engine_url

ROOT = Path(__file__).resolve().parents[1]


def project_key(n: int) -> str:
    """A project key of letters only: A..Z, then AA..AZ, ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return "P" + letters


def kpiokr(config: Path, *argv: str, log: Path) -> subprocess.Popen[bytes]:
    """``kpiokr --config CONFIG ARGV`` in its own process, its output into ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sync.cli", "--config", str(config), *argv], cwd=ROOT, stdout=out, stderr=out
        )


def measure(
    config: Path, store_url: str, site: Site, workdir: Path, *, daemons: int, seconds: float
) -> dict[str, object]:
    """Run ``daemons`` daemons for ``seconds`` once they split the teams; their passes and leases."""
    teams = sum(1 for board in site.boards.values() if board.type == "scrum")
    processes = [kpiokr(config, "daemon", log=workdir / f"daemon-{daemons}-{n}.log") for n in range(daemons)]
    rng = random.Random(daemons)
    try:
        with Store.open(store_url) as store:
            deadline = time.monotonic() + 120
            while True:
                held = Counter(lease.owner for lease in store.leases() if lease.owner)
                if (
                    len(held) == daemons
                    and sum(held.values()) == teams
                    and max(held.values()) - min(held.values()) <= 1
                ):
                    break
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    logs = "".join(f.read_text()[-1500:] for f in workdir.glob(f"daemon-{daemons}-*.log"))
                    raise SystemExit(f"the teams were not split among {daemons} daemon(s): {held}\n{logs}")
                time.sleep(0.2)
            start = datetime.now(UTC)
            end_at = time.monotonic() + seconds
            names = sorted({p.name for p in site.priorities.values()})
            keys = [issue.key for issue in site.issues]
            while time.monotonic() < end_at:
                site.edit_issue(rng.choice(keys), {"priority": {"name": rng.choice(names)}}, author="pm")
                time.sleep(1.0)
            end = datetime.now(UTC)
            runs = [
                r for r in store.runs(limit=None) if r.finished_at and start <= r.started_at and r.finished_at <= end
            ]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(60)
    passes = Counter(r.owner for r in runs)
    team_passes: Counter[str | None] = Counter()
    for run in runs:
        team_passes[run.owner] += int(run.counts.get("teams", 0))
    minutes = (end - start).total_seconds() / 60
    return {
        "daemons": daemons,
        "teams per daemon": sorted(held.values()),
        "passes per daemon": sorted(passes.values()),
        "team-passes per minute per daemon": sorted(round(n / minutes) for n in team_passes.values()),
        "team-passes per minute": round(sum(team_passes.values()) / minutes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--issues", type=int, default=6000)
    parser.add_argument("--daemons", default="1,2,3")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--lease", type=int, default=10)
    args = parser.parse_args()
    base = os.environ.get("KPIOKR_TEST_PG_URL")
    if not base:
        raise SystemExit("set KPIOKR_TEST_PG_URL to a PostgreSQL URL (postgresql://postgres@127.0.0.1:5432/test)")
    now = datetime.now(UTC)
    teams = [Team(project_key(n), f"Team {n}", "scrum", 1 / args.teams) for n in range(args.teams)]
    site = generate_site(seed=3, issues=args.issues, now=now, teams=teams)
    schema = f"kpiokr_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(engine_url(base))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    store_url = engine_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    url = store_url.render_as_string(hide_password=False)
    try:
        with SandboxServer(site, flavor="cloud") as server, tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            config = write_demo_files(workdir, site, server.url, "cloud", now)
            text_ = config.read_text().replace('url = "sqlite:///kpiokr.sqlite3"', f'url = "{url}"')
            config.write_text(text_ + f"\n[sync]\ninterval_minutes = 0.001\nlease_seconds = {args.lease}\n")
            for command in (["setup"], ["sync"]):
                if kpiokr(config, *command, log=workdir / "prepare.log").wait() not in (0, 1):
                    raise SystemExit((workdir / "prepare.log").read_text()[-3000:])
            print(f"{args.teams} teams, {len(site.issues)} issues, PostgreSQL, {os.cpu_count()} cores")
            for daemons in (int(d) for d in args.daemons.split(",")):
                print(measure(config, url, site, workdir, daemons=daemons, seconds=args.seconds), flush=True)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
