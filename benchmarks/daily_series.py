"""Daily series: what backfilling a 90-day cycle costs, and what a day passing costs.

    .venv/bin/python benchmarks/daily_series.py [--issues 10000] [--days 90] [--seed 7]

Generates a sandbox site of N issues and the demo's mappings plus a team over every issue of the site
(``sync_scale_sup.toml.in`` reading all three projects) with a cycle whose day ``--days`` is today, syncs it once
against the in-memory Jira (no HTTP: the figures are kpiokr's own work) into a SQLite store, empties
the daily series and times :func:`sync.app.daily_series.extend_series` for that team:

- backfill      no day stored: every past day of the cycle evaluated at its end from the stored
                histories, and today's point;
- in a pass     the same instant with the pass's own scores handed in as today's point, as a sync
                pass does: what a pass adds when no day needs computing;
- same day      an hour later, nothing changed, today's point evaluated here (the histories read);
- next day      a day later: yesterday evaluated at its end, and today's point evaluated.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sync_scale import support_mapping
from sync.app.daily_series import extend_series
from sync.store.store import engine_url
from tests.fakes.world import NOW, make_world

PROJECTS = ("MOB", "WEB", "SUP")
STEPS = (
    ("backfill", timedelta()),
    ("in a pass", timedelta()),
    ("same day", timedelta(hours=1)),
    ("next day", timedelta(days=1)),
)


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    start, end = NOW.date() - timedelta(days=args.days - 1), NOW.date() + timedelta(days=1)
    with tempfile.TemporaryDirectory() as directory:
        world = make_world(Path(directory) / "kpiokr", issues=args.issues, seed=args.seed)
        mapping = support_mapping(f"{args.days} days", start, end)
        mapping = mapping.replace('projects = ["SUP"]', f"projects = {list(PROJECTS)!r}".replace("'", '"'))
        (world.config_path.parent / "mappings" / "sup.toml").write_text(mapping)
        with world.app() as app:
            started = time.perf_counter()
            summary = world.runner(app).run()
            first = time.perf_counter() - started
            team = next(t for t in app.mappings.current() if t.team.projects == PROJECTS)
            engine = create_engine(engine_url(app.config.store_url))
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM daily_series"))
            engine.dispose()
            issues = app.store.count_issues(team.team.projects)
            print(f"{summary.fetched} issues synced in {first:.1f} s (the first pass, every team's series included)")
            print(f"team {team.team.name}: {issues} issues, a cycle of {args.days} days, today {NOW.date()}\n")
            print(f"{'step':<10} {'days':>5} {'points':>7} {'seconds':>8}")
            current = next(r for r in summary.results if r.team == team.team.name)
            for step, later in STEPS:
                started = time.perf_counter()
                given = current if step == "in a pass" else None
                update = extend_series(app.store, team, NOW + later, current=given)
                seconds = time.perf_counter() - started
                print(f"{step:<10} {len(update.days):>5} {update.points:>7} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
